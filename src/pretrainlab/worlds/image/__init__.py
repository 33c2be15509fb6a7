"""Image worlds: seeded, labelled image datasets built in memory or read from user files.

Public interface::

    from pretrainlab.worlds.image import ImageWorldConfig, build_image_world

    data = build_image_world(ImageWorldConfig(kind="shapes", size=32, spurious=0.9), cache_dir=Path("cache"))
    x = data.splits["train"].images          # (N, C, H, W) uint8 (float32 x 10000 for satellite)
    y = data.splits["train"].labels          # (N,) int64, or (N, K) float32 multi-hot
    data.preprocessing                       # size, mean, std (per channel, [0, 1] units), bands, scale, interpolation

Kinds (one file each): ``shapes`` (super/sub-classes, spurious colour/background, ``test_shift``),
``fractal`` (FractalDB IFS with the filling-rate check), ``satellite`` (6 bands, multi-label land
cover, ``*_lowres`` splits at a coarser GSD), ``xray`` (grey, co-occurring multi-label findings,
``test_shift`` scanner), ``digits`` (scikit-learn's bundled digits; extra ``vision``), ``folder`` and
``npz`` (``reader``: user files). Every world is a pure function of (seed, config); built worlds are
cached under ``cache_dir`` as ``image_<kind>_<fingerprint>.npz`` (``cache``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from ...config import to_dict
from . import cache, digits, fractal, reader, satellite, shapes, xray
from .common import channel_stats
from .config import KINDS, ImageData, ImageSplit, ImageWorldConfig
from .reader import ImageReadError, convert_channels

IMAGE_WORLDS: dict[str, Callable[[ImageWorldConfig], ImageData]] = {
    "shapes": shapes.generate,
    "fractal": fractal.generate,
    "satellite": satellite.generate,
    "xray": xray.generate,
    "digits": digits.generate,
    "folder": reader.read_folder,
    "npz": reader.read_npz,
}
"""kind -> generator; each returns splits, labels and the world-specific part of ``preprocessing``."""


def world_fingerprint(cfg: ImageWorldConfig) -> str:
    source = reader.source_stamp(cfg) if cfg.kind in ("folder", "npz") else None
    return cache.fingerprint(to_dict(cfg), source)


def _set_channels(data: ImageData, channels: int) -> ImageData:
    if not channels or channels == data.channels:
        return data
    bands = data.preprocessing.get("bands", [])
    for split in data.splits.values():
        x = split.images
        if channels == 3 and data.channels > 3 and {"red", "green", "blue"} <= set(bands):
            x = x[:, [bands.index("red"), bands.index("green"), bands.index("blue")]]
        elif data.channels > 3 and channels == 1:
            x = x.mean(1, keepdims=True).astype(x.dtype)
        else:
            x = convert_channels(x.astype(np.float32), channels, f"data.world.channels={channels}")
            x = np.clip(np.rint(x), 0, 255).astype(np.uint8) if split.images.dtype == np.uint8 else x.astype(np.float32)
        split.images = x
    data.preprocessing["bands"] = ["gray"] if channels == 1 else ["red", "green", "blue"]
    data.channels = channels
    return data


def build_image_world(cfg: ImageWorldConfig, cache_dir: Path | None = None) -> ImageData:
    """Build (or load from ``cache_dir``) the image world described by ``cfg``."""
    cfg.validate()
    fp = world_fingerprint(cfg)
    path = cache.cache_path(Path(cache_dir), cfg.kind, fp) if cache_dir is not None else None
    if path is not None and path.exists():
        return cache.load(path)
    data = _set_channels(IMAGE_WORLDS[cfg.kind](cfg), cfg.channels)
    scale = float(data.preprocessing.get("scale", 255.0))
    mean, std = channel_stats(data.splits["train"].images, scale)
    data.preprocessing = {"size": cfg.size, "mean": mean, "std": std, "interpolation": cfg.interpolation,
                          **{k: v for k, v in data.preprocessing.items() if k not in ("size", "mean", "std")}}
    data.fingerprint = fp
    if path is not None:
        cache.save(data, path)
    return data


__all__ = ["ImageWorldConfig", "ImageData", "ImageSplit", "ImageReadError", "build_image_world", "IMAGE_WORLDS",
           "KINDS", "world_fingerprint"]
