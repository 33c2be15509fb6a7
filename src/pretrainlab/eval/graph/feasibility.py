"""W2PGNN's feasibility of pretraining data for downstream data, and its data selection (Cao, Xu, Yang,
Shi, Yang, Wang; "When to Pre-Train Graph Neural Networks? From Data Generation Perspective!", KDD 2023,
arXiv 2303.16458; code caoyxuan/W2PGNN).

**Generator space.** The pretraining graphs are grouped by topology (k-means on ``graphon.topo_stats``,
W2PGNN's "topo" variant) and each group's graphon ``B_k`` is estimated (``graphon.sas_graphon``). The
generator space is every mixture ``sum_k alpha_k B_k`` with ``alpha`` on the simplex (``alpha =
softmax(theta)``).

**Feasibility.** With ``W_down`` the graphon of the downstream *training* graphs,

    d(pre, down) = min_alpha  d_GW(sum_k alpha_k B_k, W_down),     feasibility = -d(pre, down)

where ``d_GW`` is the square root of the entropic Gromov-Wasserstein objective with uniform weights
(eval/graph/gromov.py). ``alpha`` is fitted as W2PGNN does, by Adam on ``theta`` (their lr 0.05, betas
0.9/0.99), with the gradient of GW at the current plan (``gromov.gw_grad_c1``, envelope theorem) pushed
through the mixture and the softmax; the smallest distance seen is kept. Higher feasibility = the
downstream data look more like something the pretraining data's generators produce = pretraining should
help more (the paper's claim, which the ``w2pgnn`` recipe tests).

**Selection** (``select_w2pgnn``): the candidate graphs are grouped by topology (``select_clusters``
groups), the generator space of the groups is fitted to the downstream graphon, and whole groups are taken
in order of their mixture weight alpha until ``n`` graphs (the last group cut by a seeded order). W2PGNN's
``top.py`` keeps the group of largest alpha and re-clusters inside it; with a fixed budget of ``n`` graphs
(the same as the random baseline's) we take groups in alpha order instead. ``select_random``: ``n``
candidates uniformly at random -- the baseline.

Nothing here looks at labels or at test graphs: callers pass training graphs only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from pretrainlab.eval.graph.graphon import kmeans, sas_graphon, topo_stats
from pretrainlab.eval.graph.gromov import GWSettings, entropic_gw, gw_grad_c1


@dataclass(frozen=True)
class FeasibilitySettings:
    """Knobs of the graphon estimates, the GW solver and the mixture fit (module docstring)."""

    resolution: int = 48
    """Grid each degree-sorted adjacency is sampled on (graphon.aligned)."""
    blocks: int = 12
    """Blocks of the smoothed step-function graphon (resolution must be a multiple)."""
    clusters: int = 4
    """Topology groups (k-means) of a pretraining set = graphon bases of its generator space."""
    select_clusters: int = 12
    """Topology groups of the candidate pool when selecting data (select_w2pgnn)."""
    epsilon: float = 5e-3
    """Entropic regularisation of Gromov-Wasserstein."""
    alpha_steps: int = 40
    alpha_lr: float = 0.05
    max_graphs: int = 2000
    """Graphs per set used for the estimates (a seeded subsample above that; speed)."""
    seed: int = 0
    """Seed of the subsample, the k-means starts and the cut of the last selected group."""

    def to_dict(self) -> dict:
        return asdict(self)


def _subsample(graphs: list, s: FeasibilitySettings) -> list:
    if len(graphs) <= s.max_graphs:
        return graphs
    keep = np.sort(np.random.default_rng([s.seed, len(graphs)]).choice(len(graphs), s.max_graphs, replace=False))
    return [graphs[i] for i in keep]


def topology_groups(graphs: list, k: int, seed: int) -> np.ndarray:
    """Group label (N,) of each graph: k-means on its topological statistics."""
    return kmeans(np.stack([topo_stats(n, e) for n, e in graphs]), k, seed=seed)


def graphon_basis(graphs: list, s: FeasibilitySettings = FeasibilitySettings()) -> list[np.ndarray]:
    """One step-function graphon per topology group of ``graphs`` (the bases B_k)."""
    graphs = _subsample(graphs, s)
    labels = topology_groups(graphs, s.clusters, s.seed)
    return [sas_graphon([graphs[i] for i in np.flatnonzero(labels == j)], s.resolution, s.blocks)
            for j in range(labels.max() + 1)]


def fit_alpha(bases: list[np.ndarray], target: np.ndarray,
              s: FeasibilitySettings = FeasibilitySettings()) -> tuple[float, np.ndarray]:
    """(min over the fit of d_GW(sum_k alpha_k B_k, target), its alpha): Adam on softmax logits."""
    gw = GWSettings(epsilon=s.epsilon)
    b = np.stack(bases)  # (K, m, m)
    theta, m1, m2 = np.zeros(len(b)), np.zeros(len(b)), np.zeros(len(b))
    best, best_alpha, plan = np.inf, None, None
    beta1, beta2 = 0.9, 0.99
    for t in range(1, s.alpha_steps + 1):
        alpha = np.exp(theta - theta.max())
        alpha /= alpha.sum()
        mix = np.tensordot(alpha, b, axes=1)
        value, plan = entropic_gw(mix, target, s=gw, plan0=plan)
        dist = float(np.sqrt(max(value, 0.0)))
        if dist < best:
            best, best_alpha = dist, alpha.copy()
        if len(b) == 1:
            break
        g_mix = gw_grad_c1(mix, target, np.full(len(mix), 1.0 / len(mix)), plan)
        g_alpha = np.tensordot(b, g_mix, axes=([1, 2], [0, 1]))  # (K,)
        g = alpha * (g_alpha - alpha @ g_alpha)                    # through the softmax
        m1 = beta1 * m1 + (1 - beta1) * g
        m2 = beta2 * m2 + (1 - beta2) * g * g
        theta -= s.alpha_lr * (m1 / (1 - beta1 ** t)) / (np.sqrt(m2 / (1 - beta2 ** t)) + 1e-12)
    return best, best_alpha


def feasibility(pretrain: list, downstream: list, s: FeasibilitySettings = FeasibilitySettings()) -> dict:
    """``{"feasibility": -d, "distance": d, "alpha": [...]}`` of pretraining graphs for downstream graphs."""
    target = sas_graphon(_subsample(downstream, s), s.resolution, s.blocks)
    dist, alpha = fit_alpha(graphon_basis(pretrain, s), target, s)
    return {"feasibility": -dist, "distance": dist, "alpha": [float(a) for a in alpha]}


def select_w2pgnn(candidates: list, downstream: list, n: int,
                  s: FeasibilitySettings = FeasibilitySettings()) -> np.ndarray:
    """Indices (sorted) of ``n`` candidates: whole topology groups in order of their fitted alpha (docstring)."""
    if not 0 < n <= len(candidates):
        raise ValueError(f"cannot select {n} of {len(candidates)} candidate graphs")
    target = sas_graphon(_subsample(downstream, s), s.resolution, s.blocks)
    labels = topology_groups(candidates, s.select_clusters, s.seed)
    bases = [sas_graphon(_subsample([candidates[i] for i in np.flatnonzero(labels == j)], s), s.resolution, s.blocks)
             for j in range(labels.max() + 1)]
    _, alpha = fit_alpha(bases, target, s)
    order = np.argsort(-alpha, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    tiebreak = np.random.default_rng([s.seed, 1]).permutation(len(candidates))
    picked = np.lexsort((tiebreak, rank[labels]))[:n]
    return np.sort(picked)


def select_random(n_candidates: int, n: int, seed: int) -> np.ndarray:
    """Indices (sorted) of ``n`` of ``n_candidates`` drawn uniformly without replacement."""
    if not 0 < n <= n_candidates:
        raise ValueError(f"cannot select {n} of {n_candidates} candidate graphs")
    return np.sort(np.random.default_rng([seed, 7]).choice(n_candidates, n, replace=False))


__all__ = ["FeasibilitySettings", "feasibility", "fit_alpha", "graphon_basis", "select_random", "select_w2pgnn",
           "topology_groups"]
