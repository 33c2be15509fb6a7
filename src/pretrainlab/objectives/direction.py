"""Next-period direction (SSPT's fine-tuning task, METHODS-2 #28): will the series go up tomorrow?

A linear head gives one logit ``z = w . model(x) + b`` per window; the loss is binary cross-entropy against
``up = 1[r_{t+1} > 0]``::

    loss = mean_b [ softplus(z_b) - up_b z_b ]      (= BCE-with-logits)

The trading evaluation (eval/series/trading.py) ranks stocks by ``z`` each day. Batch:
``{"x": (B, L, C), "up": (B,)}``. Metrics: ``direction_acc``. ``predict(model, x)`` returns ``z``.

Examples:
    >>> import torch
    >>> obj = Direction(dim=1)
    >>> _ = obj.head.weight.data.fill_(1.0); _ = obj.head.bias.data.zero_()
    >>> loss, m = obj(lambda x: x[:, 0], {"x": torch.tensor([[[0.0]], [[0.0]]]), "up": torch.tensor([1, 0])})
    >>> round(float(loss), 4), float(m["direction_acc"])  # z = 0: log 2; ties count as "down"
    (0.6931, 0.5)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Direction(nn.Module):
    """Up/down head + binary cross-entropy."""

    def __init__(self, dim: int):
        super().__init__()
        self.head = nn.Linear(dim, 1)

    def predict(self, model, x: torch.Tensor) -> torch.Tensor:
        return self.head(model(x)).squeeze(-1)  # (B,)

    def forward(self, model, batch: dict) -> tuple[torch.Tensor, dict]:
        z = self.predict(model, batch["x"])
        y = batch["up"].float()
        loss = F.binary_cross_entropy_with_logits(z, y)
        return loss, {"direction_acc": ((z > 0).float() == y).float().mean()}
