"""Scaffold keys and the scaffold split for graphs without a known scaffold (a user's file).

``scaffold_key``: the Bemis-Murcko idea without RDKit -- strip degree-1 nodes until none is left, which
removes every side chain and functional group (trees hanging off the ring system) and keeps rings and the
linkers between them; the key is a Weisfeiler-Lehman hash of that core (atom type = node column 0, bond
type = edge column 0; 3 refinement rounds), so isomorphic cores get one key (up to WL's blind spots).
A graph with no ring has an empty core: its key is ``"acyclic"`` (all such graphs form one group).

``scaffold_split``: deepchem's ``ScaffoldSplitter`` rule, used by Hu et al.: group graphs by key, sort the
groups largest first (ties by first occurrence), fill train to ``1 - val - test`` of the graphs, then
val, then test; test therefore holds the rarest scaffolds.
"""

from __future__ import annotations

import hashlib

import numpy as np


def murcko_core(n: int, edges: np.ndarray) -> np.ndarray:
    """Boolean mask (n,) of the nodes left after repeatedly stripping degree-1 (and isolated) nodes."""
    keep = np.ones(n, dtype=bool)
    adj = [[] for _ in range(n)]
    for u, v in edges:
        adj[u].append(v)
        adj[v].append(u)
    deg = np.array([len(a) for a in adj])
    stack = [i for i in range(n) if deg[i] <= 1]
    while stack:
        u = stack.pop()
        if not keep[u]:
            continue
        keep[u] = False
        for v in adj[u]:
            if keep[v]:
                deg[v] -= 1
                if deg[v] <= 1:
                    stack.append(v)
    return keep


def scaffold_key(node_attr: np.ndarray, edges: np.ndarray, edge_attr: np.ndarray, rounds: int = 3) -> str:
    """WL hash of the ring-system core of one graph (module docstring)."""
    keep = murcko_core(len(node_attr), edges)
    if not keep.any():
        return "acyclic"
    labels = {int(i): str(int(node_attr[i, 0])) for i in np.flatnonzero(keep)}
    nbrs: dict[int, list[tuple[int, str]]] = {i: [] for i in labels}
    for (u, v), a in zip(edges.tolist(), edge_attr[:, 0].tolist() if len(edge_attr) else []):
        if keep[u] and keep[v]:
            nbrs[u].append((v, str(a)))
            nbrs[v].append((u, str(a)))
    for _ in range(rounds):
        labels = {i: hashlib.blake2b((labels[i] + "|" + ",".join(sorted(b + ":" + labels[j] for j, b in nbrs[i])))
                                     .encode(), digest_size=6).hexdigest() for i in labels}
    return hashlib.blake2b(",".join(sorted(labels.values())).encode(), digest_size=8).hexdigest()


def scaffold_split(keys: list[str], val_frac: float, test_frac: float) -> dict[str, np.ndarray]:
    """Indices of train/val/test: whole scaffold groups, largest groups first into train (deepchem)."""
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0]))
    n, out = len(keys), {"train": [], "val": [], "test": []}
    train_cut, val_cut = (1 - val_frac - test_frac) * n, (1 - test_frac) * n
    for g in ordered:
        if len(out["train"]) + len(g) <= train_cut:
            out["train"] += g
        elif len(out["train"]) + len(out["val"]) + len(g) <= val_cut:
            out["val"] += g
        else:
            out["test"] += g
    return {k: np.array(sorted(v), dtype=np.int64) for k, v in out.items()}
