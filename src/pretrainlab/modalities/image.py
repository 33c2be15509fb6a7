"""The image modality: image backbones (ViT, ResNet) on image worlds or your images; supervised and
self-supervised objectives, transfer protocols (``modality: image``; config: run_config_image.py).

Run directory (as for text runs)::

    config.yaml, metrics.jsonl, summary.json, plots/*.png, report.md, report.html
    checkpoints/step_N/   model.safetensors (``backbone.*`` and ``objective.*``: heads, decoder, teacher,
                          queue, centre, memory bank), model_config.json (family = vit | resnet),
                          preprocessing.json, optimizer.pt, trainer_state.json, rng.pt
    data/                 the image world cache (``image_<kind>_<fingerprint>.npz``), unless data_root is given

The batch at (step, micro) is a pure function of (seed, step, micro): image positions ``step * B + j`` walk
seeded per-epoch permutations of the train split, each view is ``augment(x, seed, step, index, view)``
(data/image_augment.py), then resized and normalised exactly as ``preprocessing.json`` records, so the
probes see what the backbone was trained on. The task is ``ImageTask`` (backbone + objective, one state
dict, ``task(batch)`` runs the objective); only its ``trainable_parameters()`` are optimised (never a teacher).

Under torchrun (``train.distributed=ddp``; FSDP is refused: momentum teachers are updated in place, which
FSDP2's sharded parameters would lose, and these models replicate cheaply) rank r of W takes the contiguous
slice r of each micro-batch (``train.batch_size`` must divide by W x ``grad_accum``), so the ranks together see
exactly the images, augmentations and MAE masks of one process. The trainer calls the DDP-wrapped task, so
gradients are averaged over ranks; the objectives gather what is batch-global (objectives/vision_base.py):

* exact (the 1-process loss and state, up to float summation order): ``supervised``, ``mae``,
  ``feature_distill`` (per-image means); ``contrastive`` (SimCLR and MoCo: queries and keys gathered, so all
  in-batch negatives, one queue filled in the same order on every rank); ``dino`` (centre averaged over ranks);
  ``look`` (bank updated from every rank's keys; the loss over the gathered anchors). Momentum teachers and key
  encoders are updated from the replicated student on every rank alike.
* different: BatchNorm (ResNet with ``model.norm=batch``) normalises by per-rank statistics of B/(W accum)
  images, not B/accum, and its running statistics are rank 0's (DDP broadcasts buffers each forward); use
  ``model.norm=group`` for an exact ResNet.

Every rank evaluates (the periodic kNN and the final protocols) on its identical replica, as text runs do, so
no rank waits on a collective while another evaluates; rank 0 alone writes metrics, checkpoints and summary.
"""

from __future__ import annotations

import inspect
import json
import time
from functools import lru_cache
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
import torch
from rich.console import Console
from torch import nn

from pretrainlab import checkpoint as ckpt
from pretrainlab.data.image_augment import augment, normalize, resize, to_float
from pretrainlab.eval.class_incremental import class_incremental
from pretrainlab.eval.features import Preprocessing, extract_features
from pretrainlab.eval.finetune import finetune
from pretrainlab.eval.knn import knn_eval
from pretrainlab.eval.linear_probe import linear_probe
from pretrainlab.eval.ncm import ncm_eval
from pretrainlab.models import MODELS
from pretrainlab.models.lora import apply_adapt, load_weights
from pretrainlab.run_config_image import ImageRunConfig, image_metric_names, metric_key, model_config, objective_params
from pretrainlab.runtime import pick_device
from pretrainlab.train.callbacks import PeriodicEval
from pretrainlab.worlds.image import build_image_world


class ImageTask(nn.Module):
    """Backbone + objective as one module: one state dict, one optimizer, one gradient clip."""

    def __init__(self, backbone: nn.Module, objective: nn.Module, family: str):
        super().__init__()
        self.backbone, self.objective, self.family, self.cfg = backbone, objective, family, backbone.cfg

    def forward(self, batch: dict):
        """``(loss, metrics)`` of the objective on ``batch``; called through the DDP wrapper, so gradients sync."""
        return self.objective(self.backbone, batch)

    @property
    def ddp_find_unused_parameters(self) -> bool:
        """A backbone head (``model.num_classes > 0``) that only ``supervised`` uses gets no gradient otherwise."""
        return getattr(self.backbone, "num_classes", 0) > 0 and self.objective.name != "supervised"

    def trainable_parameters(self) -> list[nn.Parameter]:
        seen, out = set(), []
        for p in [*self.backbone.parameters(), *self.objective.trainable_parameters()]:
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
        return out


def call_objective(task: nn.Module, batch: dict):
    """The trainer's objective: the (possibly DDP-wrapped) task's forward."""
    return task(batch)


