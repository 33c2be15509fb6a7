"""Causal language modelling: next-token cross-entropy.

    L = -(1/(B T)) sum_{b,t} log p_theta(x_{b,t+1} | x_{b,<=t})

Input: a (B, T+1) int64 batch of token windows; the model sees ``x[:, :-1]`` and predicts ``x[:, 1:]``.
Radford et al. 2018 (GPT); the objective every decoder paper in the seeds builds on.

Example:
    >>> obj = CausalLM()
    >>> loss, metrics = obj(model, batch)   # batch: (B, T+1)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def causal_lm_loss(logits: torch.Tensor, targets: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Cross-entropy of (B, T, V) logits against (B, T) targets, computed in float32."""
    return F.cross_entropy(logits.float().flatten(0, 1), targets.flatten(), reduction=reduction)


class CausalLM(nn.Module):
    """Objective: batch -> (loss, metrics). Owns its batch->loss logic; the trainer stays generic."""

    name = "causal_lm"

    def forward(self, model: nn.Module, batch: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        inputs, targets = batch[:, :-1], batch[:, 1:]
        logits = model(inputs)
        token_loss = causal_lm_loss(logits, targets, reduction="none").view(targets.shape)  # (B, T)
        row_loss = token_loss.mean(dim=1)  # (B,): per-row loss, for per-source training curves
        return row_loss.mean(), {"row_loss": row_loss.detach()}

    def tokens_in(self, batch: torch.Tensor) -> int:
        return batch[:, 1:].numel()
