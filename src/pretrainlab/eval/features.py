"""Preprocessing that travels with the checkpoint, and frozen-feature extraction for the probes.

Every image checkpoint holds ``preprocessing.json``::

    {"size": 32, "interpolation": "bilinear", "mean": [...], "std": [...], "bands": ["r", "g", "b"],
     "channels": 3, "dtype": "uint8", "scale": 255.0}

An evaluator turns raw images (``uint8`` or ``float32``, (N, C, H, W)) into model inputs with exactly
these steps: ``x / scale`` -> resize to ``size`` x ``size`` with ``interpolation`` -> ``(x - mean) / std``.
Corley et al. (arXiv:2305.13456) measured how much this matters: evaluating frozen features with the
*pretraining* resize + normalisation gave +32 points on So2Sat and +11 on EuroSAT. timm calls the same
record ``pretrained_cfg``; lightly-train stores mean/std only; MAE/DINO store nothing (PEERS-SSL.md §2.6).

Images whose dimensionality, channel count or dtype do not match the record raise
:class:`PreprocessingError` naming expected vs found; a different spatial size is resized (that is the
point of the record). Told otherwise, ``mode`` drops steps: ``no_resize`` (native resolution, still
normalised), ``no_normalize`` (resized, only scaled to [0, 1]) or ``none`` (only scaled).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from pretrainlab.data.image_augment import normalize, resize

FILENAME = "preprocessing.json"
MODES = ("checkpoint", "no_resize", "no_normalize", "none")


class PreprocessingError(ValueError):
    """Images do not match a checkpoint's preprocessing; the message names expected vs found."""


@dataclass
class Preprocessing:
    size: int
    """Model input height = width."""
    mean: list[float]
    std: list[float]
    channels: int
    bands: list[str] = field(default_factory=list)
    interpolation: str = "bilinear"
    """``nearest``, ``bilinear``, ``bicubic`` or ``area`` (``data.image_augment.resize``)."""
    dtype: str = "uint8"
    """dtype of the raw images the model was trained on (``uint8`` or ``float32``)."""
    scale: float = 255.0
    """Raw images are divided by this before normalisation (255 for uint8, 10000 for reflectance tiles)."""

    @classmethod
    def from_world(cls, prep: dict, channels: int, dtype: str, size: int | None = None) -> "Preprocessing":
        """From an ``ImageData.preprocessing`` dict; ``size`` (the model's input size) wins over the world's."""
        return cls(size=int(size or prep["size"]), mean=[float(m) for m in prep.get("mean", [0.0] * channels)],
                   std=[float(s) for s in prep.get("std", [1.0] * channels)], channels=channels,
                   bands=list(prep.get("bands", [])), interpolation=str(prep.get("interpolation", "bilinear")),
                   dtype=dtype, scale=float(prep.get("scale", 255.0 if dtype == "uint8" else 1.0)))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    def save(self, directory: Path) -> Path:
        path = Path(directory) / FILENAME
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json())
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, directory: Path) -> "Preprocessing":
        path = Path(directory) / FILENAME
        if not path.exists():
            raise FileNotFoundError(f"{path}: no preprocessing record; image checkpoints carry one "
                                    "(re-save the checkpoint with a current pretrainlab)")
        data = json.loads(path.read_text())
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def check(self, images: np.ndarray | torch.Tensor, where: str = "images") -> None:
        """Raise PreprocessingError unless ``images`` is (N, channels, H, W) of the recorded dtype."""
        shape = tuple(images.shape)
        dtype = str(images.dtype).replace("torch.", "")
        if len(shape) != 4:
            raise PreprocessingError(f"{where}: expected shape (N, {self.channels}, H, W), found {shape}")
        if shape[1] != self.channels:
            raise PreprocessingError(f"{where}: expected {self.channels} channels {self.bands or ''} "
                                     f"(checkpoint preprocessing), found {shape[1]} in shape {shape}")
        if dtype != self.dtype:
            raise PreprocessingError(f"{where}: expected dtype {self.dtype} (checkpoint preprocessing), "
                                     f"found {dtype}")

    def __call__(self, images: np.ndarray | torch.Tensor, mode: str = "checkpoint") -> torch.Tensor:
        """Raw (N, C, H, W) images -> normalized float32 model inputs (checked first)."""
        self.check(images)
        x = torch.as_tensor(images).float() / self.scale
        if mode not in MODES:
            raise ValueError(f"preprocessing mode {mode!r} is not one of {list(MODES)}")
        if mode in ("checkpoint", "no_normalize"):
            x = resize(x, self.size, self.interpolation)
        if mode in ("checkpoint", "no_resize"):
            x = normalize(x, self.mean, self.std)
        return x


@torch.no_grad()
def extract_features(model: torch.nn.Module, images: np.ndarray | torch.Tensor, prep: Preprocessing,
                     batch_size: int = 256, device: torch.device | str = "cpu", mode: str = "checkpoint") -> torch.Tensor:
    """(N, D) float32 CPU features ``model.forward_features`` of preprocessed images, batched, no grad."""
    prep.check(images)
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(images), batch_size):
        x = prep(images[i:i + batch_size], mode).to(device)
        out.append(model.forward_features(x).float().cpu())
    model.train(was_training)
    if not out:
        return torch.zeros(0, getattr(model, "feature_dim", 0))
    return torch.cat(out)


def split_features(model, splits: dict, prep: Preprocessing, names: list[str], batch_size: int = 256,
                   device="cpu", mode: str = "checkpoint") -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """{split: (features, labels)} for the named splits of an ``ImageData`` (labels as torch tensors)."""
    return {n: (extract_features(model, splits[n].images, prep, batch_size, device, mode),
                torch.as_tensor(splits[n].labels)) for n in names}


def load_backbone(ckpt_dir: str | Path, device: str | torch.device = "cpu"):
    """(backbone, Preprocessing) of an image checkpoint (weights under ``backbone.`` in model.safetensors)."""
    from safetensors.torch import load_file

    from pretrainlab.config import from_dict
    from pretrainlab.models import MODELS
    from pretrainlab.models.lora import merge_lora_state_dict
    from pretrainlab.checkpoint import read_model_config, resolve_checkpoint

    ckpt = resolve_checkpoint(ckpt_dir)
    mcfg = dict(read_model_config(ckpt))
    family = mcfg.pop("family")
    cfg_cls, model_cls = MODELS[family]
    model = model_cls(from_dict(cfg_cls, mcfg))
    sd = load_file(str(ckpt / "model.safetensors"))
    sd = {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")} or sd
    model.load_state_dict(merge_lora_state_dict(sd))
    return model.to(device).eval(), Preprocessing.load(ckpt)
