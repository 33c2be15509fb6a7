"""Collate graphs into one batch: graphs concatenated, node indices offset, each edge in both directions.

Shapes (N nodes and E stored undirected edges over the B graphs of the batch)::

    x           (N, Cn) int64   node attribute columns
    edge_index  (2, 2E) int64   [source; target] global node indices, every bond as u->v and v->u
    edge_attr   (2E, Ce) int64  edge attribute columns (the same for both directions)
    batch       (N,) int64      graph of each node, 0..B-1
    labels      (B, T) float32  task labels, NaN = missing
    index       (B,) int64      the graphs' indices in their split (objectives seed per-graph randomness on it)
"""

from __future__ import annotations

import numpy as np
import torch

from .config import GraphSet


def collate(split: GraphSet, idx: np.ndarray) -> dict:
    """The batch dict of graphs ``idx`` of ``split`` (CPU tensors; ``to_device`` moves them)."""
    idx = np.asarray(idx, dtype=np.int64)
    n0, n1 = split.node_ptr[idx], split.node_ptr[idx + 1]
    e0, e1 = split.edge_ptr[idx], split.edge_ptr[idx + 1]
    sizes, esizes = n1 - n0, e1 - e0
    node_rows = np.concatenate([np.arange(a, b) for a, b in zip(n0, n1)]) if len(idx) else np.zeros(0, np.int64)
    edge_rows = np.concatenate([np.arange(a, b) for a, b in zip(e0, e1)]) if len(idx) else np.zeros(0, np.int64)
    offset = np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), esizes)
    e = split.edges[edge_rows] + offset[:, None]
    ea = split.edge_attr[edge_rows]
    return {"x": torch.from_numpy(split.node_attr[node_rows]),
            "edge_index": torch.from_numpy(np.concatenate([e, e[:, ::-1]]).T.copy()),
            "edge_attr": torch.from_numpy(np.concatenate([ea, ea])),
            "batch": torch.from_numpy(np.repeat(np.arange(len(idx)), sizes)),
            "labels": torch.from_numpy(split.labels[idx]),
            "index": torch.from_numpy(idx.copy()),
            "num_graphs": len(idx)}


def to_device(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device, non_blocking=True) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}
