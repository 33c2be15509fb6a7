"""Trading metrics, direction metrics and the linear baseline against hand-computed numbers and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.eval.series.baseline import logistic_fit
from pretrainlab.eval.series.direction import roc_auc
from pretrainlab.eval.series.trading import (annual_return, buy_and_hold_returns, long_short_weights, max_drawdown,
                                             sharpe, strategy_returns, trading_eval)


def test_long_short_book_and_costs_by_hand():
    scores = np.array([[0.9, 0.1, 0.5, 0.3], [0.1, 0.9, 0.5, 0.3]])
    w = long_short_weights(scores, 1)
    np.testing.assert_array_equal(w, [[1, -1, 0, 0], [-1, 1, 0, 0]])
    R = np.array([[0.02, -0.01, 0.0, 0.0], [0.01, 0.03, 0.0, 0.0]])
    ret, turnover = strategy_returns(w, R, cost=0.001)
    # day 0: 0.02 + 0.01 = 0.03, turnover 2 -> 0.03 - 0.002; day 1: 0.03 - 0.01 = 0.02, turnover 4 -> 0.02 - 0.004
    np.testing.assert_allclose(turnover, [2, 4])
    np.testing.assert_allclose(ret, [0.028, 0.016])
    with pytest.raises(ValueError, match="eval.top_k=3 must be in"):
        long_short_weights(scores, 3)


def test_ties_give_a_fixed_book():
    w = long_short_weights(np.zeros((1, 4)), 1)
    np.testing.assert_array_equal(w, [[1, 0, 0, -1]])


def test_performance_metrics_by_hand():
    ret = np.array([0.1, -0.2, 0.05])
    wealth = 1.1 * 0.8 * 1.05
    assert annual_return(ret, periods=3) == pytest.approx(wealth - 1)          # one "year" of 3 periods
    assert annual_return(ret, periods=6) == pytest.approx(wealth ** 2 - 1)
    assert sharpe(ret, periods=4) == pytest.approx(2 * ret.mean() / ret.std(ddof=1))
    assert sharpe(np.full(5, 0.01)) == 0.0
    # wealth 1.1, 0.88, 0.924: peak 1.1, drawdown 1 - 0.88 / 1.1 = 0.2
    assert max_drawdown(ret) == pytest.approx(0.2)
    assert max_drawdown(np.array([-0.5, 0.1])) == pytest.approx(0.5)  # below the starting wealth from day one
    assert max_drawdown(np.array([0.1, 0.1])) == 0.0


def test_buy_and_hold_and_market_keys():
    prices = np.array([[10.0, 20.0], [11.0, 20.0], [12.0, 10.0]])
    # wealth = mean(P / P0): 1, (1.1 + 1) / 2 = 1.05, (1.2 + 0.5) / 2 = 0.85
    np.testing.assert_allclose(buy_and_hold_returns(prices), [0.05, 0.85 / 1.05 - 1])
    scores = np.array([[1.0, 0.0], [0.0, 1.0]])
    nxt = prices[1:] / prices[:-1] - 1
    out = trading_eval(scores, nxt, prices, k=1, cost=0.0, periods=2)
    # day 0 long 0 short 1: 0.1 - 0; day 1 long 1 short 0: -0.5 - 12/11 + 1
    ret = np.array([0.1, -0.5 - (12 / 11 - 1)])
    assert out["annual_return"] == pytest.approx(np.prod(1 + ret) - 1)
    assert out["market_annual_return"] == pytest.approx(0.85 - 1)
    assert out["sharpe_vs_market"] == pytest.approx(out["sharpe"] - out["market_sharpe"])
    assert out["turnover"] == pytest.approx((2 + 4) / 2)


def test_direction_metrics_match_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    z = y + rng.standard_normal(500)
    z[:50] = np.round(z[:50])  # ties
    assert roc_auc(z, y) == pytest.approx(metrics.roc_auc_score(y, z))
    assert np.isnan(roc_auc(z, np.ones(500)))


def test_logistic_baseline_matches_sklearn():
    lm = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((400, 6))
    y = (x[:, 0] - 0.5 * x[:, 3] + rng.standard_normal(400) > 0).astype(float)
    ref = lm.LogisticRegression(C=1.0, tol=1e-10, max_iter=2000).fit(x, y)
    w = logistic_fit(x, y)
    np.testing.assert_allclose(w[:-1], ref.coef_[0], atol=1e-5)
    assert w[-1] == pytest.approx(ref.intercept_[0], abs=1e-5)
