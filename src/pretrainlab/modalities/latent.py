"""The latent modality: maximum-likelihood pretraining of a latent-variable model (a Gaussian mixture) on m
unlabeled vectors, then downstream ERM on its posterior with n labels (``modality: latent``; config:
modalities/latent_config.py; METHODS-2 #35, "On the Provable Advantage of Unsupervised Pretraining").

Run directory (as for every run)::

    config.yaml, metrics.jsonl, summary.json, plots/*.png, report.md, report.html
    checkpoints/step_N/   model.safetensors (``gmm.means``, ``gmm.log_var``, ``gmm.mix_logits``),
                          model_config.json (family gmm), optimizer.pt, trainer_state.json, rng.pt
    data/                 the world cache (``latent_<kind>_<fingerprint>.npz``), unless data_root is given

A fresh run seeds the mixture with k-means++ on the unlabeled pool (``model.init``) or loads
``train.init_from``; the trainer then minimises the mean NLL (objectives/gmm_nll.py) over minibatches of
the pool. Batch (step, micro) is a pure function of (seed, step, micro): positions ``step * B + j`` walk
seeded per-epoch permutations of the m points. The final evaluation (eval/latent/) scores the fit and the
downstream pipelines on the held-out test set only. Single-process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from rich.console import Console
from torch import nn

from pretrainlab import checkpoint as ckpt
from pretrainlab.eval.latent import PIPELINES, downstream, fit_metrics, slopes
from pretrainlab.modalities.image import sample_indices
from pretrainlab.modalities.latent_config import LatentRunConfig, latent_metric_names
from pretrainlab.models.gmm import GaussianMixture, GMMConfig
from pretrainlab.objectives.gmm_nll import GMMNLL
from pretrainlab.runtime import pick_device
from pretrainlab.worlds.latent import LatentData, build_latent_world


class LatentTask(nn.Module):
    """The mixture and its objective as one module (one state dict)."""

    family = "gmm"

    def __init__(self, gmm: GaussianMixture, objective: nn.Module):
        super().__init__()
        self.gmm, self.objective, self.cfg = gmm, objective, gmm.cfg


def call_objective(task: LatentTask, batch: dict):
    task = getattr(task, "module", task)  # DDP-style wrappers
    return task.objective(task.gmm, batch)


def build_task(cfg: LatentRunConfig, data: LatentData, device: torch.device) -> LatentTask:
    torch.manual_seed(cfg.seed)
    gcfg = GMMConfig(dim=data.dim, components=cfg.model.resolved_components(), min_var=cfg.model.min_var)
    return LatentTask(GaussianMixture(gcfg), GMMNLL()).to(device)


def fresh(cfg: LatentRunConfig, data: LatentData, task: LatentTask, console: Console) -> None:
    """A new run's start: ``train.init_from`` weights, else k-means++ (or random) seeding on the pool."""
    mc = cfg.model
    if cfg.train.init_from:
        ckpt.load_weights(task, ckpt.resolve_checkpoint(cfg.train.init_from))
        console.print(f"initialised from {cfg.train.init_from}")
        return
    x = data.unlabeled[:mc.init_max_points]
    if mc.init == "kmeans++":
        task.gmm.kmeans_init(x, cfg.seed, mc.init_restarts, mc.init_iters)
        return
    rng = np.random.default_rng([cfg.seed, 7])
    idx = rng.choice(len(x), size=task.gmm.cfg.components, replace=len(x) < task.gmm.cfg.components)
    with torch.no_grad():
        task.gmm.means.copy_(torch.as_tensor(x[idx]))
        task.gmm.log_var.zero_()
        task.gmm.mix_logits.zero_()


def make_get_batch(cfg: LatentRunConfig, data: LatentData, device: torch.device):
    tc = cfg.train
    per = tc.batch_size // tc.grad_accum
    pool = torch.as_tensor(data.unlabeled)

    def get_batch(step: int, micro: int) -> dict:
        idx = sample_indices(cfg.seed, step, tc.batch_size, len(pool))[micro * per:(micro + 1) * per]
        return {"x": pool[torch.from_numpy(idx)].to(device), "step": step}

    return get_batch


@torch.no_grad()
def _apply(gmm: GaussianMixture, x: np.ndarray, fn: str, device: torch.device, chunk: int = 8192) -> np.ndarray:
    out = [getattr(gmm, fn)(torch.as_tensor(x[i:i + chunk], device=device)).double().cpu().numpy()
           for i in range(0, len(x), chunk)]
    return np.concatenate(out)


