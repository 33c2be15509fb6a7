"""Baselines of the direction task that no arm trains: a pooled linear model and the world's oracle.

* ``linear_accuracy``: L2 logistic regression (``logistic_fit``: Newton's method on
  ``sum_n logloss(y_n, w . x_n + b) + ||w||^2 / 2``, the objective of scikit-learn's C = 1, intercept
  unpenalised; numpy, so no extra dependency) on the flattened window features of
  the fine-tuning period (at most ``max_train`` = 10000 windows, evenly spaced), test accuracy. It pools all
  series, so sector-specific momentum / reversion averages out; what it finds (the delayed reaction to the
  market, trends) shows the world is predictable at all.
* ``oracle_accuracy`` (market world only): ``mean(1[drift > 0] == up)`` with the generator's true
  conditional mean of the next return (worlds/series/market.py): the ceiling of any model.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.data.series_windows import SeriesWindows


def logistic_fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 25) -> np.ndarray:
    """Weights (d + 1,) (intercept last) minimising ``sum logloss + l2 ||w||^2 / 2`` by Newton's method."""
    X = np.hstack([x.astype(np.float64), np.ones((len(x), 1))])
    w = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(X @ w, -30, 30)))
        grad = X.T @ (p - y) + reg * w
        hess = (X * (p * (1 - p))[:, None]).T @ X + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def linear_accuracy(win: SeriesWindows, max_train: int = 10000) -> float:
    train = win.samples("train", 1)
    if len(train) > max_train:
        train = train[np.linspace(0, len(train) - 1, max_train).astype(int)]
    test = win.samples("test", 1)
    x_tr = win.window_of(train).reshape(len(train), -1)
    x_te = win.window_of(test).reshape(len(test), -1)
    y_tr, y_te = win.up[train[:, 0], train[:, 1]], win.up[test[:, 0], test[:, 1]]
    w = logistic_fit(x_tr, y_tr.astype(np.float64))
    return float(np.mean(((x_te @ w[:-1] + w[-1]) > 0) == (y_te == 1)))


def oracle_accuracy(win: SeriesWindows, drift: np.ndarray) -> float:
    pairs = win.samples("test", 1)
    s, t = pairs[:, 0], pairs[:, 1]
    return float(np.mean((drift[s, t + 1] > 0) == (win.up[s, t] == 1)))
