"""Batched image augmentations in plain torch, deterministic under (seed, step, index, view).

Every sample draws its parameters from its own counter-based generator keyed by a stable hash
(SplitMix64) of ``(seed, step, index, view)`` (never Python's ``hash()``), and every op acts on each
sample alone, so a sample's output does not depend on which other samples share the batch. Order:

1. **Random resized crop + flip** (one affine ``grid_sample``, bilinear): area fraction
   ``s ~ U(crop_scale)``, aspect ``r ~ logU(crop_ratio)``, ``w = sqrt(s r HW)``, ``h = sqrt(s HW / r)``,
   10 tries then the whole image (torchvision's rule); horizontal flip with prob ``flip``.
2. **Colour jitter** with prob ``jitter_prob`` at strength ``s`` (SimCLR's ``(0.8s, 0.8s, 0.8s, 0.2s)``):
   brightness ``x b``, contrast ``(x - mean) c + mean``, saturation ``(x - luma) t + luma``, hue rotation of
   the YIQ chroma by ``2 pi h``; factors ``~ U(1 - 0.8s, 1 + 0.8s)``, ``h ~ U(-0.2s, 0.2s)``; fixed order.
   Images with other than 3 channels (multi-band) get brightness and contrast only.
3. **Grayscale** (prob ``grayscale``; 3 channels only): ``0.299 R + 0.587 G + 0.114 B`` replicated.
4. **Gaussian blur** (prob ``blur``): separable kernel, ``sigma ~ U(blur_sigma)`` in output pixels,
   radius ``ceil(3 max sigma)``, reflect padding.
5. **Solarize** (prob ``solarize``): ``x -> 1 - x`` where ``x >= solarize_threshold``.

Presets (``preset``; any field set explicitly wins): ``none``; ``mae`` (crop 0.2-1 + flip, MAE
pretraining); ``simclr`` (crop 0.08-1, jitter 1.0 p0.8, grey 0.2, blur 0.5); ``moco`` (v2: crop 0.2-1,
jitter 0.5 p0.8, grey 0.2, blur 0.5); ``dino`` (global crops 0.4-1, jitter 0.5 p0.8, grey 0.2, blur 0.5,
solarize 0.1: DINO's two asymmetric global views averaged); ``dino_local`` (crop 0.05-0.4, set ``size``).
Inputs are floats in ``[0, 1]`` ``(B, C, H, W)``; ``resize`` and ``normalize`` finish the pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ..config import ConfigError

_BASE = dict(crop_scale=(1.0, 1.0), crop_ratio=(3 / 4, 4 / 3), flip=0.0, jitter=0.0, jitter_prob=0.0,
             grayscale=0.0, blur=0.0, blur_sigma=(0.1, 2.0), solarize=0.0, solarize_threshold=0.5)
_COLOUR = dict(flip=0.5, jitter_prob=0.8, grayscale=0.2, blur=0.5)
PRESETS: dict[str, dict] = {
    "none": dict(_BASE),
    "mae": {**_BASE, "crop_scale": (0.2, 1.0), "flip": 0.5},
    "simclr": {**_BASE, **_COLOUR, "crop_scale": (0.08, 1.0), "jitter": 1.0},
    "moco": {**_BASE, **_COLOUR, "crop_scale": (0.2, 1.0), "jitter": 0.5},
    "dino": {**_BASE, **_COLOUR, "crop_scale": (0.4, 1.0), "jitter": 0.5, "solarize": 0.1},
    "dino_local": {**_BASE, **_COLOUR, "crop_scale": (0.05, 0.4), "jitter": 0.5},
}
LUMA = (0.299, 0.587, 0.114)
N_UNIFORMS = 32
MODES = {"bilinear": "bilinear", "bicubic": "bicubic", "nearest": "nearest", "area": "area"}


@dataclass
class AugmentConfig:
    """Augmentation pipeline; unset (None) fields come from ``preset``."""

    preset: str = "mae"
    """none, mae, simclr, moco, dino or dino_local."""
    size: int = 0
    """Output side in pixels (0 = the input's)."""
    crop_scale: tuple[float, float] | None = None
    """Random resized crop: range of the crop's area as a fraction of the image."""
    crop_ratio: tuple[float, float] | None = None
    """Random resized crop: range of the crop's aspect ratio (log-uniform)."""
    flip: float | None = None
    """Probability of a horizontal flip."""
    jitter: float | None = None
    """Colour jitter strength s: brightness/contrast/saturation 0.8 s, hue 0.2 s."""
    jitter_prob: float | None = None
    """Probability of applying colour jitter."""
    grayscale: float | None = None
    """Probability of converting to grey (RGB only)."""
    blur: float | None = None
    """Probability of Gaussian blur."""
    blur_sigma: tuple[float, float] | None = None
    """Range of the blur's sigma in output pixels."""
    solarize: float | None = None
    """Probability of solarization."""
    solarize_threshold: float | None = None
    """Pixels at or above this value are inverted when solarizing."""

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(f"data.augment.preset: {self.preset!r} is not one of {sorted(PRESETS)}")
        for key, value in PRESETS[self.preset].items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        for key in ("crop_scale", "crop_ratio", "blur_sigma"):
            setattr(self, key, tuple(float(v) for v in getattr(self, key)))
        self.validate()

    def validate(self) -> None:
        for key in ("flip", "jitter_prob", "grayscale", "blur", "solarize"):
            if not 0.0 <= getattr(self, key) <= 1.0:
                raise ConfigError(f"data.augment.{key}: {getattr(self, key)} is a probability (use 0..1)")
        lo, hi = self.crop_scale
        if not 0.0 < lo <= hi <= 1.0:
            raise ConfigError(f"data.augment.crop_scale: {self.crop_scale} must satisfy 0 < min <= max <= 1")
        if not 0.0 < self.crop_ratio[0] <= self.crop_ratio[1]:
            raise ConfigError(f"data.augment.crop_ratio: {self.crop_ratio} must satisfy 0 < min <= max")
        if not 0.0 < self.blur_sigma[0] <= self.blur_sigma[1]:
            raise ConfigError(f"data.augment.blur_sigma: {self.blur_sigma} must satisfy 0 < min <= max")
        if self.jitter < 0 or self.size < 0:
            raise ConfigError("data.augment.jitter and data.augment.size must be >= 0")


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finalizer on uint64 arrays (wrapping arithmetic): a stable 64-bit mixing hash."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def sample_uniforms(seed: int, step: int, index: torch.Tensor, view: int = 0) -> np.ndarray:
    """``(B, N_UNIFORMS)`` uniforms in [0, 1); row ``b`` depends only on ``(seed, step, index[b], view)``.

    A counter-based generator: the key is SplitMix64 chained over (seed, step, index, view), and
    uniform ``j`` is the top 53 bits of ``splitmix64(key + j)`` (vectorized, no per-sample objects).
    """
    mask = (1 << 64) - 1
    idx = index.detach().cpu().numpy().astype(np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = _splitmix64(np.full(idx.shape, seed & mask, np.uint64))
        key = _splitmix64(key ^ np.uint64(step & mask))
        key = _splitmix64(key ^ idx)
        key = _splitmix64(key ^ np.uint64(view & mask))
        bits = _splitmix64(key[:, None] + np.arange(N_UNIFORMS, dtype=np.uint64)[None])
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def crop_boxes(u: np.ndarray, cfg: AugmentConfig, height: int, width: int) -> np.ndarray:
    """``(B, 4)`` crops ``(cx, cy, w, h)`` as fractions of the image, from uniforms ``u[:, 0:22]``."""
    lo, hi = cfg.crop_scale
    log_r = np.log(cfg.crop_ratio)
    area = lo + u[:, 0:10] * (hi - lo)
    ratio = np.exp(log_r[0] + u[:, 10:20] * (log_r[1] - log_r[0]))
    w = np.sqrt(area * ratio * height / width)
    h = np.sqrt(area / ratio * width / height)
    ok = (w <= 1.0) & (h <= 1.0)
    first = np.where(ok.any(1), ok.argmax(1), -1)
    rows = np.arange(len(u))
    w = np.where(first >= 0, w[rows, first], 1.0)
    h = np.where(first >= 0, h[rows, first], 1.0)
    cx = w / 2 + u[:, 20] * (1 - w)
    cy = h / 2 + u[:, 21] * (1 - h)
    return np.stack([cx, cy, w, h], 1)


def _crop_flip(x: torch.Tensor, boxes: np.ndarray, flip: np.ndarray, size: int) -> torch.Tensor:
    b = torch.as_tensor(boxes, dtype=x.dtype, device=x.device)
    sx = b[:, 2] * torch.as_tensor(np.where(flip, -1.0, 1.0), dtype=x.dtype, device=x.device)
    theta = torch.zeros(len(x), 2, 3, dtype=x.dtype, device=x.device)
    theta[:, 0, 0], theta[:, 0, 2] = sx, 2 * b[:, 0] - 1
    theta[:, 1, 1], theta[:, 1, 2] = b[:, 3], 2 * b[:, 1] - 1
    grid = F.affine_grid(theta, [len(x), x.shape[1], size, size], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def _luma(x: torch.Tensor) -> torch.Tensor:
    w = torch.tensor(LUMA, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    return (x * w).sum(1, keepdim=True)


def _hue(x: torch.Tensor, turns: torch.Tensor) -> torch.Tensor:
    """Rotate chroma in YIQ space by ``2 pi turns`` per sample."""
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]],
                          dtype=x.dtype, device=x.device)
    yiq = torch.einsum("ij,bjhw->bihw", to_yiq, x)
    a = 2 * math.pi * turns.view(-1, 1, 1)
    c, s = torch.cos(a), torch.sin(a)
    i, q = yiq[:, 1], yiq[:, 2]
    yiq = torch.stack([yiq[:, 0], c * i - s * q, s * i + c * q], 1)
    return torch.einsum("ij,bjhw->bihw", torch.linalg.inv(to_yiq), yiq)


def _jitter(x: torch.Tensor, u: torch.Tensor, on: torch.Tensor, s: float) -> torch.Tensor:
    rgb = x.shape[1] == 3
    f = 1 + (2 * u[:, :3] - 1) * 0.8 * s
    y = (x * f[:, 0].view(-1, 1, 1, 1)).clamp(0, 1)
    mean = (_luma(y) if rgb else y).mean((1, 2, 3), keepdim=True)
    y = ((y - mean) * f[:, 1].view(-1, 1, 1, 1) + mean).clamp(0, 1)
    if rgb:
        g = _luma(y)
        y = ((y - g) * f[:, 2].view(-1, 1, 1, 1) + g).clamp(0, 1)
        y = _hue(y, (2 * u[:, 3] - 1) * 0.2 * s).clamp(0, 1)
    return torch.where(on.view(-1, 1, 1, 1), y, x)


def _blur(x: torch.Tensor, sigma: torch.Tensor, on: torch.Tensor, max_sigma: float) -> torch.Tensor:
    b, c, h, w = x.shape
    r = max(1, min(math.ceil(3 * max_sigma), h - 1, w - 1))
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-(t[None] ** 2) / (2 * sigma[:, None] ** 2))
    k = (k / k.sum(1, keepdim=True)).repeat_interleave(c, 0)
    y = F.pad(x.reshape(1, b * c, h, w), (r, r, r, r), mode="reflect")
    y = F.conv2d(y, k.view(b * c, 1, 1, -1), groups=b * c)
    y = F.conv2d(y, k.view(b * c, 1, -1, 1), groups=b * c).view(b, c, h, w)
    return torch.where(on.view(-1, 1, 1, 1), y, x)


