"""look and nmc-cl recipes: experiments validate at both sizes, the shared pretraining is run once, the stages
resolve to the intended objectives / eval worlds / class-incremental learners, and (slow) a shrunken tiny
chain of each runs end to end with the claimed metrics in summary.json."""

from __future__ import annotations

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.run_config import build_run_config
from pretrainlab.run_config_image import image_metric_names


def _cfg(exp, arm: str, stage: str, seed: int = 0):
    st = next(s for s in exp.arm_stages(arm) if s.name == stage)
    return build_run_config(exp.stage_config(arm, st, seed))


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_look_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("look", size))
    assert len(build_plan(exp, tmp_path).jobs) == len(exp.seeds) * 2 * 2  # 2 arms x (pretrain, transfer)
    ce, look = _cfg(exp, "ce", "pretrain"), _cfg(exp, "look", "pretrain")
    assert ce.objective == {"name": "supervised"} and look.objective["name"] == "look"
    assert look.objective["bank_size"] == look.data.world.n_train
    assert ce.train.steps == look.train.steps > 0 and ce.data.world == look.data.world
    assert ce.data.world.label == "super" and ce.data.world.spurious == 0.0
    for arm in exp.arms:
        tr = _cfg(exp, arm, "transfer")
        assert tr.train.steps == 0 and tr.eval.world.label == "sub" and tr.eval.world.seed == tr.data.world.seed
        assert {"eval/linear/top1", "eval/knn/top1"} <= image_metric_names(tr)
    assert exp.arm_stages("look")[-1].init_from == "pretrain"
    assert {(c.metric, c.stage) for c in exp.claims} == {
        ("eval/linear/top1", "transfer"), ("eval/knn/top1", "transfer"), ("eval/linear/top1", "pretrain")}
    assert get_recipe("look").NAME == "look"
    claims = {c.name: c for c in exp.claims}
    premise = claims["similar upstream accuracy"]
    assert premise.role == "premise" and premise.kind == "equivalent" and premise.margin > 0
    assert premise.chance == 0.25  # 4 super-classes
    for c in claims.values():
        if c.stage == "transfer":  # the transfer claims need similar upstream accuracy
            assert c.requires == [premise.name] and c.chance == 1 / 12 and c.kind == "greater"
    assert [c.metric for c in exp.claims if c.role == "primary"] == ["eval/linear/top1"]


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_nmc_cl_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("nmc-cl", size))
    assert len(build_plan(exp, tmp_path).jobs) == len(exp.seeds) * (1 + 4)  # one shared pretraining, 4 streams
    streams = {arm: _cfg(exp, arm, "stream") for arm in exp.arms}
    assert {a: c.eval.ci_method for a, c in streams.items()} == {a: a for a in ("ncm", "linear", "finetune", "joint")}
    for c in streams.values():
        assert c.train.steps == 0 and c.eval.protocols == ["class_incremental"]
        assert c.eval.world.label == "sub" and c.eval.world.seed != c.data.world.seed  # new images, new classes
        assert "eval/class_incremental/forgetting" in image_metric_names(c)
    assert _cfg(exp, "ncm", "pretrain").data.world.label == "super"
    assert {c.metric for c in exp.claims} == {"eval/class_incremental/acc", "eval/class_incremental/forgetting"}
    assert {tuple(c.arms) for c in exp.claims if c.role == "primary"} == {("ncm", "finetune"), ("ncm", "linear")}
    (joint,) = [c for c in exp.claims if "joint" in c.arms]
    assert joint.kind == "noninferior" and joint.better == "higher" and joint.margin > 0  # one-sided gap
    assert all(c.chance == 1 / 12 for c in exp.claims if c.metric.endswith("/acc"))


def _shrink(exp: dict, steps: int, worlds: list[dict]) -> dict:
    exp["claims"], exp["seeds"] = [], [0]
    exp["base"]["train"].update({"steps": steps, "threads": 1, "progress": False, "warmup_steps": 2})
    exp["base"]["eval"]["report"] = False
    for w in worlds:
        w.update({"n_train": 192, "n_val": 48, "n_test": 48})
    return exp


@pytest.mark.slow
def test_tiny_chains_run(tmp_path):
    from pretrainlab.experiments.run import run_experiment

    lk = recipe_experiment("look", "tiny")
    for arm in lk["arms"].values():
        arm["stages"][-1]["overrides"]["eval.world"].update({"n_train": 192, "n_val": 48, "n_test": 48})
    lk["arms"]["look"]["stages"][0]["overrides"]["objective"]["bank_size"] = 192
    lk = _shrink(lk, 10, [lk["base"]["data"]["world"]])
    res, _ = run_experiment(build_experiment(lk), tmp_path / "look", report=False)
    for arm in ("ce", "look"):
        assert 0.0 <= res[arm]["transfer"]["0"]["eval/linear/top1"] <= 1.0
        assert 0.0 <= res[arm]["pretrain"]["0"]["eval/linear/top1"] <= 1.0

    nc = recipe_experiment("nmc-cl", "tiny")
    nc["arms"] = {a: nc["arms"][a] for a in ("ncm", "finetune")}
    for arm in nc["arms"].values():
        ov = arm["stages"][-1]["overrides"]
        ov["eval.world"] = {**ov["eval.world"], "n_train": 192, "n_val": 48, "n_test": 48}
        ov["eval.ci_epochs"] = 1
    nc = _shrink(nc, 10, [nc["base"]["data"]["world"]])
    res, _ = run_experiment(build_experiment(nc), tmp_path / "nmc", report=False)
    ncm, ft = res["ncm"]["stream"]["0"], res["finetune"]["stream"]["0"]
    assert 0.0 < ncm["eval/class_incremental/acc"] <= 1.0 and 0.0 <= ft["eval/class_incremental/acc"] <= 1.0
    assert all(0.0 <= r[f"eval/class_incremental/{m}"] <= 1.0 for r in (ncm, ft) for m in ("avg_inc_acc", "forgetting"))
