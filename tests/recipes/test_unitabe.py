"""unitabe recipe: the experiment validates and plans at both sizes, the arms differ only where they should,
the claims are the pre-registered ones, and (slow) one tiny pretrain -> finetune chain runs end to end."""

from __future__ import annotations

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.modalities import metric_names
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.run_config import build_run_config


def _cfg(exp, arm: str, stage: str, seed: int = 0):
    st = next(s for s in exp.arm_stages(arm) if s.name == stage)
    return build_run_config(exp.stage_config(arm, st, seed))


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_unitabe_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("unitabe", size))
    seeds = len(exp.seeds)
    assert seeds == {"tiny": 3, "full": 5}[size]
    assert len(build_plan(exp, tmp_path).jobs) == seeds * (2 + 1 + 1)  # pretrain + finetune, scratch, gbdt
    pre = _cfg(exp, "pretrained", "pretrain")
    ft = {arm: _cfg(exp, arm, "finetune") for arm in exp.arms}
    assert pre.train.steps > 0 and pre.eval.row_counts == [] and pre.modality == "table"
    assert all(c.train.steps == 0 and c.eval.row_counts == [32, 128, 512] for c in ft.values())
    assert [ft[a].eval.learner for a in ("pretrained", "scratch", "gbdt")] == ["finetune", "finetune", "gbdt"]
    assert exp.arm_stages("pretrained")[-1].init_from == "pretrain" and exp.arm_stages("scratch")[0].init_from is None
    assert ft["pretrained"].model == ft["scratch"].model and ft["pretrained"].objective == ft["scratch"].objective
    assert ft["pretrained"].data == ft["gbdt"].data == pre.data  # the same world, held-out tables included
    claims = {c.name: c for c in exp.claims}
    (primary,) = [c for c in exp.claims if c.role == "primary"]
    assert primary.arms == ["pretrained", "scratch"] and primary.metric == "eval/downstream/n32/auc"
    (premise,) = primary.requires
    assert claims[premise].role == "premise" and claims[premise].kind == "less" and claims[premise].min_effect > 0
    gain = claims["the gain is largest at the lowest row count"]
    assert gain.kind == "less" and gain.metric == "eval/downstream/auc_drop" and gain.requires == [premise]
    assert {c.margin for c in exp.claims if c.kind == "noninferior"} == {0.02}
    assert all(c.metric in metric_names(ft[c.arms[0]]) for c in exp.claims)
    assert get_recipe("unitabe").NAME == "unitabe"


@pytest.mark.slow
def test_tiny_chain_runs(tmp_path):
    from pretrainlab.experiments.run import run_experiment

    exp = recipe_experiment("unitabe", "tiny")
    exp["claims"], exp["seeds"], exp["metrics"] = [], [0], []
    exp["base"]["train"].update({"steps": 3, "threads": 1, "progress": False, "warmup_steps": 1})
    exp["base"]["eval"].update({"report": False, "row_counts": [32], "finetune_min_steps": 2, "finetune_epochs": 1})
    exp["base"]["data"]["world"].update({"n_pretrain_tables": 4, "n_downstream_tables": 1})
    result = run_experiment(build_experiment(exp), tmp_path)
    assert result is not None
