"""Direction evaluation: the model's up/down scores for every (series, day) of a period, their accuracy and
ROC-AUC, and the trading evaluation of the test period (trading.py).

``accuracy = mean(1[z > 0] == up)`` over all windows whose next day lies in the period (day-major, every
series each day); ``auc`` is the ROC-AUC of ``z`` against ``up`` (scikit-learn's definition).
"""

from __future__ import annotations

import numpy as np
import torch

from pretrainlab.data.series_windows import SeriesWindows
from pretrainlab.eval.series.trading import trading_eval


@torch.no_grad()
def scores(predict, win: SeriesWindows, pairs: np.ndarray, batch_size: int, device) -> np.ndarray:
    """``predict(x) -> (B,)`` logits of every (stock, day) pair, in order."""
    out = []
    for i in range(0, len(pairs), batch_size):
        x = torch.from_numpy(win.window_of(pairs[i:i + batch_size])).to(device)
        out.append(predict(x).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros(0)


def roc_auc(score: np.ndarray, y: np.ndarray) -> float:
    """Mann-Whitney ROC-AUC with average ranks for ties (= sklearn.metrics.roc_auc_score)."""
    from scipy.stats import rankdata

    pos, n = int(y.sum()), len(y)
    if pos in (0, n):
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * (n - pos)))


def direction_eval(predict, win: SeriesWindows, prices: np.ndarray, period: str, batch_size: int, device,
                   top_k: int | None = None, cost: float = 0.0) -> dict[str, float]:
    """accuracy, auc (and with ``top_k`` the trading metrics) of one period."""
    days = win.days(period, 1)
    pairs = win.samples(period, 1)
    z = scores(predict, win, pairs, batch_size, device)
    y = win.up[pairs[:, 0], pairs[:, 1]]
    out = {"accuracy": float(np.mean((z > 0) == (y == 1))), "auc": roc_auc(z, y)}
    if top_k:
        N = win.features.shape[0]
        S = z.reshape(len(days), N)
        R = win.next_return[:, days].T
        out.update(trading_eval(S, R, prices[:, days[0]:days[-1] + 2].T, top_k, cost))
    return out
