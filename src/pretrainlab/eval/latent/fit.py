"""How well the pretraining fit recovered the latent-variable model, and the Bayes risk, on the test set.

* ``eval/gmm/test_nll``: mean -log p_hat(x) of the fitted mixture on the held-out test points (nats per
  point); ``eval/gmm/train_nll`` the same on the unlabeled pool it was fitted on.
* Synthetic worlds (the true model is known):
  ``eval/gmm/true_nll`` (the true model's held-out NLL), ``eval/gmm/nll_excess`` = test_nll - true_nll
  (>= 0 in expectation: the KL divergence from the truth), ``eval/gmm/cluster_acc``: accuracy of
  argmax_k p_hat(z = k | x) against the true component after the best one-to-one matching of fitted to
  true components (Hungarian algorithm; chance about 1/K), and the Bayes-optimal risks
  ``eval/bayes/error`` / ``eval/bayes/logloss`` of q*(y | x) = sum_k p(k | x) p(y | k).
* ``eval/<pipeline>/slope_n``: least-squares slope of log(excess logistic risk) against log n
  (excess = logloss - Bayes logloss, floored at 1e-4): the "predicted slope" plot of the paper as a
  reported number (O(1/n) risk terms give slope -1). Reported, never judged.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.worlds.latent import Truth
from pretrainlab.worlds.latent.gmm import bayes_proba, log_density

EXCESS_FLOOR = 1e-4


def cluster_accuracy(pred: np.ndarray, true: np.ndarray) -> float:
    """Share of points whose predicted cluster maps to their true one under the best one-to-one matching."""
    from scipy.optimize import linear_sum_assignment

    k_pred, k_true = int(pred.max()) + 1, int(true.max()) + 1
    counts = np.zeros((k_pred, k_true))
    np.add.at(counts, (pred, true), 1)
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(pred))


def fit_metrics(log_prob_test: np.ndarray, log_prob_train: np.ndarray, post_test: np.ndarray,
                test_x: np.ndarray, test_y: np.ndarray, test_z: np.ndarray | None, truth: Truth | None,
                classes: int) -> dict[str, float]:
    """The ``eval/gmm/*`` and ``eval/bayes/*`` keys (see the module docstring)."""
    out = {"eval/gmm/test_nll": float(-log_prob_test.mean()), "eval/gmm/train_nll": float(-log_prob_train.mean())}
    if truth is None:
        return out
    true_nll = float(-log_density(truth, test_x).mean())
    q = bayes_proba(truth, classes, test_x)
    p_true = np.clip(q[np.arange(len(test_y)), test_y], 1e-12, 1.0)
    out.update({"eval/gmm/true_nll": true_nll, "eval/gmm/nll_excess": out["eval/gmm/test_nll"] - true_nll,
                "eval/gmm/cluster_acc": cluster_accuracy(post_test.argmax(1), test_z),
                "eval/bayes/error": float((q.argmax(1) != test_y).mean()),
                "eval/bayes/logloss": float(-np.log(p_true).mean())})
    return out


def slopes(summary: dict, pipelines: tuple[str, ...], n_labeled: list[int]) -> dict[str, float]:
    """``eval/<pipeline>/slope_n`` for each pipeline (needs the Bayes logloss and two or more n)."""
    if "eval/bayes/logloss" not in summary or len(n_labeled) < 2:
        return {}
    logn = np.log(np.asarray(n_labeled, dtype=float))
    out = {}
    for p in pipelines:
        excess = [summary[f"eval/{p}/n{n}/logloss"] - summary["eval/bayes/logloss"] for n in n_labeled]
        out[f"eval/{p}/slope_n"] = float(np.polyfit(logn, np.log(np.maximum(excess, EXCESS_FLOOR)), 1)[0])
    return out
