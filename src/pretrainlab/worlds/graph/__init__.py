"""Graph worlds: the seeded molecule-like world (``molecules``) or your JSONL graphs (``jsonl``).

Public interface::

    from pretrainlab.worlds.graph import GraphWorldConfig, build_graph_world, collate

    data = build_graph_world(GraphWorldConfig(n_train=400), cache_dir=Path("cache"))
    data.splits["train"]            # GraphSet: concatenated node/edge arrays, labels (G, T) with NaN = missing
    data.tasks["train"]             # downstream task names (motif rules); data.tasks["sup"]: pretraining tasks
    batch = collate(data.splits["pool"], [0, 1, 2])   # x, edge_index, edge_attr, batch, labels, index

Built worlds are cached under ``cache_dir`` as ``graph_<kind>_<fingerprint>.npz`` (cache.py).
"""

from __future__ import annotations

from pathlib import Path

from ...config import to_dict
from . import cache, molecules, reader
from .batch import collate, to_device
from .config import DOWNSTREAM_SPLITS, PRETRAIN_SPLITS, GraphData, GraphSet, GraphWorldConfig
from .reader import GraphReadError

GRAPH_WORLDS = {"molecules": molecules.generate, "jsonl": reader.read_world}


def world_fingerprint(cfg: GraphWorldConfig) -> str:
    return cache.fingerprint(to_dict(cfg), reader.source_stamp(cfg) if cfg.kind == "jsonl" else None)


def build_graph_world(cfg: GraphWorldConfig, cache_dir: Path | None = None) -> GraphData:
    """Build (or load from ``cache_dir``) the graph world described by ``cfg``."""
    cfg.validate()
    fp = world_fingerprint(cfg)
    path = cache.cache_path(Path(cache_dir), cfg.kind, fp) if cache_dir is not None else None
    if path is not None and path.exists():
        return cache.load(path)
    data = GRAPH_WORLDS[cfg.kind](cfg)
    data.fingerprint = fp
    if path is not None:
        cache.save(data, path)
    return data


__all__ = ["DOWNSTREAM_SPLITS", "GRAPH_WORLDS", "PRETRAIN_SPLITS", "GraphData", "GraphReadError", "GraphSet",
           "GraphWorldConfig", "build_graph_world", "collate", "to_device", "world_fingerprint"]
