"""The GMM model and its MLE objective: reference log-densities, posterior, k-means seeding, a tiny fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pretrainlab.models.gmm import PRESETS, GaussianMixture, GMMConfig, kmeans
from pretrainlab.objectives.gmm_nll import GMMNLL, gmm_nll


def _set(model: GaussianMixture, means, variances, weights) -> None:
    with torch.no_grad():
        model.means.copy_(torch.tensor(means, dtype=torch.float32))
        model.log_var.copy_(torch.log(torch.tensor(variances, dtype=torch.float32) - model.cfg.min_var))
        model.mix_logits.copy_(torch.log(torch.tensor(weights, dtype=torch.float32)))


def test_shapes_and_presets():
    m = GaussianMixture(GMMConfig(dim=5, components=PRESETS["test"]))
    x = torch.randn(7, 5)
    assert m(x).shape == (7, 2) and m.log_joint(x).shape == (7, 2) and m.log_prob(x).shape == (7,)
    assert torch.allclose(m(x).sum(-1), torch.ones(7)) and m.num_params() == 2 * 5 * 2 + 2
    with pytest.raises(ValueError, match="min_var"):
        GaussianMixture(GMMConfig(min_var=0.0))


def test_hand_computed_nll():
    """1-D mixture 0.25 N(0, 1) + 0.75 N(2, 4) at x = 1: p = 0.25 phi(1) + 0.75 phi((1-2)/2) / 2."""
    m = GaussianMixture(GMMConfig(dim=1, components=2, min_var=1e-3))
    _set(m, [[0.0], [2.0]], [[1.0], [4.0]], [0.25, 0.75])
    phi = lambda u: math.exp(-u * u / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    p = 0.25 * phi(1.0) + 0.75 * phi(-0.5) / 2
    x = torch.tensor([[1.0]])
    assert m.log_prob(x).item() == pytest.approx(math.log(p), abs=1e-5)
    assert m(x)[0, 0].item() == pytest.approx(0.25 * phi(1.0) / p, abs=1e-5)
    loss, metrics = GMMNLL()(m, {"x": torch.tensor([[1.0], [1.0]])})
    assert loss.item() == pytest.approx(-math.log(p), abs=1e-5)
    assert metrics["nll"].item() == pytest.approx(-math.log(p), abs=1e-5) and metrics["nll_per_dim"] == metrics["nll"]


def test_matches_scipy_diagonal():
    from scipy.stats import multivariate_normal

    rng = np.random.default_rng(0)
    means, var, w = rng.normal(size=(3, 4)), rng.uniform(0.5, 2, size=(3, 4)), np.array([0.2, 0.3, 0.5])
    m = GaussianMixture(GMMConfig(dim=4, components=3))
    _set(m, means, var, w)
    x = rng.normal(size=(6, 4))
    ref = np.log(sum(w[k] * multivariate_normal(means[k], np.diag(var[k])).pdf(x) for k in range(3)))
    assert np.allclose(m.log_prob(torch.tensor(x, dtype=torch.float32)).detach().numpy(), ref, atol=1e-4)
    assert gmm_nll(m, torch.tensor(x, dtype=torch.float32)).item() == pytest.approx(-ref.mean(), abs=1e-4)


def test_bf16_autocast_does_not_round():
    m = GaussianMixture(GMMConfig(dim=6, components=3))
    x = torch.randn(5, 6) * 3
    with torch.autocast("cpu", dtype=torch.bfloat16):
        lp = m.log_prob(x)
    assert lp.dtype == torch.float32 and torch.allclose(lp, m.log_prob(x))


def _blobs(n=600, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [8, 0], [0, 8]], dtype=float)
    z = rng.integers(3, size=n)
    return centres[z] + rng.normal(size=(n, 2)), z, centres


def test_kmeans_finds_separated_clusters():
    x, z, centres = _blobs()
    c, assign, inertia = kmeans(x, 3, np.random.default_rng(0), 20)
    order = np.argsort(c[:, 0] + 10 * c[:, 1])
    assert np.allclose(c[order], centres[np.argsort(centres[:, 0] + 10 * centres[:, 1])], atol=0.3)
    assert inertia / len(x) == pytest.approx(2.0, rel=0.15)  # two unit-variance coordinates


def test_kmeans_init_then_adam_fit_lowers_nll():
    x, _, _ = _blobs(seed=1)
    m = GaussianMixture(GMMConfig(dim=2, components=3))
    xt = torch.tensor(x, dtype=torch.float32)
    before = gmm_nll(m, xt).item()
    m.kmeans_init(x, seed=0)
    seeded = gmm_nll(m, xt).item()
    opt = torch.optim.Adam(m.parameters(), lr=0.05)
    for _ in range(100):
        opt.zero_grad()
        loss = gmm_nll(m, xt)
        loss.backward()
        opt.step()
    fitted = gmm_nll(m, xt).item()
    assert fitted <= seeded + 1e-4 < before
    # MLE of 3 equal, well-separated 2-D unit blobs: NLL ~ log 3 + log(2 pi) + 1 (mixing + Gaussian entropy)
    assert fitted == pytest.approx(math.log(3) + math.log(2 * math.pi) + 1, abs=0.1)
    assert sorted(torch.softmax(m.mix_logits, 0).tolist()) == pytest.approx([1 / 3] * 3, abs=0.06)


def test_overfit_tiny_sample_hits_variance_floor():
    """MLE on 3 points with 3 components collapses each component onto a point: variances reach the floor."""
    x = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    m = GaussianMixture(GMMConfig(dim=2, components=3, min_var=1e-2))
    m.kmeans_init(x, seed=0)
    opt = torch.optim.Adam(m.parameters(), lr=0.1)
    xt = torch.tensor(x, dtype=torch.float32)
    for _ in range(300):
        opt.zero_grad()
        gmm_nll(m, xt).backward()
        opt.step()
    assert m.variances.max().item() < 2e-2
