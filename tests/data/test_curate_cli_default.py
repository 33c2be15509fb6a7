"""``pretrainlab data curate default`` uses the packaged pipeline (reachable after pip install, issue 17)."""

from pretrainlab.data.curate.runner import load_config


def test_default_names_the_packaged_pipeline():
    cfg = load_config("default", ["input=in", "output=out"])
    assert cfg.input == "in" and len(cfg.steps) >= 3
