"""Procedural shapes: super-classes with latent sub-classes and nuisance colour/background.

Four super-classes of three sub-classes each, drawn as anti-aliased signed-distance shapes with a
random position, scale and rotation::

    round:   disk, ring, ellipse          polygon: triangle, square, hexagon
    line:    bar, cross, ell              texture: stripes, checker, dots (inside a disk)

The label is the super-class (sub-class latent, in ``meta["subclass"]``) or the sub-class
(``label: sub``). Nuisance attributes: foreground colour (8 colours) and background (5 patterns).
With probability ``spurious`` the colour is the class's own colour ``c % 8``, otherwise uniform
(so ``P(colour = class colour) = spurious + (1 - spurious) / 8``); ``spurious_background`` does the
same for the background. ``test_shift`` keeps the strength but rotates the map (class ``c`` gets the
colour/background of class ``c + 1``), so a model that learned the shortcut is misled there.
"""

from __future__ import annotations

import numpy as np

from .common import SPLIT_SALT, balanced_labels, coords, rng, soft, to_uint8
from .config import ImageData, ImageSplit

SUPERS = ("round", "polygon", "line", "texture")
SUBS = (("disk", "ring", "ellipse"), ("triangle", "square", "hexagon"), ("bar", "cross", "ell"),
        ("stripes", "checker", "dots"))
COLOURS = np.array([[0.9, 0.15, 0.15], [0.15, 0.8, 0.2], [0.2, 0.35, 0.95], [0.95, 0.85, 0.1],
                    [0.85, 0.2, 0.85], [0.1, 0.85, 0.85], [1.0, 0.55, 0.1], [0.95, 0.95, 0.95]])
COLOUR_NAMES = ("red", "green", "blue", "yellow", "magenta", "cyan", "orange", "white")
BACKGROUNDS = ("dark", "grey", "noise", "gradient", "grid")


def _box(u, v, cx, cy, a, b):
    return np.maximum(np.abs(u - cx) - a, np.abs(v - cy) - b)


def _polygon(u, v, n, radius):
    ang = np.arctan2(v, u) + np.pi / 2
    sector = 2 * np.pi / n
    return np.hypot(u, v) * np.cos((ang % sector) - sector / 2) - radius * np.cos(np.pi / n)


