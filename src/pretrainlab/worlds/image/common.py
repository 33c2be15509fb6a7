"""Helpers shared by the image worlds: seeded generators, smooth random fields, soft masks, resizing.

Seeds come from ``pretrainlab.seeding.derive_seed`` (blake2b over the parts), never ``hash()``, so an
image is the same in every process. ``per_image_rng(seed, kind, split, i)`` makes image ``i`` of a
split independent of how many images are drawn.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from pretrainlab.seeding import derive_seed

SPLIT_SALT = {"train": 0, "val": 1, "test": 2, "test_shift": 3}


def rng(*parts: object) -> np.random.Generator:
    """A numpy generator seeded by a stable hash of ``parts``."""
    return np.random.default_rng(derive_seed(*parts))


def split_sizes(cfg) -> dict[str, int]:
    return {"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test}


def balanced_labels(n: int, k: int, gen: np.random.Generator) -> np.ndarray:
    """``n`` labels over ``k`` classes whose counts differ by at most one, in random order."""
    return gen.permutation(np.arange(n) % k).astype(np.int64)


def coords(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in ``[-1, 1]`` as ``(x, y)`` grids of shape ``(size, size)``."""
    t = (np.arange(size) + 0.5) / size * 2 - 1
    y, x = np.meshgrid(t, t, indexing="ij")
    return x, y


def soft(d: np.ndarray, width: float) -> np.ndarray:
    """Anti-aliased coverage of the region ``d < 0`` of a signed distance ``d`` (``width`` = one pixel)."""
    return np.clip(0.5 - d / width, 0.0, 1.0)


def smooth_fields(gen: np.random.Generator, n: int, size: int, length: float) -> np.ndarray:
    """``n`` periodic Gaussian random fields ``(n, size, size)``, unit variance, correlation ``length`` px."""
    noise = gen.standard_normal((n, size, size))
    k2 = np.fft.fftfreq(size)[:, None] ** 2 + np.fft.rfftfreq(size)[None, :] ** 2
    kernel = np.exp(-2 * (np.pi * length) ** 2 * k2)
    out = np.fft.irfft2(np.fft.rfft2(noise) * kernel, s=(size, size))
    out -= out.mean(axis=(1, 2), keepdims=True)
    return out / (out.std(axis=(1, 2), keepdims=True) + 1e-12)


def resize_array(images: np.ndarray, size: int, interpolation: str = "bilinear") -> np.ndarray:
    """Resize float ``(N, C, H, W)`` images to ``size`` x ``size`` (anti-aliased when shrinking)."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images.astype(np.float32)
    from ...data.image_augment import resize

    return resize(torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)), size, interpolation).numpy()


def block_mean(images: np.ndarray, size: int) -> np.ndarray:
    """Area-average float ``(N, C, H, W)`` images down to ``size`` (a coarser ground sample distance)."""
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    return F.adaptive_avg_pool2d(x, size).numpy()


def to_uint8(x: np.ndarray) -> np.ndarray:
    """Floats in ``[0, 1]`` to ``uint8`` (rounded, clipped)."""
    return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8)


def channel_stats(images: np.ndarray, scale: float) -> tuple[list[float], list[float]]:
    """Per-channel mean and std of ``images / scale`` (the ``[0, 1]`` units the augmenter sees)."""
    c = images.shape[1]
    total, sq, count = np.zeros(c), np.zeros(c), 0
    for start in range(0, len(images), 512):
        x = images[start:start + 512].astype(np.float64) / scale
        total += x.sum(axis=(0, 2, 3))
        sq += (x * x).sum(axis=(0, 2, 3))
        count += x.shape[0] * x.shape[2] * x.shape[3]
    if count == 0:
        return [0.5] * c, [0.25] * c
    mean = total / count
    std = np.sqrt(np.maximum(sq / count - mean**2, 0.0))
    return [float(m) for m in mean], [float(max(s, 1e-6)) for s in std]


def hsv_to_rgb(h: np.ndarray, s: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Vectorized HSV -> RGB for arrays of the same shape; returns ``(..., 3)``."""
    i = np.floor(h * 6).astype(int) % 6
    f = h * 6 - np.floor(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    table = np.stack([np.stack(c, -1) for c in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))])
    return np.take_along_axis(table, i[None, ..., None].repeat(3, -1), 0)[0]
