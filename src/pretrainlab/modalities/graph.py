"""The graph modality: GIN pretraining (attribute masking, context prediction, graph-level supervised) on the
molecule-like graph world or your JSONL graphs, and fine-tuning on the downstream scaffold split
(``modality: graph``; config: modalities/graph_config.py). Hu et al., ICLR 2020, arXiv 1905.12265.

Run directory (as for text and image runs)::

    config.yaml, metrics.jsonl, summary.json, plots/*.png, report.md, report.html
    checkpoints/step_N/   model.safetensors (``backbone.*``: the GIN; ``objective.*``: heads, context GIN),
                          model_config.json (family gin), graph_world.json (vocabularies, task names), ...
    data/                 the graph world cache (``graph_<kind>_<fingerprint>.npz``), unless data_root is given

The batch at (step, micro) is a pure function of (seed, step, micro): graph positions ``step * B + j`` walk
seeded per-epoch permutations of the training split (``data.split``); masks and context centres are pure
functions of (seed, step, graph index) inside the objectives. ``train.init_from`` loads the whole task when
the source has the same objective and shapes, else only the backbone (pretraining -> next stage). Single
process. ``data.source`` picks the pretraining graphs among ``data.world.sources`` (graph_sources.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from rich.console import Console
from torch import nn

from pretrainlab import checkpoint as ckpt
from pretrainlab.eval.graph import FinetuneSettings, finetune, multitask_auc, transfer_vs_reference
from pretrainlab.eval.graph.finetune import graph_features
from pretrainlab.modalities.graph_config import GraphRunConfig, gin_config, graph_metric_names, objective_params
from pretrainlab.modalities.graph_sources import choose_pool
from pretrainlab.models.gin import GIN
from pretrainlab.runtime import pick_device
from pretrainlab.worlds.graph import GraphData, build_graph_world, collate, to_device

HELD_OUT = {"pool": "pool_val", "sup": "sup_val", "train": "val"}
EVAL_STEP = 2**31 - 1
"""The ``step`` of the held-out pretraining evaluation's masks and centres (fixed: the same for every run)."""


class GraphTask(nn.Module):
    """GIN backbone + objective as one module: one state dict, one optimizer."""

    family = "gin"

    def __init__(self, backbone: GIN, objective: nn.Module):
        super().__init__()
        self.backbone, self.objective, self.cfg = backbone, objective, backbone.cfg

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [*self.backbone.parameters(), *self.objective.trainable_parameters()]


def call_objective(task: GraphTask, batch: dict):
    return task.objective(task.backbone, batch)


def build_task(cfg: GraphRunConfig, data: GraphData, device: torch.device) -> GraphTask:
    torch.manual_seed(cfg.seed)
    backbone = GIN(gin_config(cfg.model, data.node_vocab, data.edge_vocab))  # first: the scratch reference's init
    name, cls, params = objective_params(cfg.objective)
    if name == "graph_supervised":
        params["num_tasks"] = data.splits[cfg.data.split].labels.shape[1]
    return GraphTask(backbone, cls(backbone, seed=cfg.seed, **params)).to(device)


@lru_cache(maxsize=4)
def _epoch_perm(seed: int, epoch: int, n: int) -> np.ndarray:
    return np.random.default_rng([seed, epoch]).permutation(n)


