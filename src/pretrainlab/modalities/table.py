"""The table modality: TabUnit encoders pretrained on many tables, fine-tuned on held-out ones
(``modality: table``; config: modalities/table_config.py; UniTabE, METHODS-2 #36).

Run directory (as for other runs)::

    config.yaml, metrics.jsonl, summary.json, plots/*.png, report.md, report.html
    checkpoints/step_N/   model.safetensors (``backbone.*`` and ``objective.*``: masked-cell heads, projector),
                          model_config.json (family = tabunit), vocab.json, optimizer.pt, trainer_state.json
    data/                 the table world cache (``table_<fingerprint>.npz``), unless data_root is given

The batch at (step, micro) is a pure function of (seed, step, micro): rows of the pretraining pool at
positions ``step * B + j`` of seeded per-epoch permutations (data/table_batch.py), cell masks and views
from ``rng_seed``. Evaluation: the masked-cell loss on the held-out tables' test rows and the downstream
protocol (eval/table/) with ``eval.learner`` (finetune the encoder, or GBDT on the same rows).
``train.init_from`` loads a pretraining run's weights (the fine-tune stage of the unitabe recipe:
``train.steps: 0``). Single-process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import ClassVar

import torch
from rich.console import Console
from torch import nn

from pretrainlab import checkpoint as ckpt
from pretrainlab.data.table_batch import batch_seed, gather, sample_rows
from pretrainlab.eval.table import FinetuneSettings, downstream_eval, masked_cell_eval
from pretrainlab.models.tabunit import TabUnit, TabUnitConfig
from pretrainlab.modalities.table_config import TableRunConfig, table_metric_names
from pretrainlab.objectives.unitabe import UniTabE
from pretrainlab.runtime import pick_device
from pretrainlab.worlds.table import TableData, build_table_world


class TableTask(nn.Module):
    """Backbone (TabUnit) + pretraining objective as one module: one state dict, one optimizer."""

    family = "tabunit"

    def __init__(self, backbone: TabUnit, objective: UniTabE):
        super().__init__()
        self.backbone, self.objective, self.cfg = backbone, objective, backbone.cfg


def call_objective(task: TableTask, batch: dict):
    return task.objective(task.backbone, batch)


def build_task(cfg: TableRunConfig, vocab_size: int, device) -> TableTask:
    torch.manual_seed(cfg.seed)
    backbone = TabUnit(TabUnitConfig.preset(cfg.model.preset, vocab_size=vocab_size, **cfg.model.overrides()))
    o = cfg.objective
    objective = UniTabE(backbone.cfg.dim, vocab_size, o.masked_weight, o.contrastive_weight, o.mask_ratio,
                        o.view_keep, o.temperature, o.proj_dim)
    return TableTask(backbone, objective).to(device)


def init_from(cfg: TableRunConfig, task: TableTask, optimizer, console: Console) -> None:
    """A fresh run's start: all weights (encoder and pretraining heads) of ``train.init_from``."""
    if not cfg.train.init_from:
        return
    src = ckpt.resolve_checkpoint(cfg.train.init_from)
    try:
        ckpt.load_weights(task, src)
    except ValueError as e:
        raise ValueError(f"train.init_from: {e}; the fine-tune run needs the pretraining run's model and objective "
                         "settings (model.*, objective.*)") from None
    if cfg.train.init_optimizer:
        ckpt.load_optimizer(optimizer, src, task)
    console.print(f"initialised from {src}")


def settings(cfg: TableRunConfig) -> FinetuneSettings:
    e = cfg.eval
    return FinetuneSettings(e.finetune_lr, e.finetune_weight_decay, e.finetune_batch_size, e.finetune_epochs,
                            e.finetune_min_steps)


def evaluate_table(cfg: TableRunConfig, data: TableData, task: TableTask, device) -> tuple[dict, list[dict]]:
    """Summary keys (``eval/masked/*``, ``eval/downstream/*``) and per-table rows for metrics.jsonl."""
    t0, out, rows = time.time(), {}, []
    enc = data.downstream
    if cfg.eval.masked and task.objective.masked is not None and len(enc):
        m = masked_cell_eval(task.backbone, task.objective.masked, enc, torch.nonzero(torch.from_numpy(enc.test))
                             .squeeze(1).numpy(), device)
        out.update({f"eval/masked/{k}": v for k, v in m.items()})
    if cfg.eval.row_counts:
        d, rows = downstream_eval(cfg.eval.learner, task.backbone, enc, cfg.eval.row_counts, settings(cfg), cfg.seed,
                                  device)
        out.update(d)
    out["time/eval_s"] = time.time() - t0
    return out, rows