def augment(images: torch.Tensor, cfg: AugmentConfig, seed: int, step: int, index: torch.Tensor,
            view: int = 0) -> torch.Tensor:
    """Augment float ``(B, C, H, W)`` images in ``[0, 1]``; deterministic per (seed, step, index, view)."""
    if images.ndim != 4 or not images.is_floating_point():
        raise ValueError(f"augment: expected float images (B, C, H, W) in [0, 1], got {tuple(images.shape)} "
                         f"{images.dtype} (divide uint8 images by 255 first)")
    if len(index) != len(images):
        raise ValueError(f"augment: index has {len(index)} entries for {len(images)} images")
    b, c, h, w = images.shape
    size = cfg.size or h
    un = sample_uniforms(seed, step, index, view)
    u = torch.as_tensor(un, dtype=images.dtype, device=images.device)
    flip = un[:, 22] < cfg.flip
    x = images
    if cfg.crop_scale != (1.0, 1.0) or flip.any() or size != h or h != w:
        x = _crop_flip(x, crop_boxes(un, cfg, h, w), flip, size)
    if cfg.jitter > 0 and cfg.jitter_prob > 0:
        x = _jitter(x, u[:, 23:27], u[:, 27] < cfg.jitter_prob, cfg.jitter)
    if cfg.grayscale > 0 and c == 3:
        x = torch.where((u[:, 28] < cfg.grayscale).view(-1, 1, 1, 1), _luma(x).expand_as(x), x)
    if cfg.blur > 0:
        lo, hi = cfg.blur_sigma
        x = _blur(x, lo + u[:, 30] * (hi - lo), u[:, 29] < cfg.blur, hi)
    if cfg.solarize > 0:
        x = torch.where((u[:, 31] < cfg.solarize).view(-1, 1, 1, 1) & (x >= cfg.solarize_threshold), 1 - x, x)
    return x


