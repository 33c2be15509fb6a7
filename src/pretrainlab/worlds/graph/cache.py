"""Cache of built graph worlds: one ``graph_<kind>_<fingerprint>.npz`` per config, atomic, read without pickle.

Arrays ``<split>/<field>`` for every ``GraphSet`` field and ``__info__`` (JSON: vocabularies, task names,
fingerprint). Written to ``<name>.<pid>.tmp`` and moved into place with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import fields
from pathlib import Path

import numpy as np

from .config import GraphData, GraphSet

WORLD_VERSION = 1
"""Bump when the generator's output changes, so stale caches are not reused."""


def fingerprint(cfg_dict: dict, source: list | None = None) -> str:
    blob = json.dumps({"v": WORLD_VERSION, "cfg": cfg_dict, "source": source or []}, sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()


def cache_path(cache_dir: Path, kind: str, fp: str) -> Path:
    return Path(cache_dir) / f"graph_{kind}_{fp}.npz"


def save(data: GraphData, path: Path) -> None:
    arrays = {f"{name}/{f.name}": getattr(split, f.name) for name, split in data.splits.items()
              for f in fields(GraphSet)}
    info = {"splits": list(data.splits), "node_vocab": data.node_vocab, "edge_vocab": data.edge_vocab,
            "tasks": data.tasks, "fingerprint": data.fingerprint}
    arrays["__info__"] = np.frombuffer(json.dumps(info).encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def load(path: Path) -> GraphData:
    with np.load(path, allow_pickle=False) as z:
        info = json.loads(z["__info__"].tobytes().decode("utf-8"))
        splits = {n: GraphSet(**{f.name: z[f"{n}/{f.name}"] for f in fields(GraphSet)}) for n in info["splits"]}
    return GraphData(splits, info["node_vocab"], info["edge_vocab"], info["tasks"], info["fingerprint"])
