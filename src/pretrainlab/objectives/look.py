"""LOOK: leave-one-out kNN loss for supervised pretraining (Feng et al., ICLR 2022, arXiv 2110.06014).

Anchor i has the normalised projection ``z_i = normalize(g(f(x_i)))``. A memory bank holds one feature per
training image (slot = dataset index; ``bank_size`` slots, or grown to the largest index seen when 0),
computed by a momentum encoder (EMA copy of backbone + projector), and the image's label.
With N_k(i) the k bank entries most cosine-similar to z_i, *excluding i's own slot*:

    p_i = sum_{j in N_k(i), y_j = y_i} exp(z_i.b_j / tau) / sum_{j in N_k(i)} exp(z_i.b_j / tau),   L = -log p_i

Only the neighbourhood has to agree with the label, so a class may stay multi-modal (sub-classes survive),
unlike cross-entropy, which pulls a whole class towards one weight vector.

Bank update (before the loss, so at step 0 the batch-mates already count as neighbours):
``b_idx <- normalize(bank_momentum * b_idx + (1 - bank_momentum) * k_idx)`` for filled slots (plain write for
empty ones, and always when ``bank_momentum = 0``); k = momentum-encoder feature. Anchors with no same-label
entry among their k neighbours have p_i = 0; they are left out of the mean (their fraction is the metric
``no_pos_frac``) rather than given an infinite loss. No public code exists; this follows the paper's text.

Data parallel (``sharded``): keys, labels and indices of all ranks update the bank (the same bank on every rank)
and the anchors are gathered with their gradient, so every rank computes the 1-process loss (its normalisation
by the number of anchors with a positive is global).

Example:
    >>> obj = LOOK(model, num_classes=8, bank_size=len(train), k=20, temperature=0.1)   # bank_size 0: grows
    >>> loss, metrics = obj(model, {"views": [x], "labels": y, "index": idx, "step": step})
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.objectives.vision_base import (MomentumTracker, VisionObjective, ema_update, features, frozen_copy,
                                                 mlp, unwrap)


def look_loss(z: torch.Tensor, labels: torch.Tensor, index: torch.Tensor, bank: torch.Tensor, bank_labels: torch.Tensor,
              k: int, temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-anchor -log p_i (B,) and a (B,) mask of anchors with a same-label neighbour.

    z (B, d) normalised anchors; bank (N, d) normalised entries; bank_labels (N,) with -1 = empty slot.
    """
    sim = z.float() @ bank.float().T / temperature  # (B, N)
    invalid = (bank_labels < 0)[None].expand_as(sim).clone()
    invalid[torch.arange(len(index), device=z.device), index] = True  # leave one out
    sim = sim.masked_fill(invalid, float("-inf"))
    top, idx = sim.topk(min(k, sim.shape[1]), dim=1)  # (B, k)
    usable = torch.isfinite(top)
    same = (bank_labels[idx] == labels[:, None]) & usable
    has_pos = same.any(dim=1)
    # Rows without a positive get identical all-true masks (finite, zero loss, zero gradient, no NaN).
    top = top.masked_fill(~usable, 0.0)
    everything = torch.ones_like(usable)
    all_mask = torch.where(has_pos[:, None], usable, everything)
    same_mask = torch.where(has_pos[:, None], same, everything)
    log_all = torch.logsumexp(top.masked_fill(~all_mask, float("-inf")), dim=1)
    log_same = torch.logsumexp(top.masked_fill(~same_mask, float("-inf")), dim=1)
    per_anchor = (log_all - log_same) * has_pos
    return per_anchor, has_pos


class LOOK(VisionObjective):
    name = "look"
    n_views = 1

    def __init__(self, model: nn.Module, num_classes: int = 0, multilabel: bool = False, bank_size: int = 0,
                 k: int = 20, temperature: float = 0.1, proj_hidden: int = 256, proj_dim: int = 64,
                 momentum: float = 0.99, bank_momentum: float = 0.0):
        super().__init__()
        if multilabel:
            raise ValueError("objective 'look' needs single-label data (the world's multilabel is true)")
        self.fixed_size = bank_size > 0
        self.k, self.temperature = k, temperature
        self.momentum, self.bank_momentum = momentum, bank_momentum
        self.projector = mlp([unwrap(model).feature_dim, proj_hidden, proj_dim])
        self.key_encoder = frozen_copy(unwrap(model)) if momentum > 0 else None
        self.key_projector = frozen_copy(self.projector) if momentum > 0 else None
        self.register_buffer("bank", torch.zeros(bank_size, proj_dim))
        self.register_buffer("bank_labels", torch.full((bank_size,), -1, dtype=torch.long))
        self._tracker = MomentumTracker()

    @torch.no_grad()
    def keys(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        if self.key_encoder is None:
            return F.normalize(self.projector(features(model, x)).float(), dim=-1)
        return F.normalize(self.key_projector(self.key_encoder.forward_features(x)).float(), dim=-1)

    @torch.no_grad()
    def update_bank(self, keys: torch.Tensor, labels: torch.Tensor, index: torch.Tensor) -> None:
        need = int(index.max()) + 1
        if need > self.bank.shape[0]:
            if self.fixed_size:
                raise ValueError(f"dataset index {need - 1} >= objective.bank_size={self.bank.shape[0]}")
            self._resize(need)
        old = self.bank[index]
        filled = (self.bank_labels[index] >= 0)[:, None]
        mixed = F.normalize(self.bank_momentum * old + (1 - self.bank_momentum) * keys, dim=-1)
        self.bank[index] = torch.where(filled, mixed, keys)
        self.bank_labels[index] = labels

    def _resize(self, n: int) -> None:
        """Grow the bank to n slots (new slots empty); ``bank_size = 0`` grows with the largest index seen."""
        old, old_labels = self.bank, self.bank_labels
        self.bank = torch.zeros(n, old.shape[1], dtype=old.dtype, device=old.device)
        self.bank_labels = torch.full((n,), -1, dtype=torch.long, device=old.device)
        self.bank[: len(old)], self.bank_labels[: len(old)] = old, old_labels

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        saved = state_dict.get(prefix + "bank")
        if saved is not None and saved.shape[0] != self.bank.shape[0] and not self.fixed_size:
            self._resize(saved.shape[0])
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        (x,) = self.views(batch)
        labels, index = batch["labels"].long(), batch["index"].long()
        if self.key_encoder is not None and self._tracker.due(int(batch["step"])):
            ema_update(self.key_encoder, unwrap(model), self.momentum)
            ema_update(self.key_projector, self.projector, self.momentum)
        labels, index = self.gather(labels), self.gather(index)
        self.update_bank(self.gather(self.keys(model, x)), labels, index)
        z = self.gather_grad(F.normalize(self.projector(features(model, x)).float(), dim=-1))
        per_anchor, has_pos = look_loss(z, labels, index, self.bank, self.bank_labels, self.k, self.temperature)
        loss = per_anchor.sum() / has_pos.sum().clamp_min(1)
        return loss, {"no_pos_frac": 1.0 - has_pos.float().mean()}
