"""Cache of built graph worlds: one ``graph_<kind>_<fingerprint>.npz`` per config, atomic, read without pickle.

Arrays ``<split>/<field>`` for every ``GraphSet`` field and ``__info__`` (JSON: vocabularies, task names,
fingerprint). Written to ``<name>.<pid>.tmp`` and moved into place with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path

from ..npz_cache import read_npz, write_npz
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
    write_npz(path, arrays, info)


def load(path: Path) -> GraphData:
    z, info = read_npz(path)
    splits = {n: GraphSet(**{f.name: z[f"{n}/{f.name}"] for f in fields(GraphSet)}) for n in info["splits"]}
    return GraphData(splits, info["node_vocab"], info["edge_vocab"], info["tasks"], info["fingerprint"])
