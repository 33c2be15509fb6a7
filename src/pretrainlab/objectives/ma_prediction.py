"""Moving-average prediction (SSPT's MA task, METHODS-2 #28): regress the future k-day moving averages.

For a window ending on day t and horizons k (default 5, 10, 20), the target is
``y_k = log(mean(P[t+1..t+k]) / P[t]) / (sigma_i sqrt(k))`` (data/series_windows.py) and the loss is the
mean squared error of a linear head on the encoder's CLS feature::

    loss = mean_{b, k} (W h_b + c - y_{b,k})^2,   h = model(x)  (B, D)

Batch: ``{"x": (B, L, C), "ma": (B, H)}``. Metrics: ``ma_mse`` and ``ma_r2`` (1 - MSE / var(y)).

Examples:
    >>> import torch
    >>> obj = MAPrediction(dim=2, n_horizons=1)
    >>> _ = obj.head.weight.data.copy_(torch.tensor([[1.0, 0.0]])); _ = obj.head.bias.data.zero_()
    >>> loss, m = obj(lambda x: x[:, 0], {"x": torch.tensor([[[1.0, 0.0]], [[3.0, 0.0]]]), "ma": torch.tensor([[0.0], [1.0]])})
    >>> float(loss)  # ((1 - 0)^2 + (3 - 1)^2) / 2
    2.5
"""

from __future__ import annotations

import torch
from torch import nn


class MAPrediction(nn.Module):
    """Future moving-average regression head + MSE."""

    def __init__(self, dim: int, n_horizons: int = 3):
        super().__init__()
        self.head = nn.Linear(dim, n_horizons)

    def forward(self, model, batch: dict) -> tuple[torch.Tensor, dict]:
        y = batch["ma"]
        pred = self.head(model(batch["x"]))  # (B, H)
        loss = torch.mean((pred - y) ** 2)
        r2 = 1.0 - loss.detach() / y.var(unbiased=False).clamp_min(1e-8)
        return loss, {"ma_mse": loss.detach(), "ma_r2": r2}
