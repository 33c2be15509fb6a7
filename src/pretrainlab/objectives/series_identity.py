"""Series identity (SSPT's stock-code and sector classification tasks, METHODS-2 #28): which stock, and which
sector, does a window come from?

Two linear heads on the encoder's CLS feature ``h = model(x)`` (B, D), cross-entropy each::

    loss = w_stock CE(W_s h, stock) + w_sector CE(W_g h, sector)

A weight of 0 drops that head. The windows are per-series normalised (data/series_windows.py), so the
task can only be solved from a series' dynamics (its beta to the market, its autocorrelation, its jumps),
which is what the paper wants the encoder to learn. Batch: ``{"x", "stock": (B,), "sector": (B,)}``.
Metrics: ``stock_ce``, ``stock_acc``, ``sector_ce``, ``sector_acc`` (for the heads in use).

Examples:
    >>> import torch
    >>> obj = SeriesIdentity(dim=2, n_series=2, n_sectors=1, sector_weight=0.0)
    >>> _ = obj.stock_head.weight.data.zero_(); _ = obj.stock_head.bias.data.zero_()
    >>> loss, m = obj(lambda x: x[:, 0], {"x": torch.zeros(3, 1, 2), "stock": torch.tensor([0, 1, 1]),
    ...                                   "sector": torch.zeros(3, dtype=torch.long)})
    >>> round(float(loss), 4)  # log 2: uniform over 2 stocks
    0.6931
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class SeriesIdentity(nn.Module):
    """Stock-code and sector classification heads."""

    def __init__(self, dim: int, n_series: int, n_sectors: int, stock_weight: float = 1.0, sector_weight: float = 1.0):
        super().__init__()
        self.stock_weight, self.sector_weight = float(stock_weight), float(sector_weight)
        self.stock_head = nn.Linear(dim, n_series)
        self.sector_head = nn.Linear(dim, max(n_sectors, 1))

    def forward(self, model, batch: dict) -> tuple[torch.Tensor, dict]:
        h = model(batch["x"])  # (B, D)
        loss, metrics = h.new_zeros(()), {}
        for name, head, w in (("stock", self.stock_head, self.stock_weight),
                              ("sector", self.sector_head, self.sector_weight)):
            if w <= 0:
                continue
            logits = head(h)
            ce = F.cross_entropy(logits, batch[name])
            loss = loss + w * ce
            metrics[f"{name}_ce"] = ce.detach()
            metrics[f"{name}_acc"] = (logits.argmax(-1) == batch[name]).float().mean()
        return loss, metrics
