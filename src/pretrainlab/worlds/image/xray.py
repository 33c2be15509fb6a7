"""Grayscale chest "X-ray"-like images with co-occurring multi-label findings.

Anatomy (bright = dense): air background, an elliptical torso, two dark lung fields, a bright
spine, rib arcs over the lungs and a heart shadow, each with per-image jitter of size, position,
tilt and exposure. Five findings are drawn as localized changes:

    cardiomegaly  heart shadow x1.2-1.45     effusion     fluid level at a lung base (meniscus)
    nodule        small bright disc in a lung   opacity  diffuse bright blob in a lung
    atelectasis   a bright band across a lung

Each finding has a random severity (contrast, size) and the normal heart size varies (x0.85-1.12),
so findings overlap with normal anatomy and no single pixel decides a label.

Co-occurrence comes from latent conditions (``meta["conditions"]``): each image has each condition
independently with the probability below (times ``xray_prevalence``), a condition turns on its
findings with the listed probabilities, and each finding also appears alone with 3%::

    heart_failure 0.15 -> cardiomegaly 0.85, effusion 0.6, opacity 0.2
    pneumonia     0.15 -> opacity 0.85, effusion 0.3, atelectasis 0.4
    tumour        0.10 -> nodule 0.9, atelectasis 0.3, effusion 0.15

So cardiomegaly and effusion are positively correlated, and nodule and cardiomegaly about independent.
``test_shift`` draws the same population through a second "scanner" (gamma 0.7, double noise).
"""

from __future__ import annotations

import numpy as np

from .common import SPLIT_SALT, coords, rng, to_uint8
from .config import ImageData, ImageSplit

FINDINGS = ("cardiomegaly", "effusion", "nodule", "opacity", "atelectasis")
CONDITIONS = ("heart_failure", "pneumonia", "tumour")
CONDITION_P = np.array([0.15, 0.15, 0.10])
EMISSION = np.array([[0.85, 0.6, 0.0, 0.2, 0.0],
                     [0.0, 0.3, 0.0, 0.85, 0.4],
                     [0.0, 0.15, 0.9, 0.0, 0.3]])
SOLO_P = 0.03


def sample_findings(gen: np.random.Generator, n: int, prevalence: float) -> tuple[np.ndarray, np.ndarray]:
    """Latent conditions ``(n, 3)`` and multi-hot findings ``(n, 5)`` from the generative model above."""
    cond = gen.random((n, len(CONDITIONS))) < np.clip(CONDITION_P * prevalence, 0, 1)
    p_off = np.prod(1 - cond[:, :, None] * EMISSION[None], axis=1) * (1 - min(SOLO_P * prevalence, 1.0))
    findings = gen.random((n, len(FINDINGS))) >= p_off
    return cond.astype(np.int64), findings.astype(np.float32)


def _ellipse(x, y, cx, cy, rx, ry, width):
    return np.clip(0.5 - (np.hypot((x - cx) / rx, (y - cy) / ry) - 1) * min(rx, ry) / width, 0, 1)


def render_xray(gen: np.random.Generator, findings: np.ndarray, size: int, gamma: float = 1.0,
                noise: float = 0.04, contrast: float = 1.0) -> np.ndarray:
    """One ``(size, size)`` image in ``[0, 1]``; ``contrast`` scales every finding's visibility."""
    x, y = coords(size)
    px = 2.0 / size
    tilt = gen.uniform(-0.08, 0.08)
    x, y = x * np.cos(tilt) - y * np.sin(tilt) - gen.uniform(-0.05, 0.05), x * np.sin(tilt) + y * np.cos(tilt)
    s = gen.uniform(0.9, 1.05)
    body = _ellipse(x, y, 0, 0.1, 0.88 * s, 1.0 * s, px)
    img = 0.05 + 0.33 * body
    lungs = []
    for side in (-1, 1):
        cx, rx, ry = side * 0.38 * s, 0.27 * s * gen.uniform(0.92, 1.08), 0.58 * s
        lung = _ellipse(x, y, cx, -0.05, rx, ry, px)
        lungs.append((lung, cx, rx, ry))
        img = img - 0.22 * lung
        ribs = 0.5 + 0.5 * np.cos((y + 0.12 * (x - cx) ** 2 / rx) * 2 * np.pi / 0.22)
        img = img + 0.06 * lung * (ribs > 0.8)
    img = img + 0.3 * np.clip(0.5 - (np.abs(x) - 0.06) / px, 0, 1) * body
    heart = gen.uniform(0.85, 1.12) * (1 + contrast * gen.uniform(0.2, 0.45) if findings[0] else 1.0)
    hx, hy = 0.12 + gen.uniform(-0.05, 0.05), 0.3 + gen.uniform(-0.05, 0.05)
    img = img + 0.28 * _ellipse(x, y, hx, hy, 0.22 * s * heart, 0.2 * s * heart, px)
    for f in np.flatnonzero(findings[1:]) + 1:
        lung, cx, rx, ry = lungs[int(gen.integers(0, 2))]
        if FINDINGS[f] == "effusion":
            level = -0.05 + ry * gen.uniform(0.25, 0.55)
            img = img + contrast * gen.uniform(0.1, 0.25) * lung * np.clip((y - level - 0.3 * (x - cx) ** 2) / px, 0, 1)
        elif FINDINGS[f] == "nodule":
            nx, ny = cx + gen.uniform(-0.5, 0.5) * rx, -0.05 + gen.uniform(-0.5, 0.3) * ry
            r = gen.uniform(0.04, 0.07)
            img = img + contrast * gen.uniform(0.2, 0.4) * _ellipse(x, y, nx, ny, r, r, px)
        elif FINDINGS[f] == "opacity":
            ox, oy = cx + gen.uniform(-0.4, 0.4) * rx, -0.05 + gen.uniform(-0.5, 0.5) * ry
            blob = np.exp(-((x - ox) ** 2 + (y - oy) ** 2) / (2 * gen.uniform(0.1, 0.16) ** 2))
            img = img + contrast * gen.uniform(0.12, 0.3) * lung * blob
        else:
            ay, a = -0.05 + gen.uniform(-0.3, 0.5) * ry, gen.uniform(-0.4, 0.4)
            img = img + contrast * gen.uniform(0.12, 0.25) * lung * (np.abs(y - ay - a * (x - cx)) < 0.035)
    img = np.clip(img * gen.uniform(0.9, 1.1), 0, 1) ** gamma
    return np.clip(img + noise * gen.standard_normal(img.shape), 0, 1)


def _split(cfg, split: str, n: int) -> ImageSplit:
    cond, labels = sample_findings(rng(cfg.seed, "xray", split), n, cfg.xray_prevalence)
    shifted = split == "test_shift"
    gamma, noise = (0.7, 2 * cfg.xray_noise) if shifted else (1.0, cfg.xray_noise)
    images = np.empty((n, 1, cfg.size, cfg.size), np.uint8)
    for i in range(n):
        g = rng(cfg.seed, "xray", SPLIT_SALT[split], i)
        images[i, 0] = to_uint8(render_xray(g, labels[i], cfg.size, gamma, noise, cfg.xray_contrast))
    return ImageSplit(images=images, labels=labels, meta={"conditions": cond})


def generate(cfg) -> ImageData:
    sizes = {"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test, "test_shift": cfg.n_test}
    splits = {name: _split(cfg, name, n) for name, n in sizes.items()}
    return ImageData(splits=splits, num_classes=len(FINDINGS), multilabel=True, channels=1,
                     class_names=list(FINDINGS), preprocessing={"bands": ["gray"], "scale": 255.0,
                                                                "conditions": list(CONDITIONS)})
