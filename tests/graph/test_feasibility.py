"""W2PGNN feasibility and selection (eval/graph/feasibility.py) on hand-made graph families: the mixture fit
recovers a mixture, data like the downstream data are more feasible than unlike data, the selection keeps the
like graphs, the random selection is seeded."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.eval.graph.feasibility import FeasibilitySettings, feasibility, fit_alpha, select_random, \
    select_w2pgnn
from pretrainlab.eval.graph.graphon import sas_graphon

S = FeasibilitySettings(resolution=24, blocks=6, clusters=2, select_clusters=4, alpha_steps=30, epsilon=0.01)
"""epsilon scaled to these 0/1-valued graphons (molecule graphons are sparser: the default 5e-3)."""


def cycle(n: int) -> tuple:
    return n, np.array([(i, (i + 1) % n) for i in range(n)])


def star(n: int) -> tuple:
    return n, np.array([(0, i) for i in range(1, n)])


def dense(n: int, rng) -> tuple:
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if rng.random() < 0.7]
    return n, np.array(pairs).reshape(-1, 2)


def test_fit_alpha_recovers_a_mixture():
    b1, b2 = sas_graphon([cycle(n) for n in range(6, 12)], 24, 6), sas_graphon([star(n) for n in range(6, 12)], 24, 6)
    target = 0.7 * b1 + 0.3 * b2
    dist, alpha = fit_alpha([b1, b2], target, S)
    alone = min(fit_alpha([b], target, S)[0] for b in (b1, b2))
    assert dist < 0.5 * alone and alpha[0] > 0.5 and alpha.sum() == pytest.approx(1.0)


def test_like_data_are_more_feasible_than_unlike_data():
    down = [cycle(n) for n in range(6, 16)]
    like = [cycle(n) for n in range(7, 17)]
    unlike = [star(n) for n in range(6, 16)]
    f_like, f_unlike = feasibility(like, down, S), feasibility(unlike, down, S)
    assert f_like["feasibility"] > f_unlike["feasibility"]
    assert f_like["feasibility"] == -f_like["distance"] and sum(f_like["alpha"]) == pytest.approx(1.0)


def test_select_w2pgnn_keeps_the_like_graphs():
    rng = np.random.default_rng(1)
    down = [cycle(n) for n in range(6, 16)]
    candidates = [cycle(n) for n in range(6, 26)] + [dense(n, rng) for n in range(6, 26)]
    picked = select_w2pgnn(candidates, down, 20, S)
    assert len(picked) == 20 and np.all(np.diff(picked) > 0)
    assert (picked < 20).sum() >= 16  # mostly cycles
    assert np.array_equal(picked, select_w2pgnn(candidates, down, 20, S))
    with pytest.raises(ValueError, match="cannot select 41 of 40"):
        select_w2pgnn(candidates, down, 41, S)


def test_select_random_is_seeded_and_sized():
    a, b = select_random(100, 30, 0), select_random(100, 30, 1)
    assert len(a) == 30 and len(set(a.tolist())) == 30 and np.all(np.diff(a) > 0)
    assert np.array_equal(a, select_random(100, 30, 0)) and not np.array_equal(a, b)
    with pytest.raises(ValueError, match="cannot select 0"):
        select_random(100, 0, 0)
