"""Masked-cell prediction (UniTabE multi-cell masking, arXiv 2307.09249): hide the values of random cells
and reconstruct them from the column names and the other cells.

A cell is masked with probability ``mask_ratio`` (at least one present cell per row); its value embedding
becomes [MASK] while its name and type stay, so the model knows which column it must fill. With cell
vectors ``h_c`` of the masked row (``models/tabunit.py``)::

    L = mean_{masked categorical c} CE(W_cat h_c, token_c)  +  mean_{masked numeric c} (w_num . h_c - x_c)^2

over the vocabulary (category words) and the z-scored value. Missing cells are never masked (no target).
Metrics: ``masked_ce``, ``masked_mse``, ``masked_acc`` (top-1 on the masked categorical cells).

Example:
    >>> obj = MaskedCell(dim=32, vocab_size=213, mask_ratio=0.3)
    >>> loss, metrics = obj(model, batch)   # batch: names, kinds, num, cat, miss, rng_seed
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def draw_mask(present: torch.Tensor, ratio: float, gen: torch.Generator) -> torch.Tensor:
    """(B, C) bool: each present cell with probability ``ratio``, plus one present cell in rows with none."""
    u = torch.rand(present.shape, generator=gen)
    mask = (u < ratio) & present
    forced = torch.where(present, u, torch.full_like(u, 2.0)).argmin(1)  # the present cell with the lowest u
    empty = ~mask.any(1) & present.any(1)
    mask[empty, forced[empty]] = True
    return mask


def masked_cell_loss(cat_logits: torch.Tensor, cat_target: torch.Tensor, num_pred: torch.Tensor,
                     num_target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(CE, MSE) means over the selected cells: ``cat_logits`` (M, V) vs ``cat_target`` (M,), ``num_pred``
    (K,) vs ``num_target`` (K,); an empty selection contributes 0."""
    ce = F.cross_entropy(cat_logits.float(), cat_target) if len(cat_target) else cat_logits.sum() * 0.0
    mse = F.mse_loss(num_pred.float(), num_target.float()) if len(num_target) else num_pred.sum() * 0.0
    return ce, mse


class MaskedCell(nn.Module):
    def __init__(self, dim: int, vocab_size: int, mask_ratio: float = 0.3):
        super().__init__()
        self.mask_ratio = mask_ratio
        self.cat_head = nn.Linear(dim, vocab_size)
        self.num_head = nn.Linear(dim, 1)

    def loss_from(self, h: torch.Tensor, batch: dict, mask: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """The loss of cell vectors ``h`` (B, C, D) of a row batch encoded with ``mask`` (B, C) masked."""
        cat_sel, num_sel = mask & (batch["kinds"] == 2), mask & (batch["kinds"] == 1)
        logits = self.cat_head(h[cat_sel])
        ce, mse = masked_cell_loss(logits, batch["cat"][cat_sel], self.num_head(h[num_sel]).squeeze(-1),
                                   batch["num"][num_sel])
        acc = (logits.argmax(-1) == batch["cat"][cat_sel]).float().mean() if cat_sel.any() else ce.new_zeros(())
        return ce + mse, {"masked_ce": ce.detach(), "masked_mse": mse.detach(), "masked_acc": acc.detach()}

    def draw(self, batch: dict) -> torch.Tensor:
        """The (B, C) cell mask of a batch, from its ``rng_seed``."""
        present = (batch["kinds"] != 0) & ~batch["miss"]
        gen = torch.Generator().manual_seed(int(batch["rng_seed"]))
        return draw_mask(present.cpu(), self.mask_ratio, gen).to(present.device)

    def forward(self, model: nn.Module, batch: dict, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, dict]:
        mask = (self.draw(batch) if mask is None else mask) & (batch["kinds"] != 0) & ~batch["miss"]
        return self.loss_from(model(batch, mask=mask)[1], batch, mask)
