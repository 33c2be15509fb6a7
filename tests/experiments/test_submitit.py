"""Experiments run through submitit (its local executor stands in for Slurm)."""

import json

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.run import run_experiment
from pretrainlab.recipes import recipe_config

pytest.importorskip("submitit")


def test_submitit_local_executor(tmp_path):
    base = recipe_config("quickstart", "tiny")
    exp = build_experiment({
        "name": "sub", "base": base, "seeds": [0], "executor": "submitit",
        "slurm": {"cluster": "local", "timeout_min": 10},
        "arms": {"a": {"overrides": {"train.steps": 3, "eval.max_items": 4, "eval.generations": 0,
                                     "eval.report": False}}},
    })
    results, _ = run_experiment(exp, tmp_path / "exp", report=False)
    summary = results["a"]["pretrain"]["0"]
    assert summary["step"] == 3
    assert any((tmp_path / "exp" / "submitit").iterdir())  # submitit's own job folder
    assert json.loads((tmp_path / "exp" / "results.json").read_text())["a"]