def build_task(cfg: ImageRunConfig, data, device: torch.device) -> tuple[ImageTask, Preprocessing]:
    size = cfg.data.augment.size or cfg.data.world.size
    family, mcfg = model_config(cfg.model, in_chans=data.channels, image_size=size)
    if mcfg.in_chans != data.channels:
        raise ValueError(f"model.in_chans={mcfg.in_chans} but world '{cfg.data.world.kind}' has {data.channels} "
                         f"channels; drop model.in_chans or set data.world.channels")
    torch.manual_seed(cfg.seed)
    backbone = MODELS[family][1](mcfg)
    cls, params = objective_params(cfg.objective)
    if "seed" in inspect.signature(cls.__init__).parameters:
        params.setdefault("seed", cfg.seed)
    objective = cls(backbone, num_classes=data.num_classes, multilabel=data.multilabel, **params)
    input_size = getattr(backbone.cfg, "image_size", None) or size
    dtype = str(data.splits["train"].images.dtype)
    prep = Preprocessing.from_world(data.preprocessing, data.channels, dtype, input_size)
    return ImageTask(backbone, objective, family).to(device), prep


@lru_cache(maxsize=4)
def _epoch_perm(seed: int, epoch: int, n: int) -> np.ndarray:
    return np.random.default_rng([seed, epoch]).permutation(n)


