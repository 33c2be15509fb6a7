"""Downstream ERM on n labeled points, with and without the pretrained representation (METHODS-2 #35).

For each n in ``n_labeled`` and each labeled draw r (the first n points of draw r; draws are independent,
the sizes of one draw nested), three pipelines are fitted on the same n points and scored on the same
held-out test set:

* ``pretrained``  logistic regression psi on phi(x) = p(z | x), the posterior of the MLE-fitted mixture
  (the paper's "unsupervised pretraining, then ERM");
* ``raw_logreg``  logistic regression on standardised raw x (supervised only, the same downstream class);
* ``raw_mlp``     a one-hidden-layer MLP on standardised raw x (supervised only, a flexible class that can
  approximate the composite Phi o psi given enough labels).

Risks per (pipeline, n), averaged over the draws: ``error`` (0-1 test error) and ``logloss`` (mean
-log q(y | x), the logistic risk). ``supervised`` is, per n, the better of the two raw baselines *chosen on
the test set* (an oracle choice that favours the supervised side); ``gap`` = supervised - pretrained.
Every fit uses the same fixed hyper-parameters at every n (L2 strength ``1 / C``; MLP weight decay
``mlp_alpha``): nothing is tuned on the test set. A draw whose n labels hold one class only is predicted
by the smoothed class frequencies (no classifier can be fitted).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

PIPELINES = ("pretrained", "raw_logreg", "raw_mlp")
BASELINES = ("raw_logreg", "raw_mlp")


def _constant(y: np.ndarray, classes: int, n_test: int) -> np.ndarray:
    freq = (np.bincount(y, minlength=classes) + 1.0) / (len(y) + classes)
    return np.tile(freq, (n_test, 1))


def fit_predict(kind: str, x: np.ndarray, y: np.ndarray, x_test: np.ndarray, classes: int, c: float,
                mlp_hidden: int, mlp_alpha: float, seed: int) -> np.ndarray:
    """(N_test, classes) predicted class probabilities of pipeline ``kind`` fitted on (x, y)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(np.unique(y)) < 2:
        return _constant(y, classes, len(x_test))
    if kind == "pretrained":
        model = LogisticRegression(C=c, max_iter=2000)
    elif kind == "raw_logreg":
        model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    elif kind == "raw_mlp":
        model = make_pipeline(StandardScaler(), MLPClassifier((mlp_hidden,), alpha=mlp_alpha, solver="lbfgs",
                                                              max_iter=500, random_state=seed))
    else:
        raise ValueError(f"unknown pipeline '{kind}'; choose one of {PIPELINES}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs iteration limits at tiny n: the fit is still a valid ERM answer
        model.fit(x, y)
        proba = model.predict_proba(x_test)
    out = np.zeros((len(x_test), classes))
    out[:, model.classes_] = proba
    return out


def risks(proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """0-1 error and logistic loss (probabilities clipped at 1e-12) of (N, C) predictions."""
    p_true = np.clip(proba[np.arange(len(y)), y], 1e-12, 1.0)
    return {"error": float((proba.argmax(1) != y).mean()), "logloss": float(-np.log(p_true).mean())}


def downstream(features: Callable[[np.ndarray], np.ndarray], pool_x: np.ndarray, pool_y: np.ndarray,
               test_x: np.ndarray, test_y: np.ndarray, classes: int, n_labeled: list[int], c: float = 1.0,
               mlp_hidden: int = 64, mlp_alpha: float = 1e-4, seed: int = 0) -> dict[str, float]:
    """Flat ``eval/<pipeline>/n<n>/<risk>``, ``eval/supervised/...`` and ``eval/gap/...`` keys.

    ``features``: x (N, D) -> phi(x) (N, K), the pretrained representation.
    """
    phi_test = features(test_x)
    out: dict[str, float] = {}
    for n in n_labeled:
        per = {p: [] for p in PIPELINES}
        for r in range(len(pool_x)):
            x, y = pool_x[r, :n], pool_y[r, :n]
            for p in PIPELINES:
                xtr, xte = (features(x), phi_test) if p == "pretrained" else (x, test_x)
                proba = fit_predict(p, xtr, y, xte, classes, c, mlp_hidden, mlp_alpha, seed=seed * 1000 + r)
                per[p].append(risks(proba, test_y))
        for p in PIPELINES:
            for m in ("error", "logloss"):
                out[f"eval/{p}/n{n}/{m}"] = float(np.mean([d[m] for d in per[p]]))
        for m in ("error", "logloss"):
            best = min(out[f"eval/{b}/n{n}/{m}"] for b in BASELINES)
            out[f"eval/supervised/n{n}/{m}"] = best
            out[f"eval/gap/n{n}/{m}"] = best - out[f"eval/pretrained/n{n}/{m}"]
    if len(n_labeled) > 1:
        lo, hi = min(n_labeled), max(n_labeled)
        out["eval/gap/closing/error"] = out[f"eval/gap/n{lo}/error"] - out[f"eval/gap/n{hi}/error"]
    return out


def downstream_keys(n_labeled: list[int]) -> set[str]:
    """The keys ``downstream`` returns for ``n_labeled``."""
    keys = {f"eval/{p}/n{n}/{m}" for p in (*PIPELINES, "supervised", "gap") for n in n_labeled
            for m in ("error", "logloss")}
    return keys | ({"eval/gap/closing/error"} if len(n_labeled) > 1 else set())
