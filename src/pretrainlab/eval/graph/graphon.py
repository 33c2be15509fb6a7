"""Step-function graphon estimates of a set of graphs, topological statistics, and a seeded k-means.

A graphon ``W: [0,1]^2 -> [0,1]`` generates graphs: draw ``u_i ~ U[0,1]`` per node and an edge (i, j) with
probability ``W(u_i, u_j)``. W2PGNN (Cao et al., KDD 2023, arXiv 2303.16458; code caoyxuan/W2PGNN) estimates
one graphon per group of pretraining graphs and one for the downstream graphs, then compares them.

``sas_graphon`` -- the sorting-and-smoothing (SAS) estimator of Chan & Airoldi (ICML 2014), on a set of
graphs of different sizes, as W2PGNN/G-Mixup align them:

1. **Sort**: order each graph's nodes by degree, largest first (ties by the sum of the neighbours'
   degrees, then by index), so nodes with similar roles line up across graphs (``sorted_adjacency``).
2. **Align**: read each sorted adjacency A (n x n) as the step function ``W_A(x, y) = A[floor(n x),
   floor(n y)]`` and sample it on an ``r x r`` grid of cell centres -- every graph becomes an r x r matrix
   whatever its size (W2PGNN zero-pads to the largest graph instead, which mixes size with structure).
3. **Average** the aligned matrices over the graphs.
4. **Smooth**: the histogram step of SAS -- average over ``h x h`` blocks, ``h = r / blocks``, giving a
   ``blocks x blocks`` step function (the matrix GW compares).

``topo_stats``: per-graph statistics W2PGNN clusters the pretraining graphs by (its ``cal_topo``: average
degree, degree std, density, clustering; here also size, cycle rank and the ring-core share); ``kmeans``
is Lloyd's algorithm with k-means++ seeding on z-scored features, a pure function of its seed.

Graphs are ``(n_nodes, edges (e, 2))`` pairs, or a ``GraphSet`` via ``graphs_of``.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.worlds.graph.scaffold import murcko_core

STAT_NAMES = ("nodes", "mean_degree", "degree_std", "density", "cycle_rank", "ring_share", "clustering")


def graphs_of(split) -> list[tuple[int, np.ndarray]]:
    """``[(n_nodes, edges), ...]`` of every graph of a ``GraphSet``."""
    out = []
    for g in range(len(split)):
        nodes, edges, _ = split.graph(g)
        out.append((len(nodes), edges))
    return out


def adjacency(n: int, edges: np.ndarray) -> np.ndarray:
    """Symmetric 0/1 adjacency (n, n) of an undirected graph (self-loops dropped)."""
    a = np.zeros((n, n))
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    a[e[:, 0], e[:, 1]] = 1.0
    a[e[:, 1], e[:, 0]] = 1.0
    np.fill_diagonal(a, 0.0)
    return a


def sorted_adjacency(n: int, edges: np.ndarray) -> np.ndarray:
    """The adjacency with nodes ordered by degree (descending), ties by neighbour-degree sum, then index."""
    a = adjacency(n, edges)
    deg = a.sum(1)
    order = np.lexsort((np.arange(n), -(a @ deg), -deg))
    return a[np.ix_(order, order)]


def aligned(n: int, edges: np.ndarray, r: int) -> np.ndarray:
    """The sorted adjacency as a step function sampled at the centres of an r x r grid."""
    idx = np.minimum(((np.arange(r) + 0.5) * n / r).astype(np.int64), n - 1)
    a = sorted_adjacency(n, edges)
    return a[np.ix_(idx, idx)]


def sas_graphon(graphs: list[tuple[int, np.ndarray]], resolution: int = 48, blocks: int = 12) -> np.ndarray:
    """(blocks, blocks) step-function graphon of ``graphs`` (module docstring: sort, align, average, smooth)."""
    if resolution % blocks:
        raise ValueError(f"graphon resolution {resolution} must be a multiple of blocks {blocks}")
    if not graphs:
        raise ValueError("cannot estimate a graphon from no graphs")
    mean = np.zeros((resolution, resolution))
    for n, edges in graphs:
        mean += aligned(n, edges, resolution)
    mean /= len(graphs)
    h = resolution // blocks
    return mean.reshape(blocks, h, blocks, h).mean(axis=(1, 3))


def topo_stats(n: int, edges: np.ndarray) -> np.ndarray:
    """``STAT_NAMES`` of one graph: size, degree mean/std, density, cycle rank (e - n + components),
    share of nodes in the ring core (worlds/graph/scaffold.py), global clustering (transitivity)."""
    a = adjacency(n, edges)
    deg = a.sum(1)
    e = deg.sum() / 2
    comps = _components(a)
    triangles = np.trace(a @ a @ a) / 6
    triples = (deg * (deg - 1) / 2).sum()
    core = murcko_core(n, np.asarray(edges, dtype=np.int64).reshape(-1, 2)).mean()
    return np.array([n, deg.mean(), deg.std(), 2 * e / max(n * (n - 1), 1), e - n + comps, core,
                     3 * triangles / triples if triples else 0.0])


def _components(a: np.ndarray) -> int:
    seen, count = np.zeros(len(a), dtype=bool), 0
    for s in range(len(a)):
        if seen[s]:
            continue
        count += 1
        stack = [s]
        seen[s] = True
        while stack:
            u = stack.pop()
            for v in np.flatnonzero(a[u] > 0):
                if not seen[v]:
                    seen[v] = True
                    stack.append(v)
    return count


def kmeans(x: np.ndarray, k: int, seed: int = 0, iters: int = 50) -> np.ndarray:
    """Cluster labels (N,) of the rows of ``x`` (z-scored per column) by Lloyd's algorithm, k-means++ start.

    ``k`` is capped at the number of distinct rows; empty clusters are dropped and labels renumbered
    0..k'-1 in order of first appearance.
    """
    x = np.asarray(x, dtype=np.float64)
    sd = x.std(0)
    z = (x - x.mean(0)) / np.where(sd > 0, sd, 1.0)
    k = max(1, min(k, len(np.unique(z, axis=0))))
    rng = np.random.default_rng(seed)
    centres = [z[rng.integers(len(z))]]
    for _ in range(k - 1):
        d2 = np.min([((z - c) ** 2).sum(1) for c in centres], axis=0)
        centres.append(z[rng.choice(len(z), p=d2 / d2.sum())])
    c = np.array(centres)
    labels = np.zeros(len(z), dtype=np.int64)
    for it in range(iters):
        new = ((z[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
        if it and np.array_equal(new, labels):
            break
        labels = new
        c = np.array([z[labels == j].mean(0) if (labels == j).any() else c[j] for j in range(k)])
    _, first = np.unique(labels, return_index=True)
    remap = {old: i for i, old in enumerate(labels[np.sort(first)])}
    return np.array([remap[v] for v in labels], dtype=np.int64)


__all__ = ["STAT_NAMES", "adjacency", "aligned", "graphs_of", "kmeans", "sas_graphon", "sorted_adjacency",
           "topo_stats"]