def sample_indices(seed: int, step: int, batch_size: int, n: int) -> np.ndarray:
    """Train indices of step ``step``: positions ``step * B + j`` through seeded per-epoch permutations."""
    pos = step * batch_size + np.arange(batch_size)
    return np.array([_epoch_perm(seed, int(p // n), n)[p % n] for p in pos], dtype=np.int64)


def make_get_batch(cfg: ImageRunConfig, split, prep: Preprocessing, n_views: int, device: torch.device,
                   rank: int = 0, world_size: int = 1):
    """``get_batch(step, micro)``: rank ``rank``'s contiguous slice of micro-batch ``micro`` of the global batch."""
    tc, aug = cfg.train, cfg.data.augment
    if tc.batch_size % (world_size * tc.grad_accum):
        raise ValueError(f"train.batch_size={tc.batch_size} must be divisible by ranks x train.grad_accum = "
                         f"{world_size} x {tc.grad_accum}; change train.batch_size or the number of processes")
    per = tc.batch_size // tc.grad_accum
    mine = per // world_size

    def get_batch(step: int, micro: int) -> dict:
        start = micro * per + rank * mine
        idx = sample_indices(cfg.seed, step, tc.batch_size, len(split))[start:start + mine]
        x, index = to_float(split.images[idx], prep.scale), torch.from_numpy(idx)
        views = [normalize(resize(augment(x, aug, cfg.seed, step, index, view=v), prep.size, prep.interpolation),
                           prep.mean, prep.std).to(device, non_blocking=True) for v in range(n_views)]
        return {"views": views, "labels": torch.as_tensor(split.labels[idx]).to(device), "index": index.to(device),
                "step": step}

    return get_batch


def fresh(cfg: ImageRunConfig, task: nn.Module, optimizer, console) -> None:
    """A new image run's start (``start_state``'s ``fresh``): weights from ``train.init_from`` if set (every rank
    loads the same files, so DDP replicas stay equal)."""
    task = getattr(task, "module", task)  # under DDP
    if cfg.train.init_from:
        _init_from(task, optimizer, ckpt.resolve_checkpoint(cfg.train.init_from), cfg.train.init_optimizer)
        console.print(f"initialised from {cfg.train.init_from}")


def _init_from(task: ImageTask, optimizer, src: Path, with_optimizer: bool) -> None:
    """The backbone (always; LoRA merged) and, when the objective matches, the objective state and optimizer too;
    when the task's objective extends the source's (every source key present, same shape: an MAE decoder under
    MAE + distillation or under a LoRA backbone), those objective weights too."""
    from safetensors.torch import load_file

    sd = load_file(str(src / "model.safetensors"))
    own = task.state_dict()
    if set(sd) == set(own) and all(sd[k].shape == own[k].shape for k in sd):  # e.g. a head over other classes
        ckpt.load_weights(task, src)
        if with_optimizer:
            ckpt.load_optimizer(optimizer, src, task)
        return
    load_weights(task.backbone, {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")})
    obj = {k[len("objective."):]: v for k, v in sd.items() if k.startswith("objective.")}
    own = task.objective.state_dict()
    if obj and all(k in own and own[k].shape == v.shape for k, v in obj.items()):
        task.objective.load_state_dict(obj, strict=False)


@torch.no_grad()
def periodic_knn(cfg: ImageRunConfig, backbone, prep: Preprocessing, data, device) -> dict:
    """``val/knn/top1`` (or mAP) of the current backbone, bank = the first ``knn_max_train`` train images."""
    ec, tr, va = cfg.eval, data.splits[cfg.eval.train_split], data.splits[cfg.eval.val_split]
    n = ec.knn_max_train or len(tr)
    bank = extract_features(backbone, tr.images[:n], prep, ec.batch_size, device)
    val = extract_features(backbone, va.images, prep, ec.batch_size, device)
    r = knn_eval(bank, torch.as_tensor(tr.labels[:n]), {"val": (val, torch.as_tensor(va.labels))},
                 data.num_classes, ec.knn_k, ec.knn_temperature)["val"]
    return {f"val/knn/{m}": v for m, v in r.items() if m != "n_classes_skipped"}


def evaluate_image(cfg: ImageRunConfig, backbone, prep: Preprocessing, data, device) -> dict:
    """The configured transfer protocols on ``data`` (the eval world); flat ``eval/...`` keys."""
    ec = cfg.eval
    tests = list(ec.test_splits) or sorted(s for s in data.splits if s.startswith("test"))
    missing = [s for s in [ec.train_split, ec.val_split, *tests] if s not in data.splits]
    if missing:
        raise ValueError(f"eval: splits {missing} not in the eval world (it has {sorted(data.splits)}); "
                         "set eval.train_split / eval.val_split / eval.test_splits")
    n = ec.max_train or len(data.splits[ec.train_split])
    raw = {s: (data.splits[s].images[:n] if s == ec.train_split else data.splits[s].images,
               torch.as_tensor(data.splits[s].labels[:n] if s == ec.train_split else data.splits[s].labels))
           for s in [ec.train_split, ec.val_split, *tests]}
    feats = {s: (extract_features(backbone, x, prep, ec.batch_size, device, ec.preprocessing), y) for s, (x, y) in raw.items()}
    train, val = feats[ec.train_split], feats[ec.val_split]
    evals = {s: feats[s] for s in tests}
    out: dict = {}
    for p in ec.protocols:
        t0 = time.time()
        if p in ("linear", "multilabel"):
            if p == "multilabel" and not data.multilabel:
                raise ValueError("eval.protocols: multilabel needs a multi-label eval world; drop it")
            r = linear_probe(train, val, evals, data.num_classes, tuple(ec.linear_wd))
        elif p == "knn":
            r = knn_eval(*train, {ec.val_split: val, **evals}, data.num_classes, ec.knn_k, ec.knn_temperature)
        elif p == "class_incremental":
            r = class_incremental(ec.ci_method, backbone, prep, raw[ec.train_split],
                                  {ec.val_split: raw[ec.val_split], **{s: raw[s] for s in tests}}, data.num_classes,
                                  ec.ci_tasks, ec.ci_epochs, ec.ci_lr, ec.finetune_batch_size, seed=cfg.seed,
                                  device=device, preprocessing=ec.preprocessing)
        elif p == "ncm":
            if data.multilabel:
                raise ValueError("eval.protocols: ncm needs single-label classes; the eval world is multi-label")
            r = ncm_eval(*train, {ec.val_split: val, **evals}, data.num_classes)
        else:
            r = finetune(backbone, prep, {"train": raw[ec.train_split], "val": raw[ec.val_split]},
                         {s: raw[s] for s in tests}, data.num_classes, tuple(ec.finetune_lrs), ec.finetune_epochs,
                         ec.finetune_batch_size, ec.finetune_layer_decay, seed=cfg.seed, device=device,
                         preprocessing=ec.preprocessing)
        out.update(flatten(p, r, ec.val_split))
        out[f"time/eval/{p}_s"] = time.time() - t0
    return out


def eval_image_run(run_dir: str | Path, device: str = "auto") -> dict:
    """Re-run the transfer protocols on a run's newest checkpoint, with the checkpoint's preprocessing.json."""
    from pretrainlab.config import load_yaml
    from pretrainlab.eval.features import load_backbone
    from pretrainlab.run_config import build_run_config

    run_dir = Path(run_dir)
    cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
    dev = pick_device(device)
    backbone, prep = load_backbone(run_dir, dev)
    summary = run_dir / "summary.json"
    cache = Path(json.loads(summary.read_text())["data_dir"]) if summary.exists() else run_dir / "data"
    return evaluate_image(cfg, backbone, prep, build_image_world(cfg.eval.world or cfg.data.world, cache), dev)


def flatten(protocol: str, result: dict, val_split: str = "val") -> dict:
    """{split: {metric: v}, hparam: v} -> ``eval/<protocol>[/<split>]/<metric>`` and ``eval/<protocol>/<hparam>``."""
    out = {}
    for key, value in result.items():
        if isinstance(value, dict):
            split = val_split if key == "val" else key
            out.update({metric_key(protocol, split, m): v for m, v in value.items() if m != "n_classes_skipped"})
        elif value is not None:
            out[f"eval/{protocol}/{key}"] = value
    return out


class ImageData(NamedTuple):
    """A run's image worlds: the training world and the one the transfer protocols use (often the same)."""

    train: object
    eval: object
    cache: Path


class ImageModality:
    """Image backbones (ViT, ResNet) on image worlds or your images; supervised and self-supervised objectives,
    transfer protocols (modality: image)."""

    name: ClassVar[str] = "image"
    Config: ClassVar[type] = ImageRunConfig
    unit: ClassVar[str] = "images"
    distributed: ClassVar[bool] = True
    strategies: ClassVar[tuple[str, ...]] = ("ddp",)

    def prepare(self, cfg: ImageRunConfig, root: Path, console: Console) -> ImageData:
        with console.status("building image world"):
            data = build_image_world(cfg.data.world, root)
        eval_data = build_image_world(cfg.eval.world, root) if cfg.eval.world else data
        return ImageData(data, eval_data, root)

    def build(self, cfg: ImageRunConfig, data: ImageData, device: torch.device) -> ImageTask:
        task, self.prep = build_task(cfg, data.train, device)
        if cfg.adapt.active:
            apply_adapt(task.backbone, cfg.adapt)
        return task

    def start(self, cfg: ImageRunConfig, data, task: ImageTask, optimizer, console: Console) -> None:
        fresh(cfg, task, optimizer, console)

    def batches(self, cfg: ImageRunConfig, data: ImageData, task: ImageTask, run):
        info = run.info
        task.objective.sharded = info.enabled  # batch-global terms gather over ranks
        batch_norm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in task.modules())
        if info.enabled and info.is_main and batch_norm:
            run.console.print(f"note: BatchNorm normalises by per-rank batch statistics ({info.world_size} ranks), "
                              "so this run differs from one process; model.norm=group is exact")
        return make_get_batch(cfg, data.train.splits["train"], self.prep, task.objective.n_views, run.device,
                              info.rank, info.world_size)

    def flops(self, cfg, data, task) -> None:
        return None

    def loss(self, cfg: ImageRunConfig, task: ImageTask):
        return call_objective

    def units_per_step(self, cfg: ImageRunConfig) -> int:
        return cfg.train.batch_size

    def callbacks(self, cfg: ImageRunConfig, data: ImageData, task: ImageTask, run) -> list:
        prep, device = self.prep, run.device
        return [PeriodicEval(cfg.eval.knn_every, lambda: periodic_knn(cfg, task.backbone, prep, data.train, device),
                             run.write)]

    def checkpoint_files(self, cfg: ImageRunConfig, data: ImageData, task: ImageTask) -> dict:
        return {"preprocessing.json": self.prep.to_json()}

    def evaluate(self, cfg: ImageRunConfig, data: ImageData, task: ImageTask, run) -> dict:
        with run.console.status("transfer evaluation"):
            summary = evaluate_image(cfg, task.backbone, self.prep, data.eval, run.device)
        run.write({"step": run.trainer.state.step, **{k: v for k, v in summary.items() if k.startswith("eval/")}})
        return summary

    def provenance(self, cfg: ImageRunConfig, data: ImageData, run) -> dict:
        return {"data_dir": str(data.cache), "world": data.train.fingerprint}

    def facts(self, cfg: ImageRunConfig, data: ImageData, task: ImageTask, optimizer, run) -> dict:
        return {"params": task.backbone.num_params(),
                "params_trainable": sum(p.numel() for p in task.trainable_parameters()),
                "params_trainable_backbone": sum(p.numel() for p in task.backbone.parameters() if p.requires_grad),
                "world_size": run.info.world_size}

    def samples(self, cfg, data, task) -> None:
        return None

    def metric_names(self, cfg: ImageRunConfig) -> set[str]:
        return image_metric_names(cfg)

    def shared_data(self, cfg: ImageRunConfig, root: Path, console: Console) -> str:
        """One world cache (keyed by fingerprint) for all runs of an experiment."""
        for world in filter(None, (cfg.data.world, cfg.eval.world)):
            build_image_world(world, root / "images")
        return str(root / "images")

    def load_run(self, run_dir: Path, device: str = "auto"):
        """(backbone, Preprocessing) of a run's newest intact checkpoint (``pretrainlab.load_run``)."""
        from pretrainlab.eval.features import load_backbone

        return load_backbone(run_dir, pick_device(device))

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict:
        return eval_image_run(run_dir, device)
