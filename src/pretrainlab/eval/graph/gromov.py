"""Entropic Gromov-Wasserstein distance (square loss) between two similarity matrices, in plain numpy.

For metric-measure spaces ``(C1, p)`` (n x n) and ``(C2, q)`` (m x m) the Gromov-Wasserstein discrepancy
with the square loss is

    GW(C1, C2) = min_{T in Pi(p, q)}  sum_{i,j,k,l} (C1[i,k] - C2[j,l])^2  T[i,j] T[k,l],

and the entropic version (Peyre, Cuturi & Solomon, ICML 2016, "Gromov-Wasserstein averaging of kernel
and distance matrices", Prop. 2 and Alg. 1) solves it by projected mirror descent: starting from
``T = p q^T``, repeat

    tens = 2 * (constC - C1 T (2 C2)^T)          the gradient of the quadratic form at T
    T    = Sinkhorn(p, q, cost=tens, reg=epsilon)     (warm-started from the previous step's scalings)

with ``constC = (C1^2 p) 1^T + 1 (C2^2 q)^T``, until T stops changing. The value reported is the square-
loss objective at the final plan (no entropy term), ``sum((constC - C1 T (2 C2)^T) * T)`` -- the same
quantity as POT's ``ot.gromov.entropic_gromov_wasserstein2`` (``log["gw_dist"]``); the Sinkhorn step scales
a shifted kernel and falls back to the log domain where ``exp`` would underflow. This is the
~40-line solver METHODS-2 #23 allows in place of POT; tests/graph/test_gromov.py checks it on hand-made
cases and against POT when POT is installed (``pip install 'pretrainlab[graph]'``).

``gw_grad_c1``: the gradient of the objective with respect to ``C1`` at a fixed plan,
``2 (C1 * p p^T - T C2 T^T)``; by the envelope theorem it is the gradient of the GW value itself where the
optimal plan is unique, which W2PGNN uses to fit the mixture weights of its generator space
(eval/graph/feasibility.py).

Shapes: C1 (n, n), C2 (m, m), p (n,), q (m,), T (n, m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp


@dataclass(frozen=True)
class GWSettings:
    epsilon: float = 5e-3
    """Entropic regularisation of each Sinkhorn step (cost units: squared differences of graphon values)."""
    max_iter: int = 100
    """Mirror-descent (outer) iterations."""
    tol: float = 1e-7
    """Stop when the plan changes by less than this (Frobenius norm)."""
    sinkhorn_iter: int = 500
    sinkhorn_tol: float = 1e-9


def sinkhorn(p: np.ndarray, q: np.ndarray, cost: np.ndarray, eps: float, iters: int = 500,
             tol: float = 1e-9, init: tuple | None = None, scalings: bool = False):
    """The entropic OT plan ``argmin <T, cost> - eps H(T)`` over couplings of p and q (Sinkhorn scaling).

    The kernel is ``exp(-(cost - min cost) / eps)`` (the shift changes no plan); when the cost range
    over ``eps`` would underflow float64 the log-domain iteration runs instead. Stops when the row
    marginal is within ``tol`` (L1, checked every 10 iterations, as POT does). ``init``: scalings (u, v)
    to start from (a warm start; the plan is the same); ``scalings``: also return them.
    """
    shifted = cost - cost.min()
    if shifted.max() / eps > 600:
        plan = sinkhorn_log(p, q, cost, eps, iters, tol)
        return (plan, None) if scalings else plan
    k = np.exp(-shifted / eps)
    u, v = (np.ones_like(p), np.ones_like(q)) if init is None else init
    with np.errstate(all="ignore"):  # an under/overflow is caught below and redone in the log domain
        for it in range(iters):
            u = p / (k @ v)
            v = q / (k.T @ u)
            if it % 10 == 9 and np.abs(u * (k @ v) - p).sum() < tol:
                break
        plan = u[:, None] * k * v[None, :]
    if not np.isfinite(plan).all():  # the warm start or the kernel under/overflowed: start over in logs
        plan, (u, v) = sinkhorn_log(p, q, cost, eps, iters, tol), (None, None)
    return (plan, (u, v) if u is not None else None) if scalings else plan


def sinkhorn_log(p: np.ndarray, q: np.ndarray, cost: np.ndarray, eps: float, iters: int = 500,
                 tol: float = 1e-9) -> np.ndarray:
    """``sinkhorn`` in the log domain (``scipy.special.logsumexp``): slower, never underflows."""
    logk = -cost / eps
    logp, logq = np.log(p), np.log(q)
    f, g = np.zeros_like(p), np.zeros_like(q)
    for _ in range(iters):
        f = logp - logsumexp(logk + g[None, :], axis=1)
        g_new = logq - logsumexp(logk + f[:, None], axis=0)
        done = np.max(np.abs(g_new - g)) < tol
        g = g_new
        if done:
            break
    return np.exp(f[:, None] + logk + g[None, :])


def _const(c1: np.ndarray, c2: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return (c1 ** 2 @ p)[:, None] + (c2 ** 2 @ q)[None, :]


def gw_objective(c1: np.ndarray, c2: np.ndarray, p: np.ndarray, q: np.ndarray, plan: np.ndarray) -> float:
    """``sum_{ijkl} (C1[i,k] - C2[j,l])^2 T[i,j] T[k,l]`` (square loss) at the plan ``T``."""
    return float(np.sum((_const(c1, c2, p, q) - 2.0 * c1 @ plan @ c2.T) * plan))


def gw_grad_c1(c1: np.ndarray, c2: np.ndarray, p: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """d objective / d C1 at a fixed plan: ``2 (C1 * p p^T - T C2 T^T)`` (symmetric C2)."""
    return 2.0 * (c1 * np.outer(p, p) - plan @ c2 @ plan.T)


def entropic_gw(c1: np.ndarray, c2: np.ndarray, p: np.ndarray | None = None, q: np.ndarray | None = None,
                s: GWSettings = GWSettings(), plan0: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """(GW square-loss objective at the entropic plan, the plan) of symmetric ``C1``, ``C2`` (docstring).

    ``p``/``q`` default to uniform weights; ``plan0`` warm-starts the mirror descent (default ``p q^T``).
    """
    c1, c2 = np.asarray(c1, dtype=np.float64), np.asarray(c2, dtype=np.float64)
    p = np.full(len(c1), 1.0 / len(c1)) if p is None else np.asarray(p, dtype=np.float64)
    q = np.full(len(c2), 1.0 / len(c2)) if q is None else np.asarray(q, dtype=np.float64)
    const = _const(c1, c2, p, q)
    plan = np.outer(p, q) if plan0 is None else plan0
    uv = None
    for _ in range(s.max_iter):
        tens = 2.0 * (const - 2.0 * c1 @ plan @ c2.T)
        new, uv = sinkhorn(p, q, tens, s.epsilon, s.sinkhorn_iter, s.sinkhorn_tol, init=uv, scalings=True)
        change = np.linalg.norm(new - plan)
        plan = new
        if change < s.tol:
            break
    return gw_objective(c1, c2, p, q, plan), plan


def gw_distance(c1: np.ndarray, c2: np.ndarray, s: GWSettings = GWSettings()) -> float:
    """``sqrt`` of the entropic GW objective with uniform weights (W2PGNN reports the square root)."""
    return float(np.sqrt(max(entropic_gw(c1, c2, s=s)[0], 0.0)))


def pot_entropic_gw(c1: np.ndarray, c2: np.ndarray, epsilon: float) -> float:
    """POT's ``entropic_gromov_wasserstein2`` (square loss, uniform weights): the reference this solver is
    tested against. Needs the optional extra: ``pip install 'pretrainlab[graph]'`` (or ``pip install pot``)."""
    try:
        import ot
    except ImportError:
        raise ImportError("POT is not installed: pip install 'pretrainlab[graph]' (or: pip install pot); "
                          "pretrainlab's own solver (entropic_gw) needs nothing extra") from None
    p, q = ot.unif(len(c1)), ot.unif(len(c2))
    return float(ot.gromov.entropic_gromov_wasserstein2(np.asarray(c1, float), np.asarray(c2, float), p, q,
                                                        "square_loss", epsilon=epsilon))


__all__ = ["GWSettings", "entropic_gw", "gw_distance", "gw_grad_c1", "gw_objective", "pot_entropic_gw",
           "sinkhorn", "sinkhorn_log"]
