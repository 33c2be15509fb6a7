"""The run config of an image run (top-level ``modality: image``): world, augmentation, backbone, objective.

    name: vision-mae-shapes
    modality: image
    data:   {world: {kind: shapes, size: 16, ...}, augment: {preset: mae}}
    model:  {family: vit, preset: test}            # any ViTConfig / ResNetConfig field beside ``family``
    objective: {name: mae, mask_ratio: 0.75}       # a VISION_OBJECTIVES name + its constructor arguments
    train:  TrainConfig (train/config.py; the same as text runs)
    eval:   {protocols: [linear, knn, ncm], ...}

``run_config.build_run_config`` returns this class when ``modality`` is ``image``. ``model.image_size`` and
``model.in_chans`` default to the world's size (or ``data.augment.size``) and channel count. The model and
objective sections are plain mappings validated here against the family's config and the objective's
constructor, so errors name the key and the valid choices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.data.image_augment import AugmentConfig
from pretrainlab.eval.knn import K, TEMPERATURE
from pretrainlab.eval.linear_probe import WD_GRID
from pretrainlab.models.lora import AdaptConfig
from pretrainlab.train.config import TrainConfig
from pretrainlab.worlds.image import ImageWorldConfig

Protocol = Literal["linear", "knn", "ncm", "finetune", "multilabel", "class_incremental"]
MULTILABEL_KINDS = ("satellite", "xray")
SINGLE_LABEL_KINDS = ("shapes", "fractal", "digits")
EXTRA_TEST_SPLITS = {"shapes": ["test_shift"], "xray": ["test_shift"], "satellite": ["test_lowres"]}
"""Evaluation splits besides ``test`` that each world kind builds (distribution shift / resolution)."""


@dataclass
class ImageDataConfig:
    world: ImageWorldConfig = field(default_factory=ImageWorldConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)


@dataclass
class ImageEvalConfig:
    protocols: list[Protocol] = field(default_factory=lambda: ["linear", "knn", "ncm"])
    """Transfer protocols on the final backbone (eval/linear_probe.py, knn.py, ncm.py, finetune.py, multilabel.py)."""
    world: ImageWorldConfig | None = None
    """Downstream world for transfer (default: the training world)."""
    train_split: str = "train"
    """Split the probes are fitted on."""
    val_split: str = "val"
    """Split hyperparameters (wd, k, lr, epochs) are chosen on."""
    test_splits: list[str] = field(default_factory=list)
    """Splits reported once; empty = every split whose name starts with ``test`` (e.g. test, test_shift)."""
    max_train: int = 0
    """Cap on the train images the probes see (0 = all), for fast CI runs."""
    preprocessing: Literal["checkpoint", "no_resize", "no_normalize", "none"] = "checkpoint"
    """checkpoint: resize + normalise as recorded in preprocessing.json; the others drop the resize, the
    normalisation or both (images are always scaled to [0, 1]) -- the remote-sensing ablation."""
    batch_size: int = 256
    knn_k: int = K
    knn_temperature: float = TEMPERATURE
    linear_wd: list[float] = field(default_factory=lambda: list(WD_GRID))
    finetune_lrs: list[float] = field(default_factory=lambda: [1e-3, 3e-4])
    finetune_epochs: int = 10
    finetune_batch_size: int = 64
    finetune_layer_decay: float = 1.0
    """Layer-wise LR decay (1 = off; MAE uses 0.65 for ViT-B)."""
    knn_every: int = 0
    """Periodic val kNN top-1 (``val/knn/top1`` in metrics.jsonl) every N steps (0: off)."""
    knn_max_train: int = 2000
    """Train images in the periodic kNN bank."""
    ci_method: Literal["ncm", "linear", "finetune", "joint"] = "ncm"
    """class_incremental: the learner on the class stream (eval/class_incremental.py)."""
    ci_tasks: int = 4
    """class_incremental: tasks the eval world's classes are split into."""
    ci_epochs: int = 5
    """class_incremental: epochs per task (linear, finetune; joint trains ci_epochs x ci_tasks)."""
    ci_lr: float = 1e-3
    report: bool = True


