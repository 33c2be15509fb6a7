"""Seeded Gaussian-mixture world: the latent-variable setting of "On the Provable Advantage of Unsupervised
Pretraining" (Ge, Tang, Fan, Jin; ICLR 2024, arXiv 2303.01566), METHODS-2 #35.

Generative model (d dimensions, K components, C classes)::

    z ~ Categorical(pi)                          pi = 1/K, or ~ Dirichlet(mix_concentration)
    x | z ~ N(mu_z, diag(sigma_z^2))             mu_k ~ N(0, s^2/(2d) I), s = separation;
                                                 sigma_kj^2 ~ U[var_low, var_high]
    y = g(z) with prob 1 - eta, else a uniform other class     (g: balanced component -> class map)

Every draw is a pure function of (seed, stream, chunk): rows come in chunks of ``CHUNK`` from
``np.random.default_rng([seed, stream, chunk])``, so the first m rows of a pool do not depend on its size
(a world with m = 100 holds the first 100 unlabeled points of the world with m = 10000: arms that vary m
see nested pools) and the labeled draws and test set do not depend on m at all.

The true model gives the Bayes risk (``bayes_proba``) and the true held-out NLL (``log_density``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .config import LatentWorldConfig, Truth

CHUNK = 1024
PARAMS, UNLABELED, TEST, LABELED = 0, 1, 2, 3  # stream ids; labeled draw r uses stream LABELED + r


def true_model(cfg: LatentWorldConfig, seed: int) -> Truth:
    """Means, variances, weights and label map of the world with ``seed``."""
    rng = np.random.default_rng([seed, PARAMS])
    k, d = cfg.components, cfg.dim
    means = rng.normal(0.0, cfg.separation / np.sqrt(2 * d), size=(k, d))
    variances = rng.uniform(cfg.var_low, cfg.var_high, size=(k, d))
    weights = rng.dirichlet(np.full(k, cfg.mix_concentration)) if cfg.mix_concentration > 0 else np.full(k, 1.0 / k)
    label_map = np.empty(k, dtype=np.int64)
    label_map[rng.permutation(k)] = np.arange(k) % cfg.classes  # balanced: K / C components per class
    return Truth(means, variances, weights, label_map, cfg.label_noise)


def _chunk(truth: Truth, classes: int, seed: int, stream: int, index: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng([seed, stream, index])
    z = rng.choice(len(truth.weights), size=CHUNK, p=truth.weights)
    x = truth.means[z] + np.sqrt(truth.variances[z]) * rng.standard_normal((CHUNK, truth.means.shape[1]))
    y = truth.label_map[z].copy()
    flip = rng.random(CHUNK) < truth.label_noise
    y[flip] = (y[flip] + rng.integers(1, classes, size=int(flip.sum()))) % classes
    return x.astype(np.float32), y, z


def sample(truth: Truth, classes: int, seed: int, stream: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The first ``n`` rows (x (n, d) float32, y (n,), z (n,)) of stream ``stream``."""
    parts = [_chunk(truth, classes, seed, stream, i) for i in range(-(-n // CHUNK))]
    return tuple(np.concatenate([p[j] for p in parts])[:n] for j in range(3))


def log_joint(truth: Truth, x: np.ndarray) -> np.ndarray:
    """(N, K) log pi_k + log N(x | mu_k, diag sigma_k^2) in float64."""
    x = np.asarray(x, dtype=np.float64)[:, None, :]
    var = truth.variances[None]
    ll = -0.5 * (((x - truth.means[None]) ** 2) / var + np.log(2 * np.pi * var)).sum(-1)
    return ll + np.log(truth.weights)[None]


def log_density(truth: Truth, x: np.ndarray) -> np.ndarray:
    """(N,) log p(x) under the true mixture."""
    return logsumexp(log_joint(truth, x), axis=1)


def posterior(truth: Truth, x: np.ndarray) -> np.ndarray:
    """(N, K) p(z = k | x) under the true mixture."""
    lj = log_joint(truth, x)
    return np.exp(lj - logsumexp(lj, axis=1, keepdims=True))


def bayes_proba(truth: Truth, classes: int, x: np.ndarray) -> np.ndarray:
    """(N, C) p(y = c | x) = sum_k p(k | x) [(1 - eta) 1{g(k) = c} + eta / (C - 1) 1{g(k) != c}]."""
    onehot = np.eye(classes)[truth.label_map]  # (K, C)
    eta = truth.label_noise
    label_given_z = (1 - eta) * onehot + eta / (classes - 1) * (1 - onehot)
    return posterior(truth, x) @ label_given_z


def build_gmm_world(cfg: LatentWorldConfig, seed: int) -> dict:
    """Every array of the world with ``seed`` (the keys of ``LatentData``, plus the truth)."""
    truth = true_model(cfg, seed)
    c = cfg.classes
    unlabeled, _, _ = sample(truth, c, seed, UNLABELED, cfg.n_unlabeled)
    test_x, test_y, test_z = sample(truth, c, seed, TEST, cfg.n_test)
    draws = [sample(truth, c, seed, LABELED + r, cfg.n_labeled) for r in range(cfg.label_draws)]
    return {"unlabeled": unlabeled, "pool_x": np.stack([d[0] for d in draws]), "pool_y": np.stack([d[1] for d in draws]),
            "test_x": test_x, "test_y": test_y, "test_z": test_z, "truth": truth}
