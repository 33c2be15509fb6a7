"""Entropic Gromov-Wasserstein (eval/graph/gromov.py): Sinkhorn marginals, hand-computed GW values,
invariance under relabelling, the C1-gradient against finite differences, and POT's solver when installed."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from pretrainlab.eval.graph.gromov import GWSettings, entropic_gw, gw_distance, gw_grad_c1, gw_objective, sinkhorn, \
    sinkhorn_log


def _sym(rng, n):
    a = rng.random((n, n))
    return (a + a.T) / 2


@pytest.mark.parametrize("solver", [sinkhorn, sinkhorn_log])
def test_sinkhorn_plan_has_the_marginals_and_prefers_cheap_cells(solver):
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.25, 0.25, 0.5])
    cost = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    plan = solver(p, q, cost, 0.05)
    assert plan.sum(1) == pytest.approx(p, abs=1e-7) and plan.sum(0) == pytest.approx(q, abs=1e-7)
    assert plan[1, 1] == pytest.approx(0.25, abs=1e-3) and plan[2, 2] == pytest.approx(0.2, abs=1e-3)


def test_sinkhorn_falls_back_to_the_log_domain_without_underflow():
    p = q = np.full(2, 0.5)
    cost = np.array([[0.0, 50.0], [50.0, 0.0]])
    plan = sinkhorn(p, q, cost, 0.01)  # exp(-5000) underflows in the plain kernel
    assert np.isfinite(plan).all() and plan == pytest.approx(np.diag([0.5, 0.5]), abs=1e-9)


def test_gw_of_constant_matrices_is_the_squared_difference():
    # every coupling gives sum_{ijkl} (a - b)^2 T_ij T_kl = (a - b)^2
    value, plan = entropic_gw(np.full((3, 3), 0.2), np.full((4, 4), 0.7))
    assert value == pytest.approx(0.25, abs=1e-12) and plan.sum() == pytest.approx(1.0)
    assert gw_distance(np.full((1, 1), 0.9), np.full((1, 1), 0.3)) == pytest.approx(0.6)


def test_gw_objective_by_hand():
    c1 = np.array([[0.0, 1.0], [1.0, 0.0]])
    c2 = np.array([[0.0, 0.5], [0.5, 0.0]])
    ident = np.eye(2) / 2
    # pairs (i,k) with T_ii T_kk = 1/4: (0,0),(1,1): (0-0)^2; (0,1),(1,0): (1-0.5)^2 -> 2 * 0.25 / 4
    assert gw_objective(c1, c2, np.full(2, 0.5), np.full(2, 0.5), ident) == pytest.approx(0.125)


def test_gw_is_invariant_to_relabelling_and_small_for_equal_spaces():
    rng = np.random.default_rng(0)
    c = _sym(rng, 6)
    perm = rng.permutation(6)
    s = GWSettings(epsilon=1e-3)
    same, _ = entropic_gw(c, c, s=s)
    permuted, _ = entropic_gw(c, c[np.ix_(perm, perm)], s=s)
    other, _ = entropic_gw(c, _sym(rng, 6) * 0.3, s=s)
    assert permuted == pytest.approx(same, abs=1e-6)
    assert same < 1e-3 < other


def test_grad_c1_matches_finite_differences_at_a_fixed_plan():
    rng = np.random.default_rng(1)
    c1, c2 = _sym(rng, 4), _sym(rng, 5)
    p, q = np.full(4, 0.25), np.full(5, 0.2)
    _, plan = entropic_gw(c1, c2, p, q, GWSettings(epsilon=0.05))
    grad = gw_grad_c1(c1, c2, p, plan)
    h, num = 1e-6, np.zeros_like(c1)
    for i in range(4):
        for k in range(4):
            e = np.zeros_like(c1)
            e[i, k] = h
            num[i, k] = (gw_objective(c1 + e, c2, p, q, plan) - gw_objective(c1 - e, c2, p, q, plan)) / (2 * h)
    assert grad == pytest.approx(num, abs=1e-7)


@pytest.mark.skipif(importlib.util.find_spec("ot") is None, reason="POT not installed (optional extra 'graph')")
@pytest.mark.parametrize("n,m,eps", [(5, 5, 0.05), (8, 6, 0.02), (12, 12, 0.05), (12, 12, 0.02)])
def test_matches_pot(n, m, eps):
    from pretrainlab.eval.graph.gromov import pot_entropic_gw

    rng = np.random.default_rng(n * 100 + m)
    c1, c2 = _sym(rng, n), _sym(rng, m)
    ours, _ = entropic_gw(c1, c2, s=GWSettings(epsilon=eps, max_iter=1000, tol=1e-9))
    assert ours == pytest.approx(pot_entropic_gw(c1, c2, eps), rel=2e-3)
