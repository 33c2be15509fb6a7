"""The table plug-in through run/execute.py: a pretraining run, resume, a fine-tune stage with init_from,
a user's CSV file as the held-out table, and config errors that name the key."""

import json

import pytest
import torch
from safetensors.torch import load_file

from pretrainlab.config import ConfigError
from pretrainlab.modalities import MODALITIES, metric_names
from pretrainlab.run.execute import execute
from pretrainlab.run_config import build_run_config
from pretrainlab.train.callbacks import Callback

WORLD = {"n_pretrain_tables": 4, "pretrain_rows": 32, "n_downstream_tables": 2, "downstream_train_rows": 32,
         "downstream_test_rows": 24}


def _cfg(**over) -> dict:
    cfg = {"name": "tab", "modality": "table", "data": {"world": WORLD},
           "train": {"steps": 4, "batch_size": 8, "warmup_steps": 1, "threads": 1, "progress": False, "log_every": 2,
                     "ckpt_every": 2, "dtype": "fp32"},
           "eval": {"row_counts": [8, 16], "finetune_min_steps": 3, "finetune_epochs": 1, "report": False}}
    for key, value in over.items():
        section, _, field = key.partition("__")
        cfg[section] = {**cfg.get(section, {}), field: value} if field else value
    return cfg


class Crash(Callback):
    def on_step_end(self, trainer, metrics):
        if trainer.state.step == 3:
            raise KeyboardInterrupt


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    out = tmp_path_factory.mktemp("table") / "pre"
    cfg = build_run_config(_cfg())
    return out, cfg, execute(cfg, out)


def test_run_end_to_end_writes_every_declared_metric(pretrained):
    out, cfg, summary = pretrained
    assert MODALITIES.get("table").Config is type(cfg)
    assert metric_names(cfg) <= set(summary) and summary["rows"] == 32 and summary["step"] == 4
    assert summary["eval/masked/loss"] > 0 and 0 <= summary["eval/downstream/n8/auc"] <= 1
    ckpt = out / "checkpoints" / "step_000004"
    assert json.loads((ckpt / "model_config.json").read_text())["family"] == "tabunit"
    assert "words" in json.loads((ckpt / "vocab.json").read_text())
    assert any(k.startswith("objective.masked.cat_head") for k in load_file(str(ckpt / "model.safetensors")))


def test_resume_is_bit_identical(pretrained, tmp_path):
    out, cfg, summary = pretrained
    with pytest.raises(KeyboardInterrupt):
        execute(cfg, tmp_path / "cut", extra_callbacks=[Crash()])
    resumed = execute(cfg, tmp_path / "cut", resume=True)
    assert resumed["train/loss"] == summary["train/loss"]
    a = load_file(str(out / "checkpoints/step_000004/model.safetensors"))
    b = load_file(str(tmp_path / "cut/checkpoints/step_000004/model.safetensors"))
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_finetune_stage_starts_from_the_pretrained_weights(pretrained, tmp_path):
    out, _, summary = pretrained
    again = execute(build_run_config(_cfg(train__steps=0, train__init_from=str(out))), tmp_path / "ft")
    assert again["eval/masked/loss"] == pytest.approx(summary["eval/masked/loss"], abs=1e-6)
    assert again["eval/downstream/n8/auc"] == pytest.approx(summary["eval/downstream/n8/auc"], abs=1e-6)
    gbdt = execute(build_run_config(_cfg(train__steps=0, eval__learner="gbdt", eval__masked=False)), tmp_path / "g")
    assert {"eval/downstream/n16/auc", "eval/downstream/auc_drop"} <= set(gbdt) and "eval/masked/loss" not in gbdt
    with pytest.raises(ValueError, match="train.init_from.*does not match"):
        execute(build_run_config(_cfg(train__steps=0, train__init_from=str(out), model={"preset": "small"})),
                tmp_path / "bad")


def test_user_csv_as_held_out_table(tmp_path):
    rows = [f"{20 + i % 30},{['basic', 'gold'][i % 2]},{i * 1.5},{['no', 'yes'][i % 3 == 0]}" for i in range(60)]
    lines = ["age,plan,spend,churned", *rows]
    (tmp_path / "mine.csv").write_text("\n".join(lines) + "\n")
    cfg = _cfg(train__steps=0, eval__csv={"path": str(tmp_path / "mine.csv"), "target": "churned"},
               eval__row_counts=[8, 32])
    summary = execute(build_run_config(cfg), tmp_path / "csv")
    assert 0 <= summary["eval/downstream/n32/auc"] <= 1


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError, match="unknown key 'objective.mask_ratoi'.*did you mean 'objective.mask_ratio'"):
        build_run_config(_cfg(objective={"mask_ratoi": 0.5}))
    with pytest.raises(ConfigError, match="model.preset: unknown preset 'tiny'"):
        build_run_config(_cfg(model={"preset": "tiny"}))
    with pytest.raises(ConfigError, match="eval.row_counts: 64 rows > the 32 rows"):
        build_run_config(_cfg(eval__row_counts=[64]))
    with pytest.raises(ConfigError, match="masked_weight .0.0. and contrastive_weight .0.0."):
        build_run_config(_cfg(objective={"masked_weight": 0.0, "contrastive_weight": 0.0}))
    with pytest.raises(ConfigError, match="eval.learner"):
        build_run_config(_cfg(eval__learner="xgboost"))


def test_evaluate_run_repeats_the_final_evaluation(pretrained):
    from rich.console import Console

    out, _, summary = pretrained
    again = MODALITIES.get("table")().evaluate_run(out, "cpu", Console(quiet=True))
    for key in ("eval/masked/loss", "eval/downstream/n16/auc", "eval/downstream/auc_drop"):
        assert again[key] == pytest.approx(summary[key], abs=1e-6)
