"""Latent-variable worlds: synthetic vectors from a seeded Gaussian mixture (gmm.py) or your own matrices
(reader.py), built once and cached by fingerprint.

``build_latent_world(cfg, seed, cache_dir)`` returns a ``LatentData``. The cache holds one
``latent_<kind>_<fingerprint>.npz`` per (config, seed) (and, for files, their size and mtime), written to a
temporary file and moved into place, read back without pickle.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..npz_cache import read_npz, write_npz
from .config import LatentData, LatentWorldConfig, Truth
from .gmm import build_gmm_world
from .reader import LatentDataError, build_file_world, read_matrix

WORLD_VERSION = 1
"""Bump when a generator's output changes, so stale caches are not reused."""
TRUTH_KEYS = ("means", "variances", "weights", "label_map")


def fingerprint(cfg: LatentWorldConfig, seed: int) -> str:
    """16 hex digits over the config, the seed and (kind file) the input files' size and mtime."""
    stamps = []
    if cfg.kind == "file":
        stamps = [[str(p), os.stat(p).st_size, os.stat(p).st_mtime_ns] for p in (cfg.path, cfg.labeled_path)
                  if p and Path(p).exists()]
    blob = json.dumps({"v": WORLD_VERSION, "cfg": asdict(cfg), "seed": seed, "files": stamps}, sort_keys=True)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()


def _save(arrays: dict, info: dict, path: Path) -> None:
    out = {k: v for k, v in arrays.items() if isinstance(v, np.ndarray)}
    truth = arrays.get("truth")
    if truth is not None:
        out.update({f"truth/{k}": getattr(truth, k) for k in TRUTH_KEYS})
        info = {**info, "label_noise": truth.label_noise}
    write_npz(path, out, info)


def _load(path: Path) -> LatentData:
    arrays, info = read_npz(path)
    truth = None
    if "truth/means" in arrays:
        truth = Truth(*(arrays[f"truth/{k}"] for k in TRUTH_KEYS), label_noise=info["label_noise"])
    return LatentData(unlabeled=arrays["unlabeled"], pool_x=arrays["pool_x"], pool_y=arrays["pool_y"],
                      test_x=arrays["test_x"], test_y=arrays["test_y"], num_classes=info["num_classes"],
                      fingerprint=info["fingerprint"], truth=truth, test_z=arrays.get("test_z"), meta=info)


def build_latent_world(cfg: LatentWorldConfig, seed: int, cache_dir: str | Path) -> LatentData:
    """The world of ``cfg`` with ``seed`` (``cfg.seed`` wins when set), from the cache or built now."""
    seed = cfg.seed if cfg.seed is not None else seed
    fp = fingerprint(cfg, seed)
    path = Path(cache_dir) / f"latent_{cfg.kind}_{fp}.npz"
    if not path.exists():
        arrays = build_gmm_world(cfg, seed) if cfg.kind == "gmm" else build_file_world(cfg, seed)
        classes = arrays.pop("num_classes", cfg.classes)
        _save(arrays, {"num_classes": classes, "fingerprint": fp, "kind": cfg.kind, "seed": seed}, path)
    return _load(path)


__all__ = ["LatentData", "LatentDataError", "LatentWorldConfig", "Truth", "build_latent_world", "fingerprint",
           "read_matrix"]
