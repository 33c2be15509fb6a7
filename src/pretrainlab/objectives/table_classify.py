"""Fine-tuning objective of a table encoder: a binary classification head on the [CLS] row vector.

``p = sigmoid(w . cls + b)``, ``L = BCE(p, y) = -mean(y log p + (1 - y) log(1 - p))``. Used by the
downstream fine-tuning protocol (eval/table/finetune.py) on a held-out table's rows. Metric ``acc``.

Example:
    >>> obj = TableClassify(dim=32)
    >>> loss, metrics = obj(model, {**batch, "y": y})      # y (B,) in {0, 1}
    >>> probs = obj.predict(model, batch)                   # (B,)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class TableClassify(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.head = nn.Linear(dim, 1)

    def logits(self, model: nn.Module, batch: dict) -> torch.Tensor:
        return self.head(model(batch)[0]).squeeze(-1)

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        z = self.logits(model, batch)
        y = batch["y"].float()
        loss = F.binary_cross_entropy_with_logits(z.float(), y)
        return loss, {"acc": ((z > 0).float() == y).float().mean().detach()}

    @torch.no_grad()
    def predict(self, model: nn.Module, batch: dict) -> torch.Tensor:
        return torch.sigmoid(self.logits(model, batch).float())