def sample_indices(seed: int, step: int, batch_size: int, n: int) -> np.ndarray:
    """Graph indices of step ``step``: positions ``step * B + j`` through seeded per-epoch permutations."""
    pos = step * batch_size + np.arange(batch_size)
    return np.array([_epoch_perm(seed, int(p // n), n)[p % n] for p in pos], dtype=np.int64)


def make_get_batch(cfg: GraphRunConfig, split, device: torch.device):
    tc = cfg.train
    per = tc.batch_size // tc.grad_accum

    def get_batch(step: int, micro: int) -> dict:
        idx = sample_indices(cfg.seed, step, tc.batch_size, len(split))[micro * per:(micro + 1) * per]
        return {**to_device(collate(split, idx), device), "step": step}

    return get_batch


def init_from(task: GraphTask, optimizer, src: Path, with_optimizer: bool) -> None:
    """The whole task when the source's state dict matches (same objective and heads), else the backbone."""
    from safetensors.torch import load_file

    sd = load_file(str(src / "model.safetensors"))
    own = task.state_dict()
    if set(sd) == set(own) and all(sd[k].shape == own[k].shape for k in sd):
        ckpt.load_weights(task, src)
        if with_optimizer:
            ckpt.load_optimizer(optimizer, src, task)
        return
    backbone = {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")}
    task.backbone.load_state_dict(backbone)  # strict: a different GIN shape is an error, not a silent skip


@torch.no_grad()
def pretrain_metrics(cfg: GraphRunConfig, task: GraphTask, data: GraphData, device) -> dict:
    """The training objective on the held-out graphs of ``data.split`` (``eval/pretrain/...``)."""
    split, name = data.splits[HELD_OUT[cfg.data.split]], cfg.objective["name"]
    task.eval()
    sums, n = {}, 0
    scores = []
    for i in range(0, len(split), cfg.eval.batch_size):
        idx = np.arange(i, min(i + cfg.eval.batch_size, len(split)))
        batch = {**to_device(collate(split, idx), device), "step": EVAL_STEP}
        loss, metrics = task.objective(task.backbone, batch)
        for k, v in {"loss": loss, **metrics}.items():
            sums[k] = sums.get(k, 0.0) + float(v) * len(idx)
        n += len(idx)
        if name == "graph_supervised":
            scores.append(task.objective.logits(task.backbone, batch).float().cpu().numpy())
    task.train()
    out = {f"eval/pretrain/{k}": v / n for k, v in sums.items() if k in ("loss", "acc")}
    if name == "attr_mask":
        out["eval/pretrain/acc_gain"] = (sums["acc"] - sums["majority"]) / n
    if name == "graph_supervised":
        out["eval/pretrain/auc"] = multitask_auc(split.labels, np.concatenate(scores))["auc"]
    return out


def downstream(cfg: GraphRunConfig, backbone: GIN, data: GraphData, device) -> dict:
    """The eval protocols on the scaffold split: ``eval/<protocol>/{auc, val/auc, taskT/auc, ...}``."""
    ec, out = cfg.eval, {}
    splits = {k: data.splits[k] for k in ("train", "val", "test")}
    for p in ec.protocols:
        s = FinetuneSettings(ec.finetune_epochs, ec.finetune_lr, ec.finetune_batch_size, ec.finetune_dropout,
                             ec.batch_size) if p == "finetune" else \
            FinetuneSettings(ec.linear_epochs, ec.linear_lr, ec.finetune_batch_size, 0.0, ec.batch_size, freeze=True)
        r = finetune(backbone, splits, s, cfg.seed, device)
        out.update(flatten(p, r))
        if p == "finetune" and ec.reference:
            if cfg.train.steps == 0 and not cfg.train.init_from:
                ref = r  # this backbone is the fresh one: the reference is this very fine-tuning (gain 0)
            else:
                torch.manual_seed(cfg.seed)  # the scratch arm's backbone: build_task's first draw with this seed
                fresh = GIN(gin_config(cfg.model, data.node_vocab, data.edge_vocab)).to(device)
                ref = finetune(fresh, splits, s, cfg.seed, device)
            t = transfer_vs_reference(r["test"]["per_task"], ref["test"]["per_task"])
            out.update({"eval/finetune/ref_auc": ref["test"]["auc"], "eval/finetune/gain": t["gain"],
                        "eval/finetune/neg_transfer": t["neg_transfer"]})
            out.update({f"eval/finetune/task{i}/gain": g for i, g in enumerate(t["per_task_gain"])})
    return out


def flatten(protocol: str, r: dict) -> dict:
    out = {f"eval/{protocol}/auc": r["test"]["auc"], f"eval/{protocol}/val/auc": r["val"]["auc"],
           f"eval/{protocol}/tasks_skipped": r["test"]["skipped"], f"eval/{protocol}/epoch": r["epoch"]}
    out.update({f"eval/{protocol}/task{i}/auc": a for i, a in enumerate(r["test"]["per_task"])})
    return out


def world_json(data: GraphData) -> str:
    return json.dumps({"node_vocab": data.node_vocab, "edge_vocab": data.edge_vocab, "tasks": data.tasks,
                       "fingerprint": data.fingerprint}, indent=1)


class GraphModality:
    """GIN pretraining and fine-tuning on the graph world or your graphs (modality: graph)."""

    name: ClassVar[str] = "graph"
    Config: ClassVar[type] = GraphRunConfig
    unit: ClassVar[str] = "graphs"
    distributed: ClassVar[bool] = False

    def prepare(self, cfg: GraphRunConfig, root: Path, console: Console) -> GraphData:
        with console.status("building graph world"):
            data = build_graph_world(cfg.data.world, root)
        with console.status("choosing pretraining graphs"):
            data.info = choose_pool(data, cfg.data.world, cfg.data.source, cfg.seed, root, cfg.eval.feasibility)
        return data

    def build(self, cfg: GraphRunConfig, data: GraphData, device: torch.device) -> GraphTask:
        return build_task(cfg, data, device)

    def start(self, cfg: GraphRunConfig, data, task: GraphTask, optimizer, console: Console) -> None:
        if cfg.train.init_from:
            init_from(task, optimizer, ckpt.resolve_checkpoint(cfg.train.init_from), cfg.train.init_optimizer)
            console.print(f"initialised from {cfg.train.init_from}")

    def batches(self, cfg: GraphRunConfig, data: GraphData, task: GraphTask, run):
        return make_get_batch(cfg, data.splits[cfg.data.split], run.device)

    def flops(self, cfg, data, task) -> None:
        return None

    def loss(self, cfg: GraphRunConfig, task: GraphTask):
        return call_objective

    def units_per_step(self, cfg: GraphRunConfig) -> int:
        return cfg.train.batch_size

    def callbacks(self, cfg, data, task, run) -> list:
        return []

    def checkpoint_files(self, cfg: GraphRunConfig, data: GraphData, task: GraphTask) -> dict:
        return {"graph_world.json": world_json(data)}

    def evaluate(self, cfg: GraphRunConfig, data: GraphData, task: GraphTask, run) -> dict:
        summary = {"data/n_train": len(data.splits["train"]), "data/n_test": len(data.splits["test"]),
                   "data/n_tasks": data.n_tasks, **{f"data/{k}": v for k, v in data.info.items()}}
        with run.console.status("graph evaluation"):
            if cfg.train.steps > 0:
                summary.update(pretrain_metrics(cfg, task, data, run.device))
            summary.update(downstream(cfg, task.backbone, data, run.device))
        run.write({"step": run.trainer.state.step, **{k: v for k, v in summary.items() if k.startswith("eval/")}})
        return summary

    def provenance(self, cfg: GraphRunConfig, data: GraphData, run) -> dict:
        return {"data_dir": str(run.data_root), "world": data.fingerprint}

    def facts(self, cfg, data, task: GraphTask, optimizer, run) -> dict:
        return {"params": task.backbone.num_params(),
                "params_trainable": sum(p.numel() for p in task.trainable_parameters())}

    def samples(self, cfg, data, task) -> None:
        return None

    def metric_names(self, cfg: GraphRunConfig) -> set[str]:
        return graph_metric_names(cfg)

    def shared_data(self, cfg: GraphRunConfig, root: Path, console: Console) -> str:
        """One world cache (keyed by fingerprint) for all runs of an experiment."""
        build_graph_world(cfg.data.world, root / "graphs")
        return str(root / "graphs")

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict:
        """The downstream protocols again on a run's newest checkpoint."""
        from pretrainlab.config import load_yaml
        from pretrainlab.run_config import build_run_config

        run_dir = Path(run_dir)
        cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
        dev = pick_device(device)
        summary = run_dir / "summary.json"
        root = Path(json.loads(summary.read_text())["data_dir"]) if summary.exists() else run_dir / "data"
        data = build_graph_world(cfg.data.world, root)
        task = build_task(cfg, data, dev)
        ckpt.load_weights(task, ckpt.resolve_checkpoint(str(run_dir)))
        return downstream(cfg, task.backbone, data, dev)


__all__ = ["GraphModality", "GraphTask", "build_task", "graph_features", "sample_indices"]
