"""Your graphs: a JSONL file, one graph per line, read into the graph world's splits (``kind: jsonl``).

Line format (edges are undirected; list each once -- a reverse duplicate with the same attributes is
dropped, one with other attributes is an error)::

    {"nodes": [[6, 0], [8, 0], [7, 1]],           # one list of categorical ints (>= 0) per node
     "edges": [[0, 1, 1], [0, 2, [1, 0]]],        # [src, dst], [src, dst, attr] or [src, dst, [attr, ...]]
     "labels": [1, 0, null],                      # 0/1 per task, null = missing (optional in pretrain_path)
     "scaffold": "c1ccccc1"}                      # optional split key (default: scaffold.scaffold_key)

Every node has the same number of columns, every edge too (no attribute = one column of 0), every line
the same number of labels. The train/val/test split is the scaffold split (``scaffold.scaffold_split``);
category counts per column are the largest value seen + 1. A bad line raises ``GraphReadError`` naming the
file, the line, the node or edge, the expected form and the fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .config import GraphData, GraphWorldConfig, from_graphs
from .scaffold import scaffold_key, scaffold_split

FORM = '{"nodes": [[attr, ...], ...], "edges": [[src, dst, attr], ...], "labels": [0, 1, null, ...]}'


class GraphReadError(ValueError):
    """A user graph file is malformed; the message names file, line, the expected form and the fix."""


def _ints(value, where: str, fix: str) -> list[int]:
    vals = value if isinstance(value, list) else [value]
    if not vals or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in vals):
        raise GraphReadError(f"{where} is {value!r}; expected a non-negative int or a list of them ({fix})")
    return vals


def parse_graph(obj, where: str, node_cols: int | None, edge_cols: int | None, n_labels: int | None):
    """(node_attr, edges, edge_attr, labels, scaffold or None) of one parsed JSON line; ``where`` = 'file, line n'."""
    if not isinstance(obj, dict) or "nodes" not in obj or "edges" not in obj:
        raise GraphReadError(f"{where}: expected an object {FORM}; got {str(obj)[:80]}")
    nodes = obj["nodes"]
    if not isinstance(nodes, list) or not nodes:
        raise GraphReadError(f"{where}: 'nodes' must be a non-empty list of node attribute lists, "
                             f"got {str(nodes)[:60]}")
    node_attr = [_ints(a, f"{where}: node {i}", "categorical attributes") for i, a in enumerate(nodes)]
    want = node_cols or len(node_attr[0])
    for i, a in enumerate(node_attr):
        if len(a) != want:
            raise GraphReadError(f"{where}: node {i} has {len(a)} attributes, expected {want} (as in the "
                                 f"{'first line' if node_cols else 'first node'}); give every node the same columns")
    n, seen, edges, eattr = len(node_attr), {}, [], []
    if not isinstance(obj["edges"], list):
        raise GraphReadError(f"{where}: 'edges' must be a list of [src, dst, attr], got {str(obj['edges'])[:60]}")
    for k, e in enumerate(obj["edges"]):
        if not isinstance(e, list) or len(e) not in (2, 3) or not all(isinstance(x, int) and not isinstance(x, bool)
                                                                      for x in e[:2]):
            raise GraphReadError(f"{where}: edge {k} is {e!r}; expected [src, dst] or [src, dst, attr] with "
                                 f"integer node indices")
        src, dst = e[0], e[1]
        for end in (src, dst):
            if not 0 <= end < n:
                raise GraphReadError(f"{where}: edge {k} {e!r} points to node {end}, but the graph has {n} nodes "
                                     f"(valid indices 0..{n - 1}); fix the index or add the missing node")
        if src == dst:
            raise GraphReadError(f"{where}: edge {k} {e!r} is a self-loop on node {src}; drop it (the model "
                                 "adds each node's own state itself)")
        attr = _ints(e[2], f"{where}: edge {k} attribute", "bond type etc.") if len(e) == 3 else [0]
        ecols = edge_cols or (len(eattr[0]) if eattr else len(attr))
        if len(attr) != ecols:
            raise GraphReadError(f"{where}: edge {k} has {len(attr)} attributes, expected {ecols}; give every "
                                 "edge the same columns")
        pair = (min(src, dst), max(src, dst))
        if pair in seen:
            if seen[pair] != attr:
                raise GraphReadError(f"{where}: edge {k} {e!r} repeats the edge {list(pair)} with other attributes "
                                     f"{seen[pair]}; edges are undirected, list each once")
            continue
        seen[pair] = attr
        edges.append([src, dst])
        eattr.append(attr)
    labels = obj.get("labels", [])
    if not isinstance(labels, list) or not all(v in (0, 1, None) for v in labels):
        raise GraphReadError(f"{where}: 'labels' is {str(labels)[:60]}; expected a list of 0, 1 or null (missing)")
    if n_labels is not None and len(labels) != n_labels:
        raise GraphReadError(f"{where}: {len(labels)} labels, expected {n_labels} (as in the first line); use null "
                             "for a missing label")
    y = [np.nan if v is None else float(v) for v in labels]
    ecols = edge_cols or (len(eattr[0]) if eattr else 1)
    key = obj.get("scaffold")
    return (np.array(node_attr, dtype=np.int64), np.array(edges, dtype=np.int64).reshape(-1, 2),
            np.array(eattr, dtype=np.int64).reshape(-1, ecols), y, None if key is None else str(key))


def read_jsonl(path: str | Path, need_labels: bool = True) -> tuple[list, np.ndarray, list[str]]:
    """(graphs [(node_attr, edges, edge_attr)], labels (G, T), scaffold keys) of a JSONL graph file."""
    path = Path(path)
    if not path.is_file():
        raise GraphReadError(f"{path}: no such file; data.world.path must name a JSONL file, one graph a line: {FORM}")
    graphs, labels, keys, cols = [], [], [], (None, None, None)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}, line {lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise GraphReadError(f"{where}: not valid JSON ({e.msg} at column {e.colno}); each line must be "
                                     f"one object {FORM}") from None
            nodes, edges, eattr, y, key = parse_graph(obj, where, *cols)
            cols = (nodes.shape[1], eattr.shape[1] if cols[1] is None and len(edges) else cols[1], len(y))
            graphs.append((nodes, edges, eattr))
            labels.append(y)
            keys.append(key if key is not None else scaffold_key(nodes, edges, eattr))
    if not graphs:
        raise GraphReadError(f"{path}: no graphs (the file is empty); expected one object a line: {FORM}")
    if need_labels and not labels[0]:
        raise GraphReadError(f"{path}, line 1: no 'labels'; the downstream file needs at least one 0/1 task label "
                             "per graph (null = missing)")
    ecols = max(len(g[2][0]) if len(g[2]) else 1 for g in graphs)
    graphs = [(a, e, ea if len(ea) else np.zeros((0, ecols), dtype=np.int64)) for a, e, ea in graphs]
    return graphs, np.array(labels, dtype=np.float32).reshape(len(graphs), -1), keys


def read_world(cfg: GraphWorldConfig) -> GraphData:
    """``GraphData`` of a user's file: scaffold-split train/val/test, and pretraining splits (module docstring)."""
    graphs, labels, keys = read_jsonl(cfg.path)
    idx = scaffold_split(keys, cfg.val_frac, cfg.test_frac)
    empty = [s for s, v in idx.items() if len(v) == 0]
    if empty:
        raise GraphReadError(f"{cfg.path}: the scaffold split leaves {empty} empty ({len(set(keys))} distinct "
                             f"scaffolds in {len(graphs)} graphs); add graphs with other ring systems or raise "
                             "data.world.val_frac / test_frac")
    ids = {k: i for i, k in enumerate(sorted(set(keys)))}
    scaf = np.array([ids[k] for k in keys], dtype=np.int64)
    ncols, ecols = graphs[0][0].shape[1], graphs[0][2].shape[1]

    def make(ix, gs=graphs, y=labels, sc=scaf):
        return from_graphs([gs[i] for i in ix], y[ix], sc[ix], ncols, ecols)

    splits = {s: make(v) for s, v in idx.items()}
    names = [f"task{t}" for t in range(labels.shape[1])]
    tasks = {"train": names, "val": names, "test": names, "pool": [], "pool_val": []}
    if cfg.pretrain_path:
        pg, py, _ = read_jsonl(cfg.pretrain_path, need_labels=False)
        if pg[0][0].shape[1] != ncols or pg[0][2].shape[1] != ecols:
            raise GraphReadError(f"{cfg.pretrain_path}: nodes/edges have {pg[0][0].shape[1]}/{pg[0][2].shape[1]} "
                                 f"columns but {cfg.path} has {ncols}/{ecols}; use the same attribute columns")
        every = np.arange(len(pg))
        val = every[::10] if len(pg) >= 10 else every[:1]
        tr = np.setdiff1d(every, val) if len(pg) > 1 else every
        zero = np.zeros((len(pg), 0), dtype=np.float32)
        splits["pool"], splits["pool_val"] = make(tr, pg, zero, np.zeros(len(pg), np.int64)), \
            make(val, pg, zero, np.zeros(len(pg), np.int64))
        if py.shape[1]:
            splits["sup"], splits["sup_val"] = make(tr, pg, py, np.zeros(len(pg), np.int64)), \
                make(val, pg, py, np.zeros(len(pg), np.int64))
            tasks["sup"] = tasks["sup_val"] = [f"pretrain_task{t}" for t in range(py.shape[1])]
    else:
        zero = np.zeros((len(graphs), 0), dtype=np.float32)
        splits["pool"], splits["pool_val"] = make(idx["train"], y=zero), make(idx["val"], y=zero)
    if "sup" not in splits:
        splits["sup"], splits["sup_val"] = splits["train"], splits["val"]
        tasks["sup"] = tasks["sup_val"] = names
    allg = [s for s in splits.values()]
    node_vocab = [int(max(s.node_attr[:, c].max(initial=0) for s in allg)) + 1 for c in range(ncols)]
    edge_vocab = [int(max(s.edge_attr[:, c].max(initial=0) for s in allg)) + 1 for c in range(ecols)]
    return GraphData(splits, node_vocab, edge_vocab, tasks)


def source_stamp(cfg: GraphWorldConfig) -> list:
    """Size and mtime of the input files, so an edited file is read again rather than taken from the cache."""
    out = []
    for p in filter(None, (cfg.path, cfg.pretrain_path)):
        st = Path(p).stat() if Path(p).exists() else None
        out.append([str(p), st.st_size if st else -1, st.st_mtime_ns if st else -1])
    return out