class TableModality:
    """TabUnit encoders on the table world or your CSV files; UniTabE pretraining, fine-tuning on held-out
    tables at several row counts, GBDT baseline (modality: table)."""

    name: ClassVar[str] = "table"
    Config: ClassVar[type] = TableRunConfig
    unit: ClassVar[str] = "rows"
    distributed: ClassVar[bool] = False

    def prepare(self, cfg: TableRunConfig, root: Path, console: Console) -> TableData:
        with console.status("building table world"):
            return build_table_world(cfg.data.world, root, cfg.data.csv, cfg.eval.csv)

    def build(self, cfg: TableRunConfig, data: TableData, device: torch.device) -> TableTask:
        return build_task(cfg, len(data.vocab), device)

    def start(self, cfg: TableRunConfig, data, task: TableTask, optimizer, console: Console) -> None:
        init_from(cfg, task, optimizer, console)

    def batches(self, cfg: TableRunConfig, data: TableData, task: TableTask, run):
        tc, enc, device = cfg.train, data.pretrain, run.device
        pool = torch.nonzero(torch.from_numpy(~enc.test)).squeeze(1).numpy()
        per = tc.batch_size // tc.grad_accum

        def get_batch(step: int, micro: int) -> dict:
            rows = sample_rows(cfg.seed, step, tc.batch_size, pool)[micro * per:(micro + 1) * per]
            return {**gather(enc, rows, device), "rng_seed": batch_seed(cfg.seed, step, micro)}

        return get_batch

    def flops(self, cfg, data, task) -> None:
        return None

    def loss(self, cfg: TableRunConfig, task: TableTask):
        return call_objective

    def units_per_step(self, cfg: TableRunConfig) -> int:
        return cfg.train.batch_size

    def callbacks(self, cfg: TableRunConfig, data: TableData, task: TableTask, run) -> list:
        return []

    def checkpoint_files(self, cfg: TableRunConfig, data: TableData, task: TableTask) -> dict:
        return {"vocab.json": json.dumps(data.vocab.to_json())}

    def evaluate(self, cfg: TableRunConfig, data: TableData, task: TableTask, run) -> dict:
        with run.console.status("table evaluation"):
            summary, rows = evaluate_table(cfg, data, task, run.device)
        step = run.trainer.state.step
        for r in rows:
            run.write({"step": step, **{f"eval/table{r['table']}/n{r['rows']}/{m}": r[m] for m in ("auc", "acc")}})
        run.write({"step": step, **{k: v for k, v in summary.items() if k.startswith("eval/")}})
        return summary

    def provenance(self, cfg: TableRunConfig, data: TableData, run) -> dict:
        return {"data_dir": str(run.data_root), "world": data.fingerprint}

    def facts(self, cfg: TableRunConfig, data: TableData, task: TableTask, optimizer, run) -> dict:
        return {"params": task.backbone.num_params()}

    def samples(self, cfg, data, task) -> None:
        return None

    def metric_names(self, cfg: TableRunConfig) -> set[str]:
        return table_metric_names(cfg)

    def shared_data(self, cfg: TableRunConfig, root: Path, console: Console) -> str:
        """One world cache (keyed by fingerprint) for all runs of an experiment."""
        build_table_world(cfg.data.world, root / "tables", cfg.data.csv, cfg.eval.csv)
        return str(root / "tables")

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict:
        """The final evaluation again on a run's newest checkpoint."""
        from pretrainlab.config import load_yaml
        from pretrainlab.run_config import build_run_config

        run_dir = Path(run_dir)
        cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
        summary = run_dir / "summary.json"
        root = Path(json.loads(summary.read_text())["data_dir"]) if summary.exists() else run_dir / "data"
        data, dev = self.prepare(cfg, root, console), pick_device(device)
        task = self.build(cfg, data, dev)
        ckpt.load_weights(task, ckpt.resolve_checkpoint(run_dir))
        return evaluate_table(cfg, data, task, dev)[0]
