"""Latent evaluation: clustering accuracy, risks vs scikit-learn, the downstream sweep's keys and arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.eval.latent import cluster_accuracy, downstream, downstream_keys, slopes
from pretrainlab.eval.latent.downstream import fit_predict, risks


def test_cluster_accuracy_is_permutation_invariant():
    true = np.array([0, 0, 1, 1, 2, 2])
    assert cluster_accuracy(np.array([2, 2, 0, 0, 1, 1]), true) == 1.0
    assert cluster_accuracy(np.array([1, 1, 1, 1, 0, 0]), true) == pytest.approx(4 / 6)
    assert cluster_accuracy(np.array([0, 1, 2, 3, 4, 5]), true) == pytest.approx(3 / 6)  # more fitted clusters


def test_risks_match_sklearn():
    from sklearn.metrics import accuracy_score, log_loss

    rng = np.random.default_rng(0)
    proba = rng.dirichlet([1, 1, 1], size=50)
    y = rng.integers(3, size=50)
    r = risks(proba, y)
    assert r["error"] == pytest.approx(1 - accuracy_score(y, proba.argmax(1)))
    assert r["logloss"] == pytest.approx(log_loss(y, proba, labels=[0, 1, 2]))


def test_single_class_sample_predicts_smoothed_frequencies():
    p = fit_predict("raw_logreg", np.zeros((4, 2)), np.array([1, 1, 1, 1]), np.zeros((3, 2)), 2, 1.0, 8, 1e-4, 0)
    assert np.allclose(p, [[1 / 6, 5 / 6]] * 3)
    with pytest.raises(ValueError, match="unknown pipeline"):
        fit_predict("svm", np.zeros((4, 2)), np.array([0, 1, 0, 1]), np.zeros((3, 2)), 2, 1.0, 8, 1e-4, 0)


def test_downstream_keys_and_gaps():
    rng = np.random.default_rng(0)
    z = rng.integers(4, size=(2, 60))
    centres = rng.normal(scale=3, size=(4, 5))
    pool_x = centres[z] + rng.normal(size=(2, 60, 5))
    pool_y = z % 2
    zt = rng.integers(4, size=300)
    test_x, test_y = centres[zt] + rng.normal(size=(300, 5)), zt % 2

    def features(x):  # a perfect representation: the one-hot true component
        return np.eye(4)[np.argmin(((x[:, None] - centres[None]) ** 2).sum(-1), axis=1)]

    out = downstream(features, pool_x, pool_y, test_x, test_y, 2, [10, 60], seed=0)
    assert set(out) == downstream_keys([10, 60])
    for n in (10, 60):
        for m in ("error", "logloss"):
            best = min(out[f"eval/raw_logreg/n{n}/{m}"], out[f"eval/raw_mlp/n{n}/{m}"])
            assert out[f"eval/supervised/n{n}/{m}"] == best
            assert out[f"eval/gap/n{n}/{m}"] == pytest.approx(best - out[f"eval/pretrained/n{n}/{m}"])
    assert out["eval/gap/closing/error"] == pytest.approx(out["eval/gap/n10/error"] - out["eval/gap/n60/error"])
    assert out["eval/pretrained/n60/error"] < 0.05  # one-hot components + a linear head: the labels are exact
    # draw 0 alone, refitted by hand with scikit-learn, enters the mean
    from sklearn.linear_model import LogisticRegression

    ref = [(LogisticRegression(C=1.0, max_iter=2000).fit(features(pool_x[r, :60]), pool_y[r, :60])
            .predict(features(test_x)) != test_y).mean() for r in range(2)]
    assert out["eval/pretrained/n60/error"] == pytest.approx(np.mean(ref))
    assert "eval/gap/closing/error" not in downstream_keys([10])


def test_slopes():
    summary = {"eval/bayes/logloss": 0.1, **{f"eval/p/n{n}/logloss": 0.1 + 2.0 / n for n in (10, 100, 1000)}}
    assert slopes(summary, ("p",), [10, 100, 1000])["eval/p/slope_n"] == pytest.approx(-1.0)
    assert slopes({}, ("p",), [10, 100]) == {}