def evaluate_latent(cfg: LatentRunConfig, data: LatentData, gmm: GaussianMixture, device: torch.device) -> dict:
    """The fit metrics, the Bayes risk and the downstream sweep (eval/latent/), on the test set."""
    gmm.eval()
    ec = cfg.eval
    post_test = _apply(gmm, data.test_x, "forward", device)
    out = fit_metrics(_apply(gmm, data.test_x, "log_prob", device),
                      _apply(gmm, data.unlabeled[:ec.nll_max_points], "log_prob", device), post_test,
                      data.test_x, data.test_y, data.test_z, data.truth, data.num_classes)
    cache = {id(data.test_x): post_test}

    def features(x: np.ndarray) -> np.ndarray:
        return cache[id(x)] if id(x) in cache else _apply(gmm, x, "forward", device)

    out.update(downstream(features, data.pool_x, data.pool_y, data.test_x, data.test_y, data.num_classes,
                          list(ec.n_labeled), ec.c, ec.mlp_hidden, ec.mlp_alpha, seed=cfg.seed))
    out.update(slopes(out, (*PIPELINES, "supervised"), list(ec.n_labeled)))
    return out


class LatentModality:
    """Maximum-likelihood Gaussian-mixture pretraining on unlabeled vectors, downstream ERM on its posterior
    (modality: latent)."""

    name: ClassVar[str] = "latent"
    Config: ClassVar[type] = LatentRunConfig
    unit: ClassVar[str] = "points"
    distributed: ClassVar[bool] = False

    def prepare(self, cfg: LatentRunConfig, root: Path, console: Console) -> LatentData:
        with console.status("building latent world"):
            return build_latent_world(cfg.data.world, cfg.seed, root)

    def build(self, cfg: LatentRunConfig, data: LatentData, device: torch.device) -> LatentTask:
        return build_task(cfg, data, device)

    def start(self, cfg: LatentRunConfig, data: LatentData, task: LatentTask, optimizer, console: Console) -> None:
        fresh(cfg, data, getattr(task, "module", task), console)

    def batches(self, cfg: LatentRunConfig, data: LatentData, task: LatentTask, run):
        return make_get_batch(cfg, data, run.device)

    def flops(self, cfg, data, task) -> None:
        return None

    def loss(self, cfg: LatentRunConfig, task: LatentTask):
        return call_objective

    def units_per_step(self, cfg: LatentRunConfig) -> int:
        return cfg.train.batch_size

    def callbacks(self, cfg, data, task, run) -> list:
        return []

    def checkpoint_files(self, cfg, data, task) -> dict:
        return {}

    def evaluate(self, cfg: LatentRunConfig, data: LatentData, task: LatentTask, run) -> dict:
        with run.console.status("downstream evaluation"):
            summary = evaluate_latent(cfg, data, task.gmm, run.device)
        run.write({"step": run.trainer.state.step, **summary})
        return summary

    def provenance(self, cfg: LatentRunConfig, data: LatentData, run) -> dict:
        return {"data_dir": str(run.data_root), "world": data.fingerprint}

    def facts(self, cfg, data, task: LatentTask, optimizer, run) -> dict:
        return {"params": task.gmm.num_params()}

    def samples(self, cfg, data, task) -> None:
        return None

    def metric_names(self, cfg: LatentRunConfig) -> set[str]:
        return latent_metric_names(cfg)

    def shared_data(self, cfg: LatentRunConfig, root: Path, console: Console) -> str:
        """One world cache (keyed by fingerprint: config and seed) for all runs of an experiment."""
        build_latent_world(cfg.data.world, cfg.seed, root / "latent")
        return str(root / "latent")

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict:
        """The final evaluation again on the newest checkpoint of ``run_dir``."""
        from pretrainlab.config import load_yaml
        from pretrainlab.run_config import build_run_config

        run_dir = Path(run_dir)
        cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
        summary = run_dir / "summary.json"
        root = Path(json.loads(summary.read_text())["data_dir"]) if summary.exists() else run_dir / "data"
        data, dev = build_latent_world(cfg.data.world, cfg.seed, root), pick_device(device)
        task = build_task(cfg, data, dev)
        ckpt.load_weights(task, ckpt.resolve_checkpoint(run_dir))
        return evaluate_latent(cfg, data, task.gmm, dev)
