"""The series plug-in through run/execute.py: a few steps end to end, pretrain -> fine-tune with init_from,
resume bit-identical, summary keys = metric_names, a CSV world, and config errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from rich.console import Console
from safetensors.torch import load_file

from pretrainlab.config import ConfigError
from pretrainlab.modalities import metric_names
from pretrainlab.run.execute import execute
from pretrainlab.run_config import build_run_config

WORLD = {"n_stocks": 6, "n_sectors": 2, "n_days": 400}


def _cfg(**over) -> dict:
    cfg = {"name": "s", "modality": "series", "data": {"world": dict(WORLD), "window": 8, "ma_horizons": [2, 4]},
           "model": {"preset": "test"}, "objective": {"direction": 1.0}, "eval": {"top_k": 2, "report": False},
           "train": {"steps": 4, "batch_size": 8, "threads": 1, "progress": False, "log_every": 1,
                     "warmup_steps": 1, "dtype": "fp32", "ckpt_every": 0}}
    for key, value in over.items():
        section, name = key.split(".", 1)
        cfg[section][name] = value
    return cfg


def test_pretrain_then_finetune(tmp_path):
    pre_cfg = build_run_config(_cfg(**{"objective.ma": 1.0, "objective.stock": 1.0, "objective.sector": 1.0,
                                       "objective.direction": 0.0, "data.period": "pretrain"}))
    pre = execute(pre_cfg, tmp_path / "pre")
    assert set(pre) - {"name", "data_dir", "world"} == metric_names(pre_cfg)
    assert {"eval/ma/mse", "eval/identity/stock_acc", "eval/identity/sector_acc"} <= set(pre)
    assert "eval/direction/accuracy" not in pre
    ft_cfg = build_run_config(_cfg(**{"train.init_from": str(tmp_path / "pre")}))
    ft = execute(ft_cfg, tmp_path / "ft")
    assert set(ft) - {"name", "data_dir", "world"} == metric_names(ft_cfg)
    assert 0 <= ft["eval/direction/accuracy"] <= 1 and np.isfinite(ft["eval/trading/sharpe"])
    assert 0.5 < ft["eval/baseline/oracle_accuracy"] < 1
    # the fine-tune started from the pretrained encoder: at step 0 its backbone equals the pretrain checkpoint's
    from pretrainlab.modalities.series import SeriesModality, init_from

    mod = SeriesModality()
    data = mod.prepare(ft_cfg, tmp_path / "ft" / "data", Console())
    task = mod.build(ft_cfg, data, torch.device("cpu"))
    init_from(task, None, next((tmp_path / "pre" / "checkpoints").iterdir()), False)
    src = load_file(str(next((tmp_path / "pre" / "checkpoints").iterdir()) / "model.safetensors"))
    torch.testing.assert_close(task.backbone.embed.weight, src["backbone.embed.weight"])
    prep = json.loads((next((tmp_path / "ft" / "checkpoints").iterdir()) / "preprocessing.json").read_text())
    assert prep["window"] == 8 and len(prep["sigma"]) == 6 and prep["periods"]["test"] == [320, 400]
    again = mod.evaluate_run(tmp_path / "ft", "cpu", Console())  # `pretrainlab eval RUN_DIR`
    assert again["eval/trading/sharpe"] == ft["eval/trading/sharpe"]


def test_resume_is_bit_identical(tmp_path):
    """A run interrupted after its step-3 checkpoint and resumed ends exactly like the uninterrupted run."""
    import shutil

    cfg = build_run_config(_cfg(**{"train.steps": 6, "train.ckpt_every": 3}))
    full = execute(cfg, tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    shutil.rmtree(tmp_path / "b" / "checkpoints" / "step_000006")
    (tmp_path / "b" / "summary.json").unlink()
    resumed = execute(cfg, tmp_path / "b", resume=True)
    assert resumed["train/loss"] == full["train/loss"]
    assert resumed["eval/direction/accuracy"] == full["eval/direction/accuracy"]
    a = load_file(str(tmp_path / "a" / "checkpoints" / "step_000006" / "model.safetensors"))
    b = load_file(str(tmp_path / "b" / "checkpoints" / "step_000006" / "model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_csv_world_end_to_end(tmp_path):
    from pretrainlab.worlds.series import SeriesWorldConfig, build_series_world

    d = build_series_world(SeriesWorldConfig(**WORLD), seed=4)
    lines = ["date," + ",".join(d.names)]
    lines += [f"2020-01-01,{','.join(f'{p:.4f}' for p in d.prices[:, 0])}"]
    base = np.datetime64("2020-01-02")
    for t in range(1, d.n_days):
        lines.append(f"{base + t},{','.join(f'{p:.4f}' for p in d.prices[:, t])}")
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n")
    world = {"kind": "csv", "path": str(tmp_path / "p.csv"), "sectors": {d.names[0]: "a", d.names[1]: "b"}}
    cfg = build_run_config(_cfg(**{"data.world": world, "objective.sector": 1.0}))
    out = execute(cfg, tmp_path / "run")
    assert set(out) - {"name", "data_dir", "world"} == metric_names(cfg) and "eval/baseline/oracle_accuracy" not in out


@pytest.mark.parametrize("over, message", [
    ({"objective.direction": 0.0}, "every task weight is 0"),
    ({"objective.ma": -1.0}, "must be >= 0"),
    ({"eval.top_k": 4}, "2k <= data.world.n_stocks=6"),
    ({"model.preset": "tinny"}, "did you mean 'tiny'"),
    ({"data.period": "test"}, "data.period"),
    ({"data.world": {"kind": "csv", "path": "x.csv"}, "objective.sector": 1.0}, "needs sectors"),
    ({"data.world": {"n_sotcks": 3}}, "did you mean 'data.world.n_stocks'"),
])
def test_config_errors(over, message):
    with pytest.raises(ConfigError, match=message):
        build_run_config(_cfg(**over))


def test_too_short_world_names_the_fix(tmp_path):
    from pretrainlab.data.series_windows import WindowError

    cfg = build_run_config(_cfg(**{"data.world": {"n_stocks": 4, "n_sectors": 2, "n_days": 60}, "data.window": 32}))
    with pytest.raises(WindowError, match="use a longer file, a smaller data.window"):
        execute(cfg, tmp_path / "r")
