"""Curation steps applied inside data preparation (data.curate)."""


def test_curation_inside_data_preparation(tmp_path):
    import json

    import pytest

    from pretrainlab.config import ConfigError, apply_overrides
    from pretrainlab.data.prepare import prepare_data
    from pretrainlab.recipes import recipe_config
    from pretrainlab.run_config import build_run_config

    over = ["data.world.noise_rate=0.5", "data.world.dup_rate=0.1",
            "data.curate=[{name: gopher_repetition, domains: [story, encyclopedia, dialog]}, {name: exact_dedup}]"]
    cfg = build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), over))
    data = prepare_data(cfg.data, tmp_path / "d")
    stats = json.loads((tmp_path / "d" / "prepared.json").read_text())["curation"]
    dropped = sum(sum(st["dropped"].values()) for steps in stats.values() for st in steps.values())
    assert dropped > 0 and "exact_dedup" in stats["story"]
    plain = build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), over[:2]))
    clean = prepare_data(plain.data, tmp_path / "p")
    assert data.store.info("train", "story")["docs"] < clean.store.info("train", "story")["docs"]
    assert data.store.info("val", "story")["docs"] == clean.store.info("val", "story")["docs"]
    with pytest.raises(ConfigError, match="data.curate: .*did you mean 'exact_dedup'"):
        build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), ["data.curate=[{name: exact_dedupe}]"]))
