"""Multi-band "satellite" tiles: land-cover maps with per-class spectral signatures, at two resolutions.

A scene's land cover is ``argmax_k (g_k + b_k)`` over smooth periodic Gaussian random fields ``g_k``
(correlation length ``sat_smooth * size`` px) plus per-tile class biases ``b_k = 0.6 log(Dirichlet(0.6))``
so some tiles are dominated by one class. Each pixel's reflectance over the six bands is its class's
signature (rough Sentinel-2-like values below) times a class texture (field rows for cropland,
blocks for urban, fine grain for forest), times a per-tile illumination factor, plus Gaussian noise
``sat_noise``; values are stored as float32 reflectance x 10000 (``preprocessing["scale"] = 10000``).

Targets are multi-label: class ``k`` is positive when it covers at least ``sat_min_frac`` of the tile
(``meta["fractions"]`` holds the coverage); ``sat_label: dominant`` makes the majority class the
single label instead (for kNN/linear accuracy, as in the resize-and-normalize study).
``train/val/test`` are at ``size`` px; ``train_lowres/val_lowres/test_lowres`` are the *same* scenes
integrated over ``sat_gsd_factor`` x coarser pixels (block mean, then fresh noise), i.e. a coarser
ground sample distance, stored at their native ``size // sat_gsd_factor`` px.
"""

from __future__ import annotations

import numpy as np

from .common import block_mean, rng, smooth_fields
from .config import ImageData, ImageSplit

BANDS = ("blue", "green", "red", "nir", "swir1", "swir2")
CLASSES = ("water", "forest", "grassland", "cropland", "urban", "bare")
SIGNATURES = np.array([
    [0.060, 0.050, 0.030, 0.020, 0.010, 0.005],
    [0.030, 0.060, 0.040, 0.350, 0.160, 0.070],
    [0.050, 0.090, 0.070, 0.420, 0.270, 0.140],
    [0.060, 0.100, 0.100, 0.300, 0.300, 0.200],
    [0.120, 0.130, 0.150, 0.200, 0.240, 0.220],
    [0.150, 0.200, 0.260, 0.320, 0.400, 0.380],
])
SCALE = 10000.0
GSD_M = 10.0


def _textures(gen: np.random.Generator, size: int) -> np.ndarray:
    """Multiplicative texture per class ``(K, size, size)`` around 1."""
    t = np.ones((len(CLASSES), size, size))
    yy, xx = np.mgrid[0:size, 0:size]
    a = gen.uniform(0, np.pi)
    t[1] = 1 + 0.12 * gen.standard_normal((size, size))
    t[3] = 1 + 0.25 * np.sign(np.sin((np.cos(a) * xx + np.sin(a) * yy) * 2 * np.pi / 4))
    t[4] = 1 + 0.3 * (((xx // 3) + (yy // 3)) % 2 - 0.5)
    t[5] = 1 + 0.06 * gen.standard_normal((size, size))
    return t


def render_scenes(cfg, split: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Noise-free reflectance ``(n, bands, size, size)`` in [0, 1] and land-cover maps ``(n, size, size)``."""
    size, k = cfg.size, len(CLASSES)
    refl = np.empty((n, len(BANDS), size, size), np.float32)
    cover = np.empty((n, size, size), np.int64)
    for i in range(n):
        gen = rng(cfg.seed, "satellite", split, i)
        fields = smooth_fields(gen, k, size, cfg.sat_smooth * size)
        bias = 0.6 * np.log(gen.dirichlet(np.full(k, 0.6)) + 1e-6)
        lab = np.argmax(fields + bias[:, None, None], 0)
        tex = np.take_along_axis(_textures(gen, size), lab[None], 0)[0]
        sig = SIGNATURES[lab].transpose(2, 0, 1) * tex[None] * gen.uniform(0.85, 1.15)
        refl[i], cover[i] = sig, lab
    return refl, cover


def _observe(refl: np.ndarray, noise: float, gen: np.random.Generator) -> np.ndarray:
    x = refl + np.float32(noise) * gen.standard_normal(refl.shape, dtype=np.float32)
    return np.clip(x, 0, 1, out=x) * np.float32(SCALE)


def _split_pair(cfg, split: str, n: int) -> tuple[ImageSplit, ImageSplit]:
    refl, cover = render_scenes(cfg, split, n)
    k = len(CLASSES)
    fractions = np.stack([(cover == c).mean((1, 2)) for c in range(k)], 1).astype(np.float32)
    meta = {"fractions": fractions, "dominant": fractions.argmax(1).astype(np.int64)}
    labels = (fractions >= cfg.sat_min_frac).astype(np.float32) if cfg.sat_label == "multi" else meta["dominant"]
    low_size = cfg.size // cfg.sat_gsd_factor
    gen = rng(cfg.seed, "satellite-noise", split)
    fine = ImageSplit(_observe(refl, cfg.sat_noise, gen), labels, dict(meta))
    coarse = ImageSplit(_observe(block_mean(refl, low_size), cfg.sat_noise, gen), labels.copy(),
                        {key: v.copy() for key, v in meta.items()})
    return fine, coarse


def generate(cfg) -> ImageData:
    splits = {}
    for name, n in {"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test}.items():
        splits[name], splits[f"{name}_lowres"] = _split_pair(cfg, name, n)
    return ImageData(splits=splits, num_classes=len(CLASSES), multilabel=cfg.sat_label == "multi", channels=len(BANDS),
                     class_names=list(CLASSES),
                     preprocessing={"bands": list(BANDS), "scale": SCALE, "gsd_m": GSD_M,
                                    "lowres_size": cfg.size // cfg.sat_gsd_factor,
                                    "lowres_gsd_m": GSD_M * cfg.size / (cfg.size // cfg.sat_gsd_factor)})
