"""Binary classification metrics of the table protocols: ROC-AUC (Mann-Whitney, ties averaged) and accuracy.

    AUC = (sum of the positives' ranks - P (P + 1) / 2) / (P N)

with average ranks over all scores (ties count one half), the same value as
``sklearn.metrics.roc_auc_score``; 0.5 when one class is absent (no ranking to judge).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def roc_auc(y: np.ndarray, score: np.ndarray) -> float:
    y, score = np.asarray(y).astype(bool), np.asarray(score, dtype=np.float64)
    P, N = int(y.sum()), int((~y).sum())
    if P == 0 or N == 0:
        return 0.5
    ranks = rankdata(score)
    return float((ranks[y].sum() - P * (P + 1) / 2) / (P * N))


def accuracy(y: np.ndarray, prob: np.ndarray, threshold: float = 0.5) -> float:
    return float(np.mean((np.asarray(prob) > threshold) == np.asarray(y).astype(bool)))
