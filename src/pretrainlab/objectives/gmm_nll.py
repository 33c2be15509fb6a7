"""Maximum-likelihood pretraining of a latent-variable model: the mean negative log-likelihood.

    L(theta) = -(1/B) sum_b log p_theta(x_b),   p_theta(x) = sum_k pi_k N(x | mu_k, diag s_k)

Minimising L with a gradient method over minibatches of the m unlabeled points *is* maximum-likelihood
estimation (the MLE step of Ge et al., ICLR 2024, "On the Provable Advantage of Unsupervised
Pretraining", arXiv 2303.01566, which analyses the MLE and uses EM as one way to compute it): EM and Adam
climb the same likelihood; EM's closed-form M-step is replaced here by Adam steps so that the fit runs in the
one training loop (train/loop.py). The EM-style initialisation (k-means++ seeding) happens in the
modality's ``start`` (models/gmm.py ``kmeans_init``).

Metrics (logged as ``train/<key>``): ``nll`` (nats per point), ``nll_per_dim`` (nats per coordinate).

Example:
    >>> obj = GMMNLL()
    >>> loss, metrics = obj(gmm, {"x": x})     # x: (B, D)
"""

from __future__ import annotations

import torch
from torch import nn


def gmm_nll(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Mean -log p(x) over the batch (float32)."""
    return -model.log_prob(x).mean()


class GMMNLL(nn.Module):
    """Mean negative log-likelihood of a mixture (``model.log_prob``) on a batch ``{"x": (B, D)}``."""

    name = "gmm_nll"

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        loss = gmm_nll(model, batch["x"])
        nll = loss.detach()
        return loss, {"nll": nll, "nll_per_dim": nll / batch["x"].shape[1]}
