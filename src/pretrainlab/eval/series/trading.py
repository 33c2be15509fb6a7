"""A realistic trading evaluation: a daily-rebalanced long/short strategy against the market (SSPT reports
cumulative return / IRR and Sharpe, METHODS-2 #28).

Strategy, on each test day t with scores ``s[t, i]`` (higher = more likely up) and next-day simple returns
``R[t, i] = P[t+1, i] / P[t, i] - 1``::

    w[t, i] = +1/k for the k highest scores, -1/k for the k lowest, 0 otherwise   (dollar neutral, gross 2)
    turnover[t] = sum_i |w[t, i] - w[t-1, i]|                                     (w[-1] = 0: the first trade counts)
    ret[t] = sum_i w[t, i] R[t, i] - cost * turnover[t]                          (cost per unit of weight traded)

Ties in the scores are broken by the series' index (stable sort), so equal scores give a fixed book.
Metrics of a daily return series ``ret`` (``P`` = periods per year, 252)::

    wealth W_t        = prod_{s <= t} (1 + ret_s)
    annual_return     = W_T^(P / T) - 1                       (the IRR of daily compounding, annualised)
    sharpe            = sqrt(P) mean(ret) / std(ret, ddof=1)  (risk-free rate 0; 0 when std is 0)
    max_drawdown      = max_t (1 - W_t / max(1, max_{s <= t} W_s))

The market baseline is equal-weight buy-and-hold: 1/N of the money in each series on the first test day,
never rebalanced: ``W_t = mean_i P[t, i] / P[0, i]``, ``ret_t = W_t / W_{t-1} - 1``, no costs.
"""

from __future__ import annotations

import numpy as np

PERIODS_PER_YEAR = 252


def long_short_weights(scores: np.ndarray, k: int) -> np.ndarray:
    """(T, N) weights: +1/k on the k best scores of each day, -1/k on the k worst."""
    T, N = scores.shape
    if not 1 <= k <= N // 2:
        raise ValueError(f"eval.top_k={k} must be in [1, {N // 2}] for {N} series (long k, short k)")
    order = np.argsort(-scores, axis=1, kind="stable")
    w = np.zeros((T, N))
    rows = np.arange(T)[:, None]
    w[rows, order[:, :k]] = 1.0 / k
    w[rows, order[:, N - k:]] = -1.0 / k
    return w


def strategy_returns(weights: np.ndarray, next_returns: np.ndarray, cost: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Daily net returns and turnover of a book ``weights`` (T, N) held over ``next_returns`` (T, N)."""
    prev = np.vstack([np.zeros((1, weights.shape[1])), weights[:-1]])
    turnover = np.abs(weights - prev).sum(axis=1)
    return (weights * next_returns).sum(axis=1) - cost * turnover, turnover


def buy_and_hold_returns(prices: np.ndarray) -> np.ndarray:
    """Daily returns (T - 1,) of an equal-weight buy-and-hold portfolio of ``prices`` (T, N)."""
    wealth = (prices / prices[:1]).mean(axis=1)
    return wealth[1:] / wealth[:-1] - 1.0


def annual_return(ret: np.ndarray, periods: int = PERIODS_PER_YEAR) -> float:
    wealth = float(np.prod(1.0 + ret))
    return wealth ** (periods / len(ret)) - 1.0 if wealth > 0 else -1.0


def sharpe(ret: np.ndarray, periods: int = PERIODS_PER_YEAR) -> float:
    sd = float(np.std(ret, ddof=1)) if len(ret) > 1 else 0.0
    return float(np.sqrt(periods) * np.mean(ret) / sd) if sd > 0 else 0.0


def max_drawdown(ret: np.ndarray) -> float:
    wealth = np.cumprod(1.0 + ret)
    peak = np.maximum.accumulate(np.maximum(wealth, 1.0))
    return float(np.max(1.0 - wealth / peak))


def performance(ret: np.ndarray, periods: int = PERIODS_PER_YEAR) -> dict[str, float]:
    return {"annual_return": annual_return(ret, periods), "sharpe": sharpe(ret, periods),
            "max_drawdown": max_drawdown(ret)}


def trading_eval(scores: np.ndarray, next_returns: np.ndarray, prices: np.ndarray, k: int, cost: float,
                 periods: int = PERIODS_PER_YEAR) -> dict[str, float]:
    """Strategy and market metrics over the test days; ``prices`` (T + 1, N) spans the same days and the next.

    Keys: annual_return, sharpe, max_drawdown, turnover (mean daily), market_{annual_return, sharpe,
    max_drawdown}, sharpe_vs_market and return_vs_market (strategy minus market).
    """
    ret, turnover = strategy_returns(long_short_weights(scores, k), next_returns, cost)
    out = {**performance(ret, periods), "turnover": float(turnover.mean())}
    market = performance(buy_and_hold_returns(prices), periods)
    out.update({f"market_{m}": v for m, v in market.items()})
    out["sharpe_vs_market"] = out["sharpe"] - market["sharpe"]
    out["return_vs_market"] = out["annual_return"] - market["annual_return"]
    return out
