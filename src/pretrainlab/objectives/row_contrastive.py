"""Contrastive learning across two views of the same row (UniTabE's contrastive term; B-CONTRAST).

Each view keeps every present cell with probability ``view_keep`` (at least one) and hides the rest
from attention; the two [CLS] vectors of a row, projected by ``g`` (a 2-layer MLP owned here), are a
positive pair, the other rows of the batch negatives. NT-Xent (SimCLR, arXiv 2002.05709) over the 2B
projections ``z = normalize(g(cls))`` with temperature tau::

    L = -(1/2B) sum_i log( exp(z_i . z_p(i) / tau) / sum_{j != i} exp(z_i . z_j / tau) )

(``objectives.contrastive.nt_xent``). Metric ``contrastive_acc``: share of rows whose nearest other
projection is their own second view.

Example:
    >>> obj = RowContrastive(dim=32, view_keep=0.6, temperature=0.1)
    >>> loss, metrics = obj(model, batch)   # batch: names, kinds, num, cat, miss, rng_seed
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.objectives.contrastive import nt_xent


def draw_views(present: torch.Tensor, keep: float, gen: torch.Generator) -> torch.Tensor:
    """(2, B, C) bool *drop* masks: each view hides present cells with probability 1 - keep, keeping >= 1."""
    u = torch.rand((2, *present.shape), generator=gen)
    kept = (u < keep) & present
    best = torch.where(present, u, torch.full_like(u, 2.0)).argmin(-1)  # (2, B)
    for v in range(2):
        empty = ~kept[v].any(1) & present.any(1)
        kept[v, empty, best[v, empty]] = True
    return ~kept


class RowContrastive(nn.Module):
    def __init__(self, dim: int, view_keep: float = 0.6, temperature: float = 0.1, proj_dim: int = 32):
        super().__init__()
        self.view_keep, self.temperature = view_keep, temperature
        self.proj = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, proj_dim))

    def draw(self, batch: dict) -> torch.Tensor:
        """The (2, B, C) drop masks of a batch, from its ``rng_seed``."""
        present = (batch["kinds"] != 0) & ~batch["miss"]
        gen = torch.Generator().manual_seed(int(batch["rng_seed"]) + 1)
        return draw_views(present.cpu(), self.view_keep, gen).to(present.device)

    def loss_from(self, cls1: torch.Tensor, cls2: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """NT-Xent of two (B, D) [CLS] batches (row i of each is a positive pair) and the view retrieval accuracy."""
        z1, z2 = self.proj(cls1), self.proj(cls2)
        loss = nt_xent(z1, z2, self.temperature)
        with torch.no_grad():
            z = F.normalize(torch.cat([z1, z2]).float(), dim=-1)
            sim = (z @ z.T).fill_diagonal_(float("-inf"))
            B = z1.shape[0]
            target = torch.cat([torch.arange(B, 2 * B), torch.arange(0, B)]).to(z.device)
            acc = (sim.argmax(1) == target).float().mean()
        return loss, {"contrastive": loss.detach(), "contrastive_acc": acc}

    def forward(self, model: nn.Module, batch: dict, drops: torch.Tensor | None = None) -> tuple[torch.Tensor, dict]:
        drops = self.draw(batch) if drops is None else drops
        return self.loss_from(model(batch, drop=drops[0])[0], model(batch, drop=drops[1])[0])
