"""Multi-label metrics: mean ROC-AUC and mean average precision (mAP) over classes.

    AUC_c = P(s(x+) > s(x-)) for a positive and a negative of class c     (sklearn ``roc_auc_score``)
    AP_c  = sum_n (R_n - R_{n-1}) P_n over the score ranking of class c   (``average_precision_score``)
    mean AUC = mean_c AUC_c,  mAP = mean_c AP_c

Averaged over the classes that have both a positive and a negative in the evaluated split (the rest are
undefined; their number is reported as ``n_classes_skipped``) -- the pretrain-gnns / CheXpert convention
(PEERS-SSL.md §2.5). Scores may be logits, probabilities or kNN label averages: both metrics only use
the ranking. The multi-label *linear probe* is eval/linear_probe.py with a sigmoid/BCE head.

Needs scikit-learn: ``pip install 'pretrainlab[vision]'``.
"""

from __future__ import annotations

import numpy as np
import torch


def _sklearn_metrics():
    try:
        from sklearn.metrics import average_precision_score, roc_auc_score
    except ImportError:
        raise ImportError("multi-label metrics need scikit-learn: pip install 'pretrainlab[vision]'") from None
    return roc_auc_score, average_precision_score


def multilabel_metrics(scores: torch.Tensor | np.ndarray, targets: torch.Tensor | np.ndarray) -> dict[str, float]:
    """{"auc", "mAP", "n_classes_skipped"} of (N, K) scores against (N, K) multi-hot targets."""
    roc_auc_score, average_precision_score = _sklearn_metrics()
    s = np.asarray(torch.as_tensor(scores).float().cpu())
    y = np.asarray(torch.as_tensor(targets).float().cpu()) > 0.5
    if s.shape != y.shape or s.ndim != 2:
        raise ValueError(f"scores {s.shape} and targets {y.shape} must both be (N, K)")
    valid = [c for c in range(y.shape[1]) if 0 < y[:, c].sum() < len(y)]
    if not valid:
        return {"auc": float("nan"), "mAP": float("nan"), "n_classes_skipped": float(y.shape[1])}
    aucs = [roc_auc_score(y[:, c], s[:, c]) for c in valid]
    aps = [average_precision_score(y[:, c], s[:, c]) for c in valid]
    return {"auc": float(np.mean(aucs)), "mAP": float(np.mean(aps)),
            "n_classes_skipped": float(y.shape[1] - len(valid))}
