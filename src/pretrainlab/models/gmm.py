"""Gaussian mixture model with diagonal covariances as an ``nn.Module``: the latent-variable model Phi of
"On the Provable Advantage of Unsupervised Pretraining" (Ge, Tang, Fan, Jin; ICLR 2024), whose posterior
p(z | x) is the representation the downstream ERM sees.

Shapes: B points, D dimensions, K components.

    log p(x, z = k) = log softmax(mix_logits)_k - 1/2 sum_j [(x_j - mu_kj)^2 / s_kj + log(2 pi s_kj)]
    s_kj = min_var + exp(log_var_kj)            (a variance floor: the MLE of a mixture is unbounded
                                                  when a component collapses onto one point)
    log p(x) = logsumexp_k log p(x, z = k);     posterior p(z | x) = softmax_k log p(x, z = k)

``forward(x)`` returns the posterior (B, K). Everything is computed in float32 with autocast off (bf16 would
round the quadratic terms). ``kmeans_init`` seeds the parameters from data (k-means++ seeding, Lloyd
iterations, best of ``restarts``): the usual initialisation of EM, after which the one training loop does
the maximum-likelihood fit (objectives/gmm_nll.py).

Presets (``model.preset``): ``test`` (K = 2), ``small`` (K = 8, the paper's repro), ``medium`` (K = 16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

PRESETS = {"test": 2, "small": 8, "medium": 16}


@dataclass
class GMMConfig:
    dim: int = 20
    """D: dimension of x (set from the data)."""
    components: int = 8
    """K: mixture components."""
    min_var: float = 1e-2
    """Floor of every diagonal variance."""

    def validate(self) -> None:
        if self.dim < 1 or self.components < 1:
            raise ValueError(f"model: dim and components must be >= 1, got {self.dim}, {self.components}")
        if self.min_var <= 0:
            raise ValueError(f"model.min_var must be > 0, got {self.min_var}")


class GaussianMixture(nn.Module):
    """Diagonal-covariance GMM; ``forward(x)`` -> posterior p(z | x) (B, K)."""

    family = "gmm"

    def __init__(self, cfg: GMMConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.means = nn.Parameter(torch.randn(cfg.components, cfg.dim))
        self.log_var = nn.Parameter(torch.zeros(cfg.components, cfg.dim))
        self.mix_logits = nn.Parameter(torch.zeros(cfg.components))

    @property
    def variances(self) -> torch.Tensor:
        return self.cfg.min_var + self.log_var.float().exp()

    def log_joint(self, x: torch.Tensor) -> torch.Tensor:
        """(B, D) -> (B, K) log p(x, z = k)."""
        with torch.autocast(x.device.type, enabled=False):
            x = x.float()[:, None, :]                          # (B, 1, D)
            var = self.variances[None]                         # (1, K, D)
            quad = ((x - self.means.float()[None]) ** 2 / var).sum(-1)
            log_norm = torch.log(2 * math.pi * var).sum(-1)    # (1, K)
            return torch.log_softmax(self.mix_logits.float(), -1)[None] - 0.5 * (quad + log_norm)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """(B,) log p(x)."""
        return torch.logsumexp(self.log_joint(x), dim=-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.log_joint(x), dim=-1)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    @torch.no_grad()
    def kmeans_init(self, x: np.ndarray, seed: int, restarts: int = 4, iters: int = 20) -> float:
        """Set means / variances / weights from the best (lowest inertia) of ``restarts`` k-means runs; returns
        that inertia per point."""
        x = np.asarray(x, dtype=np.float64)
        best = min((kmeans(x, self.cfg.components, np.random.default_rng([seed, r]), iters) for r in range(restarts)),
                   key=lambda t: t[2])
        centres, assign, inertia = best
        k, pooled = self.cfg.components, x.var(axis=0) + 1e-12
        var = np.stack([x[assign == j].var(axis=0) if (assign == j).sum() > 1 else pooled for j in range(k)])
        var = np.maximum(var - self.cfg.min_var, 1e-6)         # s = min_var + exp(log_var)
        counts = np.bincount(assign, minlength=k) + 1.0
        self.means.copy_(torch.as_tensor(centres, dtype=self.means.dtype))
        self.log_var.copy_(torch.as_tensor(np.log(var), dtype=self.log_var.dtype))
        self.mix_logits.copy_(torch.as_tensor(np.log(counts / counts.sum()), dtype=self.mix_logits.dtype))
        return float(inertia / len(x))


def kmeans(x: np.ndarray, k: int, rng: np.random.Generator, iters: int) -> tuple[np.ndarray, np.ndarray, float]:
    """k-means++ seeding (Arthur & Vassilvitskii 2007) + ``iters`` Lloyd steps: (centres, assignment, inertia)."""
    n = len(x)
    centres = [x[rng.integers(n)]]
    d2 = ((x - centres[0]) ** 2).sum(1)
    for _ in range(1, k):
        p = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1.0 / n)
        centres.append(x[rng.choice(n, p=p)])
        d2 = np.minimum(d2, ((x - centres[-1]) ** 2).sum(1))
    c = np.stack(centres)
    for _ in range(iters):
        dist = _sqdist(x, c)                                   # (N, K)
        assign = dist.argmin(1)
        new = np.stack([x[assign == j].mean(0) if (assign == j).any() else c[j] for j in range(k)])
        if np.allclose(new, c):
            break
        c = new
    dist = _sqdist(x, c)
    assign = dist.argmin(1)
    return c, assign, float(dist[np.arange(n), assign].sum())


def _sqdist(x: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(N, K) squared distances ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2, clipped at 0."""
    return np.maximum((x ** 2).sum(1)[:, None] - 2 * x @ c.T + (c ** 2).sum(1)[None], 0.0)
