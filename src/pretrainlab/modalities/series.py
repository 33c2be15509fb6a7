"""The series modality: a transformer encoder over windows of price series (a seeded stock market or your
CSV), SSPT's pretraining tasks (moving-average prediction, stock / sector identity) and next-day direction
fine-tuning, evaluated by accuracy and a long/short trading strategy (``modality: series``; config:
modalities/series_config.py; METHODS-2 #28).

Run directory (as for every run)::

    config.yaml, metrics.jsonl, summary.json, report.md/html
    checkpoints/step_N/   model.safetensors (``backbone.*`` and ``objective.parts.<task>.*`` heads),
                          model_config.json (family series_transformer), preprocessing.json (window,
                          features, per-series sigma, horizons, periods), optimizer.pt, trainer_state.json, rng.pt
    data/series_<kind>_<fingerprint>.npz   the world cache, unless data_root is given

The batch at (step, micro) is a pure function of (seed, step, micro): sample positions ``step * B + j``
walk seeded per-epoch permutations of the stage's period's (stock, day) samples. ``train.init_from`` loads
the backbone of a pretraining run (and the heads when the tasks match). Single-process.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
import torch
from rich.console import Console
from torch import nn

from pretrainlab import checkpoint as ckpt
from pretrainlab.data.series_windows import FEATURES, SeriesWindows, build_windows
from pretrainlab.eval.series.baseline import linear_accuracy, oracle_accuracy
from pretrainlab.eval.series.direction import direction_eval
from pretrainlab.eval.series.pretext import pretext_eval
from pretrainlab.models.series_transformer import SeriesTransformer
from pretrainlab.modalities.series_config import SeriesRunConfig, series_metric_names
from pretrainlab.objectives.direction import Direction
from pretrainlab.objectives.ma_prediction import MAPrediction
from pretrainlab.objectives.series_identity import SeriesIdentity
from pretrainlab.objectives.weighted_sum import WeightedSum
from pretrainlab.worlds.series import SeriesData, build_series_world


class SeriesTask(nn.Module):
    """Encoder + weighted task heads: one module, one state dict."""

    family = "series_transformer"

    def __init__(self, backbone: SeriesTransformer, objective: WeightedSum):
        super().__init__()
        self.backbone, self.objective, self.cfg = backbone, objective, backbone.cfg

    def forward(self, batch: dict):
        return self.objective(self.backbone, batch)


class SeriesPrepared(NamedTuple):
    world: SeriesData
    windows: SeriesWindows
    cache: Path


def world_seed(cfg: SeriesRunConfig) -> int:
    return cfg.data.world.seed if cfg.data.world.seed is not None else cfg.seed


def prepare_series(cfg: SeriesRunConfig, root: Path) -> SeriesPrepared:
    world = build_series_world(cfg.data.world, world_seed(cfg), root)
    where = f"data.world ({world.source or cfg.data.world.kind})"
    win = build_windows(world.prices, world.sectors, cfg.data.world.boundaries(world.n_days), cfg.data.window,
                        tuple(cfg.data.ma_horizons), where)
    return SeriesPrepared(world, win, Path(root))


def build_objective(cfg: SeriesRunConfig, dim: int, world: SeriesData) -> WeightedSum:
    o, parts = cfg.objective, {}
    if o.ma > 0:
        parts["ma"] = (o.ma, MAPrediction(dim, len(cfg.data.ma_horizons)))
    if o.stock > 0 or o.sector > 0:
        parts["identity"] = (1.0, SeriesIdentity(dim, world.n_series, len(world.sector_names), o.stock, o.sector))
    if o.direction > 0:
        parts["direction"] = (o.direction, Direction(dim))
    return WeightedSum(parts)


def build_task(cfg: SeriesRunConfig, data: SeriesPrepared, device: torch.device) -> SeriesTask:
    torch.manual_seed(cfg.seed)
    mcfg = type(cfg.model)(**{**cfg.model.__dict__, "window": cfg.data.window, "in_features": len(FEATURES)})
    backbone = SeriesTransformer(mcfg)
    return SeriesTask(backbone, build_objective(cfg, backbone.dim, data.world)).to(device)


@lru_cache(maxsize=4)
def _epoch_perm(seed: int, epoch: int, n: int) -> np.ndarray:
    return np.random.default_rng([seed, epoch, 28]).permutation(n)


def sample_positions(seed: int, step: int, batch_size: int, n: int) -> np.ndarray:
    """Sample indices of step ``step``: positions ``step * B + j`` through seeded per-epoch permutations."""
    pos = step * batch_size + np.arange(batch_size)
    return np.array([_epoch_perm(seed, int(p // n), n)[p % n] for p in pos], dtype=np.int64)


def make_get_batch(cfg: SeriesRunConfig, win: SeriesWindows, device: torch.device):
    horizon = max(win.horizons) if cfg.objective.ma > 0 else 1
    pairs = win.samples(cfg.data.period, horizon)
    tc = cfg.train
    per = tc.batch_size // tc.grad_accum

    def get_batch(step: int, micro: int) -> dict:
        p = pairs[sample_positions(cfg.seed, step, tc.batch_size, len(pairs))[micro * per:(micro + 1) * per]]
        s, t = p[:, 0], p[:, 1]
        batch = {"x": win.window_of(p), "stock": s, "sector": win.sectors[s], "up": win.up[s, t],
                 "ma": np.nan_to_num(win.ma[s, t])}
        return {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in batch.items()}

    return get_batch


def init_from(task: SeriesTask, optimizer, src: Path, with_optimizer: bool) -> None:
    """All weights when the checkpoint has this task's keys and shapes; else the backbone (the heads a
    pretraining stage trained are dropped, new heads start fresh)."""
    from safetensors.torch import load_file

    sd, own = load_file(str(src / "model.safetensors")), task.state_dict()
    if set(sd) == set(own) and all(sd[k].shape == own[k].shape for k in sd):
        ckpt.load_weights(task, src)
        if with_optimizer:
            ckpt.load_optimizer(optimizer, src, task)
        return
    bb = {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")}
    try:
        task.backbone.load_state_dict(bb)
    except RuntimeError as e:
        raise ValueError(f"train.init_from={src}: its encoder does not match this model (model.preset / dim / "
                         f"window / features must be the same): {e}") from None


def evaluate_series(cfg: SeriesRunConfig, data: SeriesPrepared, task: SeriesTask, device) -> dict[str, float]:
    """Flat ``eval/...`` keys: pretext scores on val, direction on val and test, trading and baselines."""
    ec, win, parts, out = cfg.eval, data.windows, task.objective.parts, {}
    task.eval()
    heads = {}
    if "ma" in parts:
        heads["ma"] = parts["ma"].head
    if "identity" in parts:
        idt = parts["identity"]
        heads.update({n: h for n, h, w in (("stock", idt.stock_head, idt.stock_weight),
                                           ("sector", idt.sector_head, idt.sector_weight)) if w > 0})
    if heads:
        pre = pretext_eval(task.backbone, heads, win, "val", ec.batch_size, device)
        out.update({(f"eval/ma/{k[3:]}" if k.startswith("ma_") else f"eval/identity/{k}"): v for k, v in pre.items()})
    if "direction" in parts:
        predict = lambda x: parts["direction"].predict(task.backbone, x)  # noqa: E731
        val = direction_eval(predict, win, data.world.prices, "val", ec.batch_size, device)
        test = direction_eval(predict, win, data.world.prices, "test", ec.batch_size, device, ec.top_k, ec.cost)
        out.update({f"eval/direction/val/{k}": v for k, v in val.items()})
        out.update({f"eval/direction/{k}": test.pop(k) for k in ("accuracy", "auc")})
        out.update({f"eval/trading/{k}": v for k, v in test.items()})
        if ec.baselines:
            out.update(baselines(cfg, data))
    task.train()
    return out


def baselines(cfg: SeriesRunConfig, data: SeriesPrepared) -> dict[str, float]:
    """The linear baseline (and oracle) of the world: the same for every arm of a seed, so cached beside the
    world as ``series_baseline_<fingerprint>_w<window>.json`` (written atomically)."""
    path = data.cache / f"series_baseline_{data.world.fingerprint}_w{cfg.data.window}.json"
    if path.exists():
        return json.loads(path.read_text())
    out = {"eval/baseline/linear_accuracy": linear_accuracy(data.windows)}
    if data.world.drift is not None:
        out["eval/baseline/oracle_accuracy"] = oracle_accuracy(data.windows, data.world.drift)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(out))
    os.replace(tmp, path)
    return out


def preprocessing(cfg: SeriesRunConfig, data: SeriesPrepared) -> str:
    w = data.windows
    return json.dumps({"window": w.window, "features": FEATURES, "ma_horizons": list(w.horizons),
                       "series": data.world.names, "sectors": data.world.sector_names,
                       "sigma": [float(s) for s in w.sigma], "sigma_market": w.sigma_market,
                       "periods": {k: list(v) for k, v in w.bounds.items()}}, indent=1)


class SeriesModality:
    """Transformer encoder over price-series windows; SSPT pretraining tasks, direction fine-tuning, trading
    evaluation (modality: series)."""

    name: ClassVar[str] = "series"
    Config: ClassVar[type] = SeriesRunConfig
    unit: ClassVar[str] = "windows"
    distributed: ClassVar[bool] = False

    def prepare(self, cfg: SeriesRunConfig, root: Path, console: Console) -> SeriesPrepared:
        with console.status("building series world"):
            return prepare_series(cfg, root)

    def build(self, cfg: SeriesRunConfig, data: SeriesPrepared, device: torch.device) -> SeriesTask:
        return build_task(cfg, data, device)

    def start(self, cfg: SeriesRunConfig, data, task: SeriesTask, optimizer, console: Console) -> None:
        if cfg.train.init_from:
            init_from(task, optimizer, ckpt.resolve_checkpoint(cfg.train.init_from), cfg.train.init_optimizer)
            console.print(f"initialised from {cfg.train.init_from}")

    def batches(self, cfg: SeriesRunConfig, data: SeriesPrepared, task: SeriesTask, run):
        return make_get_batch(cfg, data.windows, run.device)

    def flops(self, cfg, data, task) -> None:
        return None

    def loss(self, cfg: SeriesRunConfig, task: SeriesTask):
        return lambda model, batch: model(batch)

    def units_per_step(self, cfg: SeriesRunConfig) -> int:
        return cfg.train.batch_size

    def callbacks(self, cfg, data, task, run) -> list:
        return []

    def checkpoint_files(self, cfg: SeriesRunConfig, data: SeriesPrepared, task: SeriesTask) -> dict:
        return {"preprocessing.json": preprocessing(cfg, data)}

    def evaluate(self, cfg: SeriesRunConfig, data: SeriesPrepared, task: SeriesTask, run) -> dict:
        with run.console.status("series evaluation"):
            summary = evaluate_series(cfg, data, task, run.device)
        run.write({"step": run.trainer.state.step, **summary})
        return summary

    def provenance(self, cfg: SeriesRunConfig, data: SeriesPrepared, run) -> dict:
        return {"data_dir": str(data.cache), "world": data.world.fingerprint}

    def facts(self, cfg, data, task: SeriesTask, optimizer, run) -> dict:
        return {"params": task.backbone.num_params(),
                "params_trainable": sum(p.numel() for p in task.parameters() if p.requires_grad)}

    def samples(self, cfg, data, task) -> None:
        return None

    def metric_names(self, cfg: SeriesRunConfig) -> set[str]:
        return series_metric_names(cfg)

    def shared_data(self, cfg: SeriesRunConfig, root: Path, console: Console) -> str:
        """One world cache (keyed by fingerprint) for all runs of an experiment."""
        build_series_world(cfg.data.world, world_seed(cfg), root / "series")
        return str(root / "series")

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict:
        """The final evaluation again on the newest checkpoint of ``run_dir``."""
        from pretrainlab.config import load_yaml
        from pretrainlab.run_config import build_run_config
        from pretrainlab.runtime import pick_device

        run_dir = Path(run_dir)
        cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
        summary = run_dir / "summary.json"
        root = Path(json.loads(summary.read_text())["data_dir"]) if summary.exists() else run_dir / "data"
        dev = pick_device(device)
        data = prepare_series(cfg, root)
        task = build_task(cfg, data, dev)
        ckpt.load_weights(task, ckpt.resolve_checkpoint(run_dir))
        return evaluate_series(cfg, data, task, dev)
