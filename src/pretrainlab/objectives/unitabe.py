"""UniTabE pretraining (Yang et al. 2023, arXiv 2307.09249): masked-cell prediction plus a contrastive
term between two views of each row, ``L = masked_weight * L_masked + contrastive_weight * L_contrast``
(objectives/masked_cell.py, objectives/row_contrastive.py). A weight of 0 drops that term (and its
head). Metrics: both terms' metrics plus ``masked`` (unweighted).

Two encoder passes per step, as in the paper's "two masked views of the same row": view 1 is the row with
its masked cells (the masked-cell loss reads its cell vectors), view 2 a random subset of the row's
cells (``RowContrastive.draw``); their [CLS] vectors are the positive pair. With ``masked_weight = 0``
both views are column subsets (``RowContrastive`` alone).

Example:
    >>> obj = UniTabE(dim=32, vocab_size=213, masked_weight=1.0, contrastive_weight=0.5)
    >>> loss, metrics = obj(model, batch)
"""

from __future__ import annotations

import torch
from torch import nn

from pretrainlab.objectives.masked_cell import MaskedCell
from pretrainlab.objectives.row_contrastive import RowContrastive


class UniTabE(nn.Module):
    def __init__(self, dim: int, vocab_size: int, masked_weight: float = 1.0, contrastive_weight: float = 1.0,
                 mask_ratio: float = 0.3, view_keep: float = 0.6, temperature: float = 0.1, proj_dim: int = 32):
        super().__init__()
        if masked_weight < 0 or contrastive_weight < 0 or masked_weight + contrastive_weight <= 0:
            raise ValueError(f"objective: masked_weight={masked_weight} and contrastive_weight={contrastive_weight} "
                             "must be >= 0 with at least one > 0")
        self.masked_weight, self.contrastive_weight = masked_weight, contrastive_weight
        self.masked = MaskedCell(dim, vocab_size, mask_ratio) if masked_weight > 0 else None
        self.contrastive = RowContrastive(dim, view_keep, temperature, proj_dim) if contrastive_weight > 0 else None

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        if self.masked is None:
            lc, mc = self.contrastive(model, batch)
            return self.contrastive_weight * lc, mc
        present = (batch["kinds"] != 0) & ~batch["miss"]
        mask = self.masked.draw(batch) & present
        cls1, h = model(batch, mask=mask)
        lm, metrics = self.masked.loss_from(h, batch, mask)
        loss, metrics = self.masked_weight * lm, {**metrics, "masked": lm.detach()}
        if self.contrastive is not None:
            lc, mc = self.contrastive.loss_from(cls1, model(batch, drop=self.contrastive.draw(batch)[1])[0])
            loss, metrics = loss + self.contrastive_weight * lc, {**metrics, **mc}
        return loss, metrics