def shape_distance(name: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Signed distance (negative inside) of the named shape in its unit frame."""
    r = np.hypot(u, v)
    if name == "disk" or name in SUBS[3]:
        return r - 0.9
    if name == "ring":
        return np.abs(r - 0.68) - 0.22
    if name == "ellipse":
        return (np.hypot(u / 0.95, v / 0.5) - 1.0) * 0.5
    if name in ("triangle", "square", "hexagon"):
        return _polygon(u, v, {"triangle": 3, "square": 4, "hexagon": 6}[name], 0.95)
    if name == "bar":
        return _box(u, v, 0, 0, 0.95, 0.22)
    if name == "cross":
        return np.minimum(_box(u, v, 0, 0, 0.95, 0.2), _box(u, v, 0, 0, 0.2, 0.95))
    if name == "ell":
        return np.minimum(_box(u, v, -0.6, 0, 0.22, 0.9), _box(u, v, 0.1, 0.68, 0.9, 0.22))
    raise ValueError(f"unknown shape {name!r}")


def _pattern(name: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Interior pattern of the texture sub-classes, in ``[0, 1]`` (1 = foreground colour)."""
    if name == "stripes":
        return 0.5 + 0.5 * np.tanh(4 * np.sin(u * 7))
    if name == "checker":
        return 0.5 + 0.5 * np.tanh(4 * np.sin(u * 6) * np.sin(v * 6))
    if name == "dots":
        cu, cv = (u * 2.2) % 1.0 - 0.5, (v * 2.2) % 1.0 - 0.5
        return np.clip(0.5 - (np.hypot(cu, cv) - 0.28) * 12, 0, 1)
    return np.ones_like(u)


def _background(kind: int, gen: np.random.Generator, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    size = x.shape[0]
    if kind == 0:
        bg = np.full((size, size), 0.08)
    elif kind == 1:
        bg = np.full((size, size), 0.45)
    elif kind == 2:
        bg = 0.3 + 0.15 * gen.standard_normal((size, size))
    elif kind == 3:
        a = gen.uniform(0, 2 * np.pi)
        bg = 0.3 + 0.25 * (np.cos(a) * x + np.sin(a) * y)
    else:
        bg = 0.15 + 0.35 * ((np.abs(np.sin(x * 10)) < 0.2) | (np.abs(np.sin(y * 10)) < 0.2))
    tint = 1 + 0.15 * gen.standard_normal(3)
    return np.clip(bg[None] * tint[:, None, None], 0, 1)


def render_shape(gen: np.random.Generator, sup: int, sub: int, colour: int, background: int,
                 size: int) -> np.ndarray:
    """One ``(3, size, size)`` float image in ``[0, 1]``."""
    x, y = coords(size)
    scale = gen.uniform(0.45, 0.8)
    cx, cy = gen.uniform(-1 + scale, 1 - scale, size=2) * 0.9
    theta = gen.uniform(0, 2 * np.pi)
    c, s = np.cos(theta), np.sin(theta)
    u = (c * (x - cx) + s * (y - cy)) / scale
    v = (-s * (x - cx) + c * (y - cy)) / scale
    name = SUBS[sup][sub]
    cover = soft(shape_distance(name, u, v), 2.0 / size / scale) * _pattern(name, u, v)
    fg = np.clip(COLOURS[colour] * gen.uniform(0.85, 1.1), 0, 1)[:, None, None]
    bg = _background(background, gen, x, y)
    img = fg * cover[None] + bg * (1 - cover[None])
    return np.clip(img + 0.02 * gen.standard_normal(img.shape), 0, 1)


def _nuisance(gen, keys, strength, n_values):
    """``keys % n_values`` with probability ``strength``, else a uniform value."""
    own = keys % n_values
    keep = gen.random(len(keys)) < strength
    return np.where(keep, own, gen.integers(0, n_values, len(keys))).astype(np.int64)


def _split(cfg, split: str, n: int, n_classes: int) -> ImageSplit:
    gen = rng(cfg.seed, "shapes", split)
    labels = balanced_labels(n, n_classes, gen)
    if cfg.label == "super":
        sup = labels
        sub = gen.integers(0, cfg.n_sub, n)
    else:
        sup, sub = labels // cfg.n_sub, labels % cfg.n_sub
    shift = 1 if split == "test_shift" else 0
    colour_key = (labels + shift) % n_classes
    colour = _nuisance(gen, colour_key, cfg.spurious, len(COLOURS))
    background = _nuisance(gen, colour_key, cfg.spurious_background, len(BACKGROUNDS))
    images = np.empty((n, 3, cfg.size, cfg.size), np.uint8)
    for i in range(n):
        g = rng(cfg.seed, "shapes", SPLIT_SALT[split], i)
        images[i] = to_uint8(render_shape(g, int(sup[i]), int(sub[i]), int(colour[i]), int(background[i]), cfg.size))
    meta = {"superclass": sup.astype(np.int64), "subclass": (sup * cfg.n_sub + sub).astype(np.int64),
            "colour": colour, "background": background,
            "colour_is_class": (colour == labels % len(COLOURS))}
    return ImageSplit(images=images, labels=labels, meta=meta)


def generate(cfg) -> ImageData:
    n_classes = cfg.n_super if cfg.label == "super" else cfg.n_super * cfg.n_sub
    names = list(SUPERS[: cfg.n_super]) if cfg.label == "super" else [
        f"{SUPERS[s]}/{SUBS[s][b]}" for s in range(cfg.n_super) for b in range(cfg.n_sub)]
    sizes = {"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test, "test_shift": cfg.n_test}
    splits = {name: _split(cfg, name, n, n_classes) for name, n in sizes.items()}
    return ImageData(splits=splits, num_classes=n_classes, multilabel=False, channels=3, class_names=names,
                     preprocessing={"bands": ["red", "green", "blue"], "scale": 255.0,
                                    "colours": list(COLOUR_NAMES), "backgrounds": list(BACKGROUNDS)})
