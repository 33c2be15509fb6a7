"""sspt recipe: the experiment validates and plans at both sizes, the arms differ only in their pretraining
tasks, fine-tunes start from their own arm's pretraining, and (slow) the tiny chain runs end to end."""

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
def test_sspt_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("sspt", size))
    seeds = len(exp.seeds)
    assert seeds == {"tiny": 3, "full": 5}[size]
    assert len(build_plan(exp, tmp_path).jobs) == seeds * (3 + 4)  # 3 pretrainings, 4 fine-tunes
    tasks = {arm: _cfg(exp, arm, "pretrain").objective for arm in ("ma", "identity", "both")}
    assert (tasks["ma"].ma, tasks["ma"].stock, tasks["ma"].sector) == (1.0, 0.0, 0.0)
    assert (tasks["identity"].ma, tasks["identity"].stock, tasks["identity"].sector) == (0.0, 1.0, 1.0)
    assert (tasks["both"].ma, tasks["both"].stock, tasks["both"].sector) == (1.0, 1.0, 1.0)
    assert all(t.direction == 0.0 for t in tasks.values())
    assert _cfg(exp, "both", "pretrain").data.period == "pretrain"
    fts = {arm: _cfg(exp, arm, "finetune") for arm in exp.arms}
    ref = fts["scratch"]
    for arm, ft in fts.items():  # identical fine-tuning in every arm
        assert (ft.objective, ft.train.steps, ft.train.lr, ft.data, ft.model, ft.eval) == \
               (ref.objective, ref.train.steps, ref.train.lr, ref.data, ref.model, ref.eval), arm
    assert ref.data.period == "train" and ref.objective.direction == 1.0
    assert exp.arm_stages("scratch")[0].init_from is None
    assert all(exp.arm_stages(a)[-1].init_from == "pretrain" for a in ("ma", "identity", "both"))
    assert ref.data.world.seed is None  # each seed is another market, shared by the arms of that seed
    claims = {c.name: c for c in exp.claims}
    (primary,) = [c for c in exp.claims if c.role == "primary"]
    assert primary.arms == ["both", "scratch"] and primary.metric == "eval/trading/sharpe"
    (premise,) = [c for c in exp.claims if c.role == "premise"]
    assert premise.kind == "above" and premise.value == 0.5 and premise.metric == "eval/baseline/linear_accuracy"
    assert all(premise.name in c.requires for c in exp.claims if c.role in ("primary", "secondary"))
    assert claims["SSPT beats scratch (direction accuracy)"].chance == 0.5
    assert get_recipe("sspt").NAME == "sspt"


@pytest.mark.slow
def test_tiny_chain_runs(tmp_path):
    from pretrainlab.experiments.run import run_experiment

    exp = recipe_experiment("sspt", "tiny")
    exp["arms"] = {a: exp["arms"][a] for a in ("scratch", "both")}
    exp["claims"], exp["seeds"] = [], [0]
    exp["base"]["train"].update({"steps": 2, "threads": 1, "progress": False, "warmup_steps": 1})
    exp["base"]["eval"]["report"] = False
    for stage in exp["arms"]["both"]["stages"]:
        stage.get("overrides", {}).update({"train.steps": 2, "train.warmup_steps": 1})
    res, _ = run_experiment(build_experiment(exp), tmp_path / "sspt", report=False)
    assert set(res["both"]) == {"pretrain", "finetune"}
    for arm in ("scratch", "both"):
        s = res[arm]["finetune"]["0"]
        assert 0.0 <= s["eval/direction/accuracy"] <= 1.0 and "eval/trading/sharpe" in s
