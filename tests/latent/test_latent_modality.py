"""The latent plug-in end to end through run/execute.py: summary keys as predicted, resume bit-identical,
re-evaluation of a checkpoint, and config errors that name the key."""

from __future__ import annotations

import json
import math

import pytest
from rich.console import Console

from pretrainlab.config import ConfigError
from pretrainlab.modalities import MODALITIES, metric_names
from pretrainlab.run.execute import execute
from pretrainlab.run_config import build_run_config


def _cfg(**train):
    return build_run_config({
        "name": "latent-test", "modality": "latent", "seed": 1,
        "data": {"world": {"dim": 4, "components": 3, "n_unlabeled": 400, "n_labeled": 30, "label_draws": 1,
                           "n_test": 300}},
        "model": {"preset": "test", "components": 3, "init_restarts": 1},
        "eval": {"n_labeled": [10, 30], "mlp_hidden": 8, "report": False},
        "train": {"steps": 6, "batch_size": 64, "lr": 1e-2, "weight_decay": 0.0, "warmup_steps": 1, "threads": 1,
                  "progress": False, "log_every": 2, "dtype": "fp32", **train}})


def test_run_end_to_end_and_resume(tmp_path):
    quiet = Console(quiet=True)
    full = execute(_cfg(), tmp_path / "full", console=quiet)
    numeric = {k for k, v in full.items() if isinstance(v, (int, float))}
    assert numeric == metric_names(_cfg())
    assert full["step"] == 6 and full["points"] == 6 * 64 and full["params"] == 3 * 4 * 2 + 3
    assert 0.0 <= full["eval/bayes/error"] <= full["eval/pretrained/n30/error"] + 0.2
    assert all(math.isfinite(full[k]) for k in numeric)
    rows = [json.loads(line) for line in (tmp_path / "full" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "train/loss" in r] == [2, 4, 6]

    # a run killed after its step-4 checkpoint, resumed to step 6: the same weights and metrics
    part = tmp_path / "part"
    execute(_cfg(ckpt_every=2, keep_last=5), part, console=quiet)
    import shutil

    shutil.rmtree(part / "checkpoints" / "step_000006")
    (part / "summary.json").unlink()
    resumed = execute(_cfg(ckpt_every=2, keep_last=5), part, resume=True, console=quiet)
    for key in ("train/loss", "eval/gmm/test_nll", "eval/pretrained/n10/error", "eval/gap/n30/logloss"):
        assert resumed[key] == full[key], key

    again = MODALITIES["latent"]().evaluate_run(tmp_path / "full", "cpu", quiet)
    assert again["eval/gmm/test_nll"] == pytest.approx(full["eval/gmm/test_nll"], abs=1e-9)
    assert again["eval/pretrained/n30/error"] == full["eval/pretrained/n30/error"]


def test_steps_zero_evaluates_the_kmeans_seed(tmp_path):
    s = execute(_cfg(steps=0), tmp_path / "r", console=Console(quiet=True))
    assert s["step"] == 0 and math.isfinite(s["eval/gmm/test_nll"])


@pytest.mark.parametrize("override, match", [
    ({"eval": {"n_labeled": [10, 100]}}, r"eval.n_labeled: n=100 exceeds data.world.n_labeled=30"),
    ({"eval": {"n_labeled": [30, 10]}}, "eval.n_labeled must be increasing"),
    ({"model": {"componets": 3}}, r"did you mean 'model.components'"),
    ({"model": {"preset": "huge"}}, r"model.preset"),
    ({"objective": {"name": "mae"}}, r"objective.name"),
    ({"data": {"world": {"kind": "file"}}}, r"data.world.path"),
])
def test_config_errors(override, match):
    base = {"modality": "latent", "data": {"world": {"n_labeled": 30}}, "eval": {"n_labeled": [10, 30]}}
    for key, value in override.items():
        base[key] = {**base.get(key, {}), **value} if key != "data" else value
    with pytest.raises(ConfigError, match=match):
        build_run_config(base)
