"""Latent worlds: determinism, shapes, nested pools, label noise, the true model's quantities, the cache,
and config errors."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.worlds.latent import LatentWorldConfig, build_latent_world, fingerprint
from pretrainlab.worlds.latent.gmm import bayes_proba, build_gmm_world, log_density, posterior, true_model

SMALL = dict(dim=5, components=4, n_unlabeled=300, n_labeled=50, label_draws=2, n_test=400)


def test_shapes_and_determinism(tmp_path):
    cfg = LatentWorldConfig(**SMALL)
    a = build_latent_world(cfg, 3, tmp_path / "a")
    b = build_latent_world(cfg, 3, tmp_path / "b")
    assert a.unlabeled.shape == (300, 5) and a.pool_x.shape == (2, 50, 5) and a.pool_y.shape == (2, 50)
    assert a.test_x.shape == (400, 5) and a.test_y.shape == (400,) and a.test_z.shape == (400,)
    assert a.dim == 5 and a.num_classes == 2 and a.fingerprint == b.fingerprint
    for key in ("unlabeled", "pool_x", "pool_y", "test_x", "test_y", "test_z"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    c = build_latent_world(cfg, 4, tmp_path / "a")
    assert not np.array_equal(a.unlabeled, c.unlabeled) and c.fingerprint != a.fingerprint
    assert len(list((tmp_path / "a").glob("latent_gmm_*.npz"))) == 2


def test_fixed_world_seed_overrides_run_seed(tmp_path):
    cfg = LatentWorldConfig(**SMALL, seed=7)
    assert np.array_equal(build_latent_world(cfg, 0, tmp_path).test_x, build_latent_world(cfg, 1, tmp_path).test_x)


def test_pools_are_nested_and_independent_of_m():
    big = build_gmm_world(LatentWorldConfig(**{**SMALL, "n_unlabeled": 3000}), 1)
    small = build_gmm_world(LatentWorldConfig(**SMALL), 1)
    assert np.array_equal(big["unlabeled"][:300], small["unlabeled"])
    for key in ("pool_x", "pool_y", "test_x", "test_y"):
        assert np.array_equal(big[key], small[key]), key
    assert not np.array_equal(small["pool_x"][0], small["pool_x"][1])  # independent draws


def test_label_map_balanced_and_noise_rate():
    cfg = LatentWorldConfig(dim=4, components=6, classes=3, label_noise=0.2, n_test=20000, n_unlabeled=10,
                            n_labeled=10, label_draws=1)
    w = build_gmm_world(cfg, 0)
    truth = w["truth"]
    assert sorted(np.bincount(truth.label_map)) == [2, 2, 2]
    flipped = (truth.label_map[w["test_z"]] != w["test_y"]).mean()
    assert abs(flipped - 0.2) < 0.015
    assert abs(np.mean(w["test_z"] == 0) - 1 / 6) < 0.015  # uniform weights


def test_true_model_quantities():
    cfg = LatentWorldConfig(dim=3, components=3, classes=2, label_noise=0.1)
    truth = true_model(cfg, 0)
    x = np.random.default_rng(0).normal(size=(7, 3))
    from scipy.stats import multivariate_normal

    ref = np.log(sum(truth.weights[k] * multivariate_normal(truth.means[k], np.diag(truth.variances[k])).pdf(x)
                     for k in range(3)))
    assert np.allclose(log_density(truth, x), ref)
    assert np.allclose(posterior(truth, x).sum(1), 1.0)
    q = bayes_proba(truth, 2, x)
    assert np.allclose(q.sum(1), 1.0) and q.min() >= 0.1 - 1e-12 and q.max() <= 0.9 + 1e-12  # noise floor


def test_separation_sets_mean_distances():
    truth = true_model(LatentWorldConfig(dim=200, components=10, separation=4.0), 0)
    d = np.linalg.norm(truth.means[:, None] - truth.means[None], axis=-1)[np.triu_indices(10, 1)]
    assert abs(np.sqrt((d ** 2).mean()) - 4.0) < 0.3


def test_fingerprint_depends_on_config():
    assert fingerprint(LatentWorldConfig(), 0) != fingerprint(LatentWorldConfig(label_noise=0.2), 0)


@pytest.mark.parametrize("fields, match", [
    ({"classes": 9}, "data.world.classes"),
    ({"label_noise": 0.5}, "label_noise"),
    ({"var_low": 2.0}, "var_low <= var_high"),
    ({"n_unlabeled": 0}, "data.world.n_unlabeled"),
    ({"kind": "file"}, "data.world.path"),
    ({"kind": "file", "path": "a.npy", "labeled_path": "b.npy", "test_frac": 1.0}, "test_frac"),
])
def test_config_errors(fields, match):
    with pytest.raises(ConfigError, match=match):
        from_dict(LatentWorldConfig, fields, prefix="data.world")
