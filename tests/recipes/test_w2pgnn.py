"""w2pgnn recipe: the experiment validates and plans at both sizes, arms differ only in their pretraining
graphs (same world, model, objective and fine-tuning), the claims are declared on feasibility ranks and wired
to the premises, and (slow) a shrunk experiment runs end to end with per-run feasibility and gain."""

from __future__ import annotations

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.run_config import build_run_config


def _cfg(exp, arm: str, stage: str, seed: int = 0):
    st = next(s for s in exp.arm_stages(arm) if s.name == stage)
    return build_run_config(exp.stage_config(arm, st, seed))


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_w2pgnn_experiment(size, tmp_path):
    mod = get_recipe("w2pgnn")
    exp = build_experiment(recipe_experiment("w2pgnn", size))
    k = len(mod.SOURCES)
    assert len(exp.seeds) == {"tiny": 3, "full": 5}[size]
    assert set(exp.arms) == {f"rank{r}" for r in range(1, k + 1)} | {"w2pgnn", "random"}
    assert len(build_plan(exp, tmp_path).jobs) == len(exp.seeds) * (k + 2) * 2
    pre = {a: _cfg(exp, a, "pretrain") for a in exp.arms}
    ft = {a: _cfg(exp, a, "finetune") for a in exp.arms}
    assert all(c.objective["name"] == "attr_mask" and c.train.steps > 0 and c.data.split == "pool"
               for c in pre.values())
    assert all(c.eval.protocols == [] for c in pre.values())
    assert all(c.train.steps == 0 and c.eval.reference and c.eval.feasibility for c in ft.values())
    assert exp.arm_stages("rank1")[1].init_from == "pretrain"
    assert len({str(c.data.world) for c in ft.values()}) == 1 and len({str(c.model) for c in ft.values()}) == 1
    assert ft["rank1"].data.world.sources == mod.SOURCES
    assert [ft[f"rank{r}"].data.source.rank for r in range(1, k + 1)] == list(range(1, k + 1))
    assert ft["w2pgnn"].data.source.pick == "w2pgnn" and ft["random"].data.source.pick == "random"
    assert ft["w2pgnn"].data.source.size == ft["random"].data.source.size == 0  # both n_pool, like one source
    assert len({str(c.data.source.feasibility) for c in ft.values()}) == 1


def test_w2pgnn_claims():
    exp = build_experiment(recipe_experiment("w2pgnn", "tiny"))
    k = len(get_recipe("w2pgnn").SOURCES)
    premises = {c.name for c in exp.claims if c.role == "premise"}
    assert len(premises) == 2 and all(set(c.requires) == premises for c in exp.claims if c.role != "premise")
    (primary,) = [c for c in exp.claims if c.role == "primary"]
    assert primary.kind == "greater" and primary.arms == ["rank1", f"rank{k}"]
    assert primary.metric == "eval/finetune/gain"
    mono = next(c for c in exp.claims if c.kind == "monotonic_increasing")
    assert mono.arms == [f"rank{r}" for r in range(k, 0, -1)]
    sel = next(c for c in exp.claims if c.arms == ["w2pgnn", "random"])
    assert sel.kind == "greater" and sel.chance == 0.5
    helps = next(c for c in exp.claims if c.metric == "eval/finetune/gain" and c.role == "premise")
    assert helps.kind == "above" and helps.arms == ["rank1"] and helps.value == 0.0
    assert all(c.min_effect == 0 for c in exp.claims)


@pytest.mark.slow
def test_tiny_experiment_runs(tmp_path):
    """Two training steps, one seed, no claims: the pipeline, not the outcome."""
    from pretrainlab.experiments.run import run_experiment

    exp = recipe_experiment("w2pgnn", "tiny")
    exp["arms"] = {a: exp["arms"][a] for a in ("rank1", "w2pgnn", "random")}
    exp["claims"], exp["seeds"], exp["metrics"] = [], [0], []
    exp["base"]["data"]["world"].update({"n_train": 40, "n_val": 30, "n_test": 40, "n_pool": 40, "n_pool_val": 10})
    exp["base"]["train"].update({"steps": 2, "threads": 1, "progress": False, "warmup_steps": 1})
    exp["base"]["eval"].update({"report": False, "finetune_epochs": 1})
    res, _ = run_experiment(build_experiment(exp), tmp_path / "w2p", report=False)
    for arm in ("rank1", "w2pgnn", "random"):
        ft = res[arm]["finetune"]["0"]
        assert ft["data/n_pretrain"] == 40 and ft["data/feasibility"] < 0 and "eval/finetune/gain" in ft
    assert res["rank1"]["finetune"]["0"]["data/source_index"] >= 0 > res["random"]["finetune"]["0"]["data/source_index"]
