"""Formula-driven fractal images (FractalDB; Kataoka et al., ACCV 2020, arXiv 2101.08515).

A class is one random iterated function system (IFS): ``N`` affine maps
``w_i(p) = [[a, b], [c, d]] p + [e, f]`` with ``a..f ~ U(-1, 1)``, picked with probability
``p_i = |ad - bc| / sum_j |a_j d_j - b_j c_j|``. The chaos game iterates ``p <- w_i(p)`` from the
origin with random ``i``; the visited points, rescaled to the image by their bounding box, draw the
attractor. **Filling rate**: the share of a 32x32 grid that the points hit. Systems below
``fractal_fill_min`` (FractalDB uses 0.2) are degenerate (a point, a line, a thin curve) and are
resampled, as are diverging ones. Instances of a class perturb one parameter of one map by a factor
``1 + U(-fractal_jitter, fractal_jitter)`` (FractalDB: x0.8..1.2), flip at random and take a random
hue on black. Many chains run in parallel, so rendering is vectorized over instances and chains.
"""

from __future__ import annotations

import numpy as np

from .common import SPLIT_SALT, balanced_labels, hsv_to_rgb, rng, to_uint8
from .config import ImageData, ImageSplit

FILL_GRID = 32
CHAINS = 64
BURN_IN = 20
CANDIDATES = 16
ROUNDS = 100
TRIM = 0.002


def sample_ifs(gen: np.random.Generator, n_maps: int) -> np.ndarray:
    """Random IFS parameters ``(n_maps, 6)`` = ``a, b, c, d, e, f`` per map."""
    return gen.uniform(-1.0, 1.0, size=(n_maps, 6))


def map_probs(params: np.ndarray) -> np.ndarray:
    """Selection probabilities ``|det| / sum |det|`` over the last-but-one axis."""
    det = np.abs(params[..., 0] * params[..., 3] - params[..., 1] * params[..., 2]) + 1e-9
    return det / det.sum(-1, keepdims=True)


def chaos_game(params: np.ndarray, n_points: int, gen: np.random.Generator) -> np.ndarray:
    """Points ``(B, n_points, 2)`` of ``B`` systems ``params (B, N, 6)`` (NaN/inf if a system diverges)."""
    b, n_maps, _ = params.shape
    steps = BURN_IN + -(-n_points // CHAINS)
    cdf = np.cumsum(map_probs(params), -1)
    p = np.zeros((b, CHAINS, 2))
    out = np.empty((b, steps - BURN_IN, CHAINS, 2))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            pick = (gen.random((b, CHAINS, 1)) > cdf[:, None, :]).sum(-1).clip(max=n_maps - 1)
            w = np.take_along_axis(params, pick[..., None], 1)
            p = np.stack([w[..., 0] * p[..., 0] + w[..., 1] * p[..., 1] + w[..., 4],
                          w[..., 2] * p[..., 0] + w[..., 3] * p[..., 1] + w[..., 5]], -1)
            if t >= BURN_IN:
                out[:, t - BURN_IN] = p
    return out.reshape(b, -1, 2)[:, :n_points]


def rasterize(points: np.ndarray, size: int) -> np.ndarray:
    """Hit counts ``(B, size, size)`` of points scaled by their bounding box (the 0.2% outermost points
    on each side are ignored, so a few stragglers do not shrink the attractor)."""
    b = points.shape[0]
    lo, hi = np.quantile(points, [TRIM, 1 - TRIM], axis=1, keepdims=True)
    extent = np.maximum((hi - lo).max(-1, keepdims=True), 1e-12)
    centre = (lo + hi) / 2
    q = np.floor(((points - centre) / extent * 0.94 + 0.5) * size)
    inside = ((q >= 0) & (q < size)).all(-1)
    ij = np.clip(q, 0, size - 1).astype(np.int64)
    flat = np.arange(b)[:, None] * size * size + ij[..., 1] * size + ij[..., 0]
    return np.bincount(flat[inside], minlength=b * size * size).reshape(b, size, size)


def filling_rate(points: np.ndarray, grid: int = FILL_GRID) -> np.ndarray:
    """Share of a ``grid x grid`` raster hit by each system's points; 0 for diverging systems."""
    ok = np.isfinite(points).all((1, 2)) & (np.abs(points).max((1, 2), initial=0) < 1e6)
    safe = np.where(ok[:, None, None], points, 0.0)
    rate = (rasterize(safe, grid) > 0).mean((1, 2))
    return np.where(ok, rate, 0.0)


def class_systems(cfg) -> tuple[list[np.ndarray], list[float]]:
    """One accepted IFS per class (the first of 16 candidates per round whose filling rate passes) and
    the filling rate it was accepted with."""
    systems, rates = [], []
    for c in range(cfg.fractal_classes):
        gen = rng(cfg.seed, "fractal", "class", c)
        for _ in range(ROUNDS):
            n_maps = int(gen.integers(cfg.fractal_maps[0], cfg.fractal_maps[1] + 1))
            params = np.stack([sample_ifs(gen, n_maps) for _ in range(CANDIDATES)])
            rate = filling_rate(chaos_game(params, cfg.fractal_points, gen))
            good = np.flatnonzero(rate >= cfg.fractal_fill_min)
            if len(good):
                systems.append(params[good[0]])
                rates.append(float(rate[good[0]]))
                break
        else:
            raise ValueError(f"fractal class {c}: no IFS reached data.world.fractal_fill_min="
                             f"{cfg.fractal_fill_min} in {ROUNDS * CANDIDATES} tries; lower it")
    return systems, rates


def _split(cfg, systems, split: str, n: int) -> ImageSplit:
    k = len(systems)
    labels = balanced_labels(n, k, rng(cfg.seed, "fractal", split))
    images = np.empty((n, 3, cfg.size, cfg.size), np.uint8)
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        if len(idx) == 0:
            continue
        gen = rng(cfg.seed, "fractal", SPLIT_SALT[split], c)
        params = np.repeat(systems[c][None], len(idx), 0)
        which = gen.integers(0, params.shape[1], len(idx)), gen.integers(0, 6, len(idx))
        params[np.arange(len(idx)), which[0], which[1]] *= 1 + gen.uniform(-1, 1, len(idx)) * cfg.fractal_jitter
        hits = rasterize(np.nan_to_num(chaos_game(params, cfg.fractal_points, gen), posinf=0, neginf=0), cfg.size)
        flip = gen.random(len(idx)) < 0.5
        hits[flip] = hits[flip, :, ::-1]
        value = np.clip(hits / 2.0, 0, 1)
        colour = hsv_to_rgb(gen.random(len(idx)), gen.uniform(0.5, 1, len(idx)), np.ones(len(idx)))
        images[idx] = to_uint8(value[:, None] * colour[:, :, None, None])
    return ImageSplit(images=images, labels=labels, meta={})


def generate(cfg) -> ImageData:
    systems, rates = class_systems(cfg)
    sizes = {"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test}
    splits = {name: _split(cfg, systems, name, n) for name, n in sizes.items()}
    return ImageData(splits=splits, num_classes=len(systems), multilabel=False, channels=3,
                     class_names=[f"ifs{c:03d}" for c in range(len(systems))],
                     preprocessing={"bands": ["red", "green", "blue"], "scale": 255.0,
                                    "filling_rates": [round(float(r), 4) for r in rates]})
