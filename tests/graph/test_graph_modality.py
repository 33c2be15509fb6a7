"""The graph plug-in through run/execute.py: a pretraining run, resume bit-identical, a fine-tuning stage
from its checkpoint (backbone only under another objective), summary keys = metric_names, the CLI eval."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from pretrainlab.modalities import MODALITIES, metric_names
from pretrainlab.run.execute import execute
from pretrainlab.run.resume import RunError
from pretrainlab.run_config import build_run_config
from pretrainlab.train.callbacks import Callback

WORLD = {"n_train": 30, "n_val": 20, "n_test": 20, "n_pool": 40, "n_pool_val": 10, "n_sup": 40, "n_sup_val": 10,
         "n_tasks": 3}


def config(**over) -> object:
    data = {"modality": "graph", "name": "g", "data": {"world": WORLD, "split": "pool"},
            "objective": {"name": "context_pred"},
            "train": {"steps": 4, "batch_size": 8, "warmup_steps": 1, "ckpt_every": 2, "log_every": 2, "threads": 1,
                      "progress": False, "dtype": "fp32"},
            "eval": {"protocols": ["finetune", "linear"], "finetune_epochs": 1, "linear_epochs": 1, "report": False}}
    for key, value in over.items():
        section, _, field = key.partition("__")
        data[section] = {**data[section], field: value} if field else value
    return build_run_config(data)


class Crash(Callback):
    def on_step_end(self, trainer, metrics):
        if trainer.state.step == 3:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    out = tmp_path_factory.mktemp("graph") / "cp"
    return out, execute(config(), out)


def test_pretraining_run_reports_what_metric_names_promise(pretrained):
    out, summary = pretrained
    assert MODALITIES.get("graph").name == "graph"
    names = metric_names(config())
    assert names <= set(summary), sorted(names - set(summary))
    assert {"eval/pretrain/acc", "eval/finetune/task2/auc", "eval/linear/auc", "train/graphs_per_s"} <= names
    ckpt = out / "checkpoints/step_000004"
    assert json.loads((ckpt / "model_config.json").read_text())["family"] == "gin"
    assert json.loads((ckpt / "graph_world.json").read_text())["node_vocab"] == [9, 3, 4]
    assert any(k.startswith("objective.context_model.") for k in load_file(str(ckpt / "model.safetensors")))


def test_resume_is_bit_identical(pretrained, tmp_path):
    out, summary = pretrained
    with pytest.raises(KeyboardInterrupt):
        execute(config(), tmp_path / "cut", extra_callbacks=[Crash()])
    with pytest.raises(RunError, match="--resume"):
        execute(config(), tmp_path / "cut")
    resumed = execute(config(), tmp_path / "cut", resume=True)
    assert resumed["train/loss"] == summary["train/loss"]
    a = load_file(str(out / "checkpoints/step_000004/model.safetensors"))
    b = load_file(str(tmp_path / "cut/checkpoints/step_000004/model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_finetune_stage_loads_the_backbone_under_another_objective(pretrained, tmp_path):
    out, summary = pretrained
    cfg = config(objective={"name": "graph_supervised"}, data={"world": WORLD, "split": "sup"},
                 train__steps=0, train__init_from=str(out), eval__reference=True)
    again = execute(cfg, tmp_path / "ft")
    assert again["eval/finetune/auc"] == pytest.approx(summary["eval/finetune/auc"], abs=1e-6)
    assert "eval/pretrain/auc" not in again  # nothing trained: no pretraining metrics
    assert metric_names(cfg) <= set(again)
    scratch = execute(config(train__steps=0, eval__reference=True), tmp_path / "scratch")
    assert again["eval/finetune/ref_auc"] == pytest.approx(scratch["eval/finetune/auc"], abs=1e-6)
    assert scratch["eval/finetune/neg_transfer"] == 0.0


def test_cli_eval_reruns_the_protocols(pretrained):
    from pretrainlab.cli import main

    out, summary = pretrained
    assert main(["eval", str(out)]) == 0
    again = json.loads((out / "eval.json").read_text())
    assert again["eval/finetune/auc"] == pytest.approx(summary["eval/finetune/auc"], abs=1e-6)
