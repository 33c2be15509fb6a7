"""Per-task ROC-AUC of multi-task binary predictions with missing labels (Hu et al.'s metric).

For task t, the graphs with an observed label (not NaN) are scored with scikit-learn's ``roc_auc_score``;
a task whose observed labels are all of one class has no ROC-AUC: it is skipped and counted (the reference
code does the same: "Some target is missing!"). The mean is over the tasks that were scored.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import roc_auc_score


def multitask_auc(labels: np.ndarray, scores: np.ndarray) -> dict:
    """``{"auc": mean over scored tasks, "per_task": [auc or nan], "skipped": n}`` for (G, T) arrays."""
    labels, scores = np.asarray(labels, dtype=np.float64), np.asarray(scores, dtype=np.float64)
    if labels.shape != scores.shape:
        raise ValueError(f"labels {labels.shape} and scores {scores.shape} differ in shape")
    per = []
    for t in range(labels.shape[1]):
        seen = ~np.isnan(labels[:, t])
        y = labels[seen, t]
        per.append(float(roc_auc_score(y, scores[seen, t])) if len(np.unique(y)) == 2 else math.nan)
    scored = [a for a in per if not math.isnan(a)]
    return {"auc": float(np.mean(scored)) if scored else math.nan, "per_task": per, "skipped": len(per) - len(scored)}
