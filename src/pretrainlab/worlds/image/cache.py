"""Cache of built image worlds: one ``.npz`` per fingerprint, written atomically, read without pickle.

Layout of ``image_<kind>_<fingerprint>.npz``: ``<split>/images``, ``<split>/labels``,
``<split>/meta/<key>`` arrays and ``__info__`` (the JSON of everything else, as bytes). The file is
written to ``<name>.<pid>.tmp`` and moved into place with ``os.replace``, so a reader never sees half a
file and two processes building the same world do not write into one temporary file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..npz_cache import read_npz, write_npz
from .config import ImageData, ImageSplit

WORLD_VERSION = 1
"""Bump when any generator's output changes, so stale caches are not reused."""


def fingerprint(cfg_dict: dict, source: list | None = None) -> str:
    """16 hex digits over the config (and the input files' stamps for folder/npz worlds)."""
    blob = json.dumps({"v": WORLD_VERSION, "cfg": cfg_dict, "source": source or []}, sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()


def cache_path(cache_dir: Path, kind: str, fp: str) -> Path:
    return Path(cache_dir) / f"image_{kind}_{fp}.npz"


def save(data: ImageData, path: Path) -> None:
    arrays = {}
    for name, split in data.splits.items():
        arrays[f"{name}/images"] = split.images
        arrays[f"{name}/labels"] = split.labels
        for key, value in split.meta.items():
            arrays[f"{name}/meta/{key}"] = np.asarray(value)
    info = {"splits": list(data.splits), "metas": {n: list(s.meta) for n, s in data.splits.items()},
            "num_classes": data.num_classes, "multilabel": data.multilabel, "channels": data.channels,
            "class_names": data.class_names, "preprocessing": data.preprocessing, "fingerprint": data.fingerprint}
    write_npz(path, arrays, info)


def load(path: Path) -> ImageData:
    z, info = read_npz(path)
    splits = {n: ImageSplit(z[f"{n}/images"], z[f"{n}/labels"], {k: z[f"{n}/meta/{k}"] for k in info["metas"][n]})
              for n in info["splits"]}
    return ImageData(splits=splits, num_classes=info["num_classes"], multilabel=info["multilabel"],
                     channels=info["channels"], class_names=info["class_names"],
                     preprocessing=info["preprocessing"], fingerprint=info["fingerprint"])
