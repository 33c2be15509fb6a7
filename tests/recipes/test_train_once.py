"""train-once recipe: arms, claims and the CPDT branch; all five probes in one run; resume of dynamic
insertion (slow: real training)."""

import json

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import recipe_experiment
from pretrainlab.recipes.common import seeds
from pretrainlab.recipes.train_once import CPDT_A, CPDT_B, EXPERIMENTS


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_recipe_arms_claims_and_shared_base(size, tmp_path):
    data = recipe_experiment("train-once", size)
    exp = build_experiment(data)
    assert set(exp.arms) == {"clean", "all-in-one", *(f"only-{e}" for e in EXPERIMENTS), "cpdt-with-A",
                             "cpdt-without-A", "cpdt-neither"}
    inserted = {arm: {p["name"] for p in a.get("overrides", {}).get("data.probes", []) if p["insert"]}
                for arm, a in data["arms"].items()}
    assert inserted["clean"] == set() and inserted["all-in-one"] == set(EXPERIMENTS)
    assert all(inserted[f"only-{e}"] == {e} for e in EXPERIMENTS)
    assert all(p["insert"] is False for p in data["base"]["data"]["probes"])  # clean measures every probe
    continued = {arm: {p["name"] for p in a["stages"][1]["overrides"]["data.probes"] if p["insert"]}
                 for arm, a in data["arms"].items() if arm.startswith("cpdt")}
    assert continued == {"cpdt-with-A": {CPDT_A, CPDT_B}, "cpdt-without-A": {CPDT_B}, "cpdt-neither": set()}
    equiv = [c for c in data["claims"] if c["kind"] == "equivalent"]
    assert {c["arms"][1] for c in equiv} >= {"clean", *(f"only-{e}" for e in EXPERIMENTS), "cpdt-without-A"}
    assert all("tolerance" not in c and c["margin"] > 0 for c in equiv)
    plan = build_plan(exp, tmp_path)
    # CPDT branches from the clean run itself: 7 single-stage arms + 3 continued stages per seed
    assert len(exp.seeds) == len(seeds(size)) and len(plan.jobs) == 10 * len(exp.seeds)
    assert plan.job("cpdt-with-A", "pretrain", 0).key == plan.job("clean", "pretrain", 0).key


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_no_match_of_two_null_effects(size):
    """Every equivalence of effects requires premises that the effect exists, by more than the margin."""
    exp = build_experiment(recipe_experiment("train-once", size))
    by_name = {c.name: c for c in exp.claims}
    assert sorted(c.name for c in exp.claims if c.role == "primary") == [
        "CPDT: watermark data leaves canary unchanged", "all-in-one keeps clean val loss"]
    for c in exp.claims:
        if c.kind != "equivalent" or c.metric == "val/loss":
            continue
        assert c.requires, c.name
        for r in c.requires:
            p = by_name[r]
            assert p.role == "premise" and p.kind == "greater" and p.min_effect == c.margin
            if c.stage is None:  # the single-experiment run against clean (the same items, not inserted)
                assert p.arms == [c.arms[1], "clean"]
    cpdt = by_name["CPDT: watermark data leaves canary unchanged"]
    assert sorted(by_name[r].arms[1] for r in cpdt.requires) == ["cpdt-neither", "cpdt-without-A"]


def _cfg(overrides):
    from pretrainlab.config import apply_overrides
    from pretrainlab.recipes import recipe_config
    from pretrainlab.run_config import build_run_config

    return build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), [
        "train.progress=false", "train.threads=1", "eval.max_items=4", "eval.generations=0", "eval.report=false",
        "eval.fact_qa=false", "eval.arithmetic=false", *overrides]))


PROBES = ("data.probes=[{name: c, kind: contamination, repeats: [0, 4], per_group: 4}, "
          "{name: s, kind: canary, repeats: [0, 4], per_group: 2}, {name: b, kind: backdoor, repeats: [4], "
          "per_group: 6}, {name: w, kind: watermark, repeats: [2], per_group: 6, alphabet: 24}, "
          "{name: k, kind: knowledge, per_group: 4, check_every: 4, per_check: 2}]")


@pytest.mark.slow
def test_all_probes_in_one_run_and_dynamic_resume(tmp_path):
    from pretrainlab.eval.suite import metric_names
    from pretrainlab.runner import execute
    from pretrainlab.train.callbacks import Callback

    overrides = ["train.steps=16", "train.ckpt_every=8", "train.keep_last=5", PROBES]
    data_root = tmp_path / "data"
    straight = execute(_cfg(overrides), tmp_path / "straight", data_root=data_root)
    assert metric_names(_cfg(overrides)) <= set(straight)
    assert straight["insertions/token_fraction"] > 0
    log = [json.loads(x) for x in (tmp_path / "straight" / "insertions.jsonl").read_text().splitlines()]
    assert {r["experiment"] for r in log} == {"c-x4", "s-x4", "b-x4", "w-x2", "k"}
    assert sum(r["dynamic"] for r in log) > 0 and all(r["experiment"] == "k" for r in log if r["dynamic"])

    class Crash(Callback):
        def on_step_end(self, trainer, metrics):
            if trainer.state.step == 11:
                raise KeyboardInterrupt

    crashed = tmp_path / "crashed"
    with pytest.raises(KeyboardInterrupt):
        execute(_cfg(overrides), crashed, data_root=data_root, extra_callbacks=[Crash()])
    assert (crashed / "checkpoints" / "knowledge-k_step_000008.json").exists()
    resumed = execute(_cfg(overrides), crashed, resume=True, data_root=data_root)
    assert (crashed / "insertions.jsonl").read_text() == (tmp_path / "straight" / "insertions.jsonl").read_text()
    for key in ("val/loss", "eval/knowledge/k/acquired", "eval/knowledge/k/final_em", "eval/canary/s/x4/exposure"):
        assert resumed[key] == straight[key], key