@dataclass
class ImageRunConfig:
    name: str = "image-run"
    seed: int = 0
    modality: Literal["image"] = "image"
    data: ImageDataConfig = field(default_factory=ImageDataConfig)
    model: dict[str, Any] = field(default_factory=lambda: {"family": "vit", "preset": "test"})
    objective: dict[str, Any] = field(default_factory=lambda: {"name": "mae"})
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: ImageEvalConfig = field(default_factory=ImageEvalConfig)
    adapt: AdaptConfig = field(default_factory=AdaptConfig)
    """Frozen backbone blocks and LoRA (models/lora.py; ExPLoRA); default: everything trains."""

    def validate(self) -> None:
        model_config(self.model, in_chans=3, image_size=self.data.augment.size or self.data.world.size)
        objective_params(self.objective)
        kind = (self.eval.world or self.data.world).kind
        if kind in MULTILABEL_KINDS and "class_incremental" in self.eval.protocols:
            raise ConfigError(f"eval.protocols: class_incremental needs single-label classes, world kind '{kind}' "
                              "is multi-label")
        if kind in MULTILABEL_KINDS and "ncm" in self.eval.protocols:
            raise ConfigError(f"eval.protocols: ncm needs single-label classes, world kind '{kind}' is multi-label; "
                              "use linear, knn or multilabel")
        if kind in SINGLE_LABEL_KINDS and "multilabel" in self.eval.protocols:
            raise ConfigError(f"eval.protocols: multilabel needs multi-hot labels, world kind '{kind}' is "
                              "single-label; use linear, knn, ncm or finetune")


def model_config(model: dict, in_chans: int, image_size: int):
    """(family, resolved ViTConfig/ResNetConfig) of the ``model`` section; ConfigError names bad keys."""
    from pretrainlab.models import IMAGE_BACKBONES, MODELS

    families = list(IMAGE_BACKBONES)
    fields = dict(model)
    family = fields.pop("family", "vit")
    if family not in families:
        raise ConfigError(f"model.family: '{family}' is not an image backbone; choose one of {families}")
    cfg_cls, _ = MODELS[family]
    names = {f for f in cfg_cls.__dataclass_fields__}
    fields.setdefault("in_chans", in_chans)
    if "image_size" in names:
        fields.setdefault("image_size", image_size)
    try:
        return family, from_dict(cfg_cls, fields, prefix="model")
    except ValueError as e:  # the families' validate() raise ValueError naming the key
        raise ConfigError(str(e)) from None


def objective_params(objective: dict) -> tuple[type, dict]:
    """(objective class, constructor params) of the ``objective`` section, checked against the signature."""
    from pretrainlab.objectives import VISION_OBJECTIVES

    return VISION_OBJECTIVES.choose(objective, where="objective", skip=("model", "num_classes", "multilabel"))


def eval_split_names(world: ImageWorldConfig, test_splits: list[str]) -> list[str]:
    """The test splits an image run reports (predicted from the world kind when not listed)."""
    return list(test_splits) or ["test", *EXTRA_TEST_SPLITS.get(world.kind, [])]


def metric_key(protocol: str, split: str, metric: str) -> str:
    """``eval/<protocol>/<metric>`` for ``test``, ``eval/<protocol>/<split>/<metric>`` for other splits."""
    return f"eval/{protocol}/{metric}" if split == "test" else f"eval/{protocol}/{split}/{metric}"


def image_metric_names(cfg: ImageRunConfig) -> set[str]:
    """Every key an image run writes to summary.json (to validate claims up front)."""
    world = cfg.eval.world or cfg.data.world
    names = {"step", "images", "train/loss", "train/images_per_s", "train/skipped_steps", "wall_s", "params",
             "params_trainable", "params_trainable_backbone", "world_size"}
    dominant = world.kind == "satellite" and world.sat_label == "dominant"  # one majority class per tile
    multi = (world.kind in MULTILABEL_KINDS and not dominant) or world.kind in ("folder", "npz")  # user files: either
    single = world.kind not in MULTILABEL_KINDS or dominant
    splits = [cfg.eval.val_split, *eval_split_names(world, cfg.eval.test_splits)]
    for p in cfg.eval.protocols:
        metrics = (["top1"] if single and p != "multilabel" else []) + (["mAP", "auc"] if multi and p != "ncm" else [])
        if p == "class_incremental":
            metrics = ["acc", "avg_inc_acc", "forgetting"]
        names |= {metric_key(p, s, m) for s in splits for m in metrics}
    return names
