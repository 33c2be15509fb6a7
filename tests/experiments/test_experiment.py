"""Experiments: planning (shared stages run once), validation before running, caching, claims."""

import json

import pytest

from pretrainlab.config import ConfigError
from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.experiments.run import run_experiment
from pretrainlab.recipes import recipe_config

FAST = {"train.steps": 4, "train.warmup_steps": 1, "train.log_every": 2, "eval.max_items": 4,
        "eval.generations": 0, "eval.report": False, "eval.val_tokens": 1024}


def staged(**kw):
    data = {
        "name": "toy",
        "base": recipe_config("quickstart", "tiny"),
        "arms": {
            "low": {"overrides": {"train.lr": 1e-3}},
            "high": {"overrides": {"train.lr": 3e-3}},
        },
        "seeds": [0, 1],
        "stages": [
            {"name": "pretrain", "overrides": FAST},
            {"name": "continue", "init_from": "pretrain", "overrides": {**FAST, "train.steps": 2}},
        ],
        "claims": [{"name": "lr matters", "kind": "less", "metric": "val/loss", "arms": ["high", "low"]}],
    }
    data.update(kw)
    return data


def test_shared_stage_runs_once(tmp_path):
    # Both arms share the pretrain stage (the lr override applies only to the continue stage).
    data = staged()
    for arm in data["arms"].values():
        arm["stages"] = [{"name": "pretrain", "overrides": FAST},
                         {"name": "continue", "init_from": "pretrain",
                          "overrides": {**FAST, "train.steps": 2, **arm.pop("overrides")}}]
    plan = build_plan(build_experiment(data), tmp_path)
    assert len(plan.jobs) == 2 * 2 + 2  # 2 seeds x (1 shared pretrain + 2 continues)
    assert plan.index["low", "pretrain", 0] == plan.index["high", "pretrain", 0]
    assert plan.index["low", "pretrain", 0] != plan.index["low", "pretrain", 1]
    cont = plan.job("low", "continue", 0)
    assert cont.deps == [plan.index["low", "pretrain", 0]]
    assert cont.config["train"]["init_from"] == str(plan.job("low", "pretrain", 0).run_dir)


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d["claims"][0].update(arms=["high", "lwo"]), "unknown arm 'lwo' \\(did you mean 'low'\\?\\)"),
    (lambda d: d["claims"][0].update(metric="val/los"), "does not report metric 'val/los' \\(did you mean 'val/loss'\\?\\)"),
    (lambda d: d["claims"][0].update(stage="finetune"), "has no stage 'finetune'"),
    (lambda d: d["stages"][1].update(init_from="pretrian"), "'pretrian' is not an earlier stage"),
    (lambda d: d["arms"]["low"]["overrides"].update({"train.lrr": 1}), "arm 'low' stage 'pretrain': unknown key 'train.lrr'"),
])
def test_bad_experiments_fail_before_running(mutate, match, tmp_path):
    data = staged()
    mutate(data)
    with pytest.raises(ConfigError, match=match):
        build_experiment(data)
    assert not any(tmp_path.iterdir())


def test_run_cache_and_claims(tmp_path):
    exp = build_experiment(staged(workers=2))
    out = tmp_path / "exp"
    results, claims = run_experiment(exp, out, report=False)
    assert set(results) == {"low", "high"} and set(results["low"]) == {"pretrain", "continue"}
    assert set(results["low"]["continue"]) == {"0", "1"}
    c = json.loads((out / "claims.json").read_text())["claims"][0]
    assert c["verdict"] in {"holds", "does not hold", "inconclusive"}
    assert len(c["values"]["low"]) == 2 and c["pairs"][0]["n"] == 2
    # the continued run started from its pretrain checkpoint
    cont_dir = results["low"]["continue"]["0"]["run_dir"]
    assert "init_from" in (tmp_path / cont_dir / "config.yaml").read_text()
    # re-running skips every finished run
    mtimes = {p: p.stat().st_mtime for p in out.glob("runs/*/summary.json")}
    run_experiment(exp, out, report=False)
    assert mtimes == {p: p.stat().st_mtime for p in out.glob("runs/*/summary.json")}