def resize(x: torch.Tensor, size: int, interpolation: str = "bilinear") -> torch.Tensor:
    """Resize ``(B, C, H, W)`` to ``size`` x ``size``; anti-aliased when shrinking (bilinear/bicubic)."""
    if interpolation not in MODES:
        raise ValueError(f"resize: interpolation {interpolation!r} is not one of {sorted(MODES)}")
    if x.shape[-2:] == (size, size):
        return x
    kw = {"align_corners": False, "antialias": True} if interpolation in ("bilinear", "bicubic") else {}
    return F.interpolate(x, size=(size, size), mode=MODES[interpolation], **kw)


def normalize(x: torch.Tensor, mean, std) -> torch.Tensor:
    """``(x - mean) / std`` per channel; ``mean``/``std`` must have one entry per channel of ``x``."""
    if len(mean) != x.shape[1] or len(std) != x.shape[1]:
        raise ValueError(f"normalize: images have {x.shape[1]} channel(s) but mean/std have "
                         f"{len(mean)}/{len(std)} entries (expected one per channel)")
    m = torch.as_tensor(mean, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    s = torch.as_tensor(std, dtype=x.dtype, device=x.device).view(1, -1, 1, 1)
    return (x - m) / s


def to_float(images, scale: float = 255.0) -> torch.Tensor:
    """uint8 (or float reflectance) array/tensor -> float32 tensor in ``[0, 1]`` (divides by ``scale``)."""
    t = torch.as_tensor(np.asarray(images)) if not isinstance(images, torch.Tensor) else images
    return t.to(torch.float32) / float(scale)


__all__ = ["AugmentConfig", "PRESETS", "augment", "resize", "normalize", "to_float", "crop_boxes",
           "sample_uniforms"]
