"""Contrastive learning over two views: NT-Xent (SimCLR) or InfoNCE with a momentum encoder and queue (MoCo).

Projections ``z = normalize(g(f(x)))`` with a projector g owned here.

* SimCLR (Chen et al. 2020, arXiv 2002.05709), ``momentum = 0`` and ``queue_size = 0``: the 2B projections of
  both views; for anchor i with positive p(i) (the other view of the same image), temperature tau,

      L = -(1/2B) sum_i log( exp(z_i.z_p(i)/tau) / sum_{j != i} exp(z_i.z_j/tau) )

* MoCo (He et al. 2020, arXiv 1911.05722; Chen et al. 2020 v2/2021 v3), ``momentum > 0``: keys k come from an
  EMA copy of backbone + projector (no gradient). Query q_i of one view is contrasted with the keys of the other
  view of the whole batch (positive k_i, negatives k_j, j != i, as in MoCo v3) plus a FIFO queue of keys from
  earlier steps (MoCo v1/v2 negatives):

      L_q = -(1/B) sum_i log( exp(q_i.k_i/tau) / (sum_j exp(q_i.k_j/tau) + sum_n exp(q_i.u_n/tau)) )

  symmetrised over the two views. After the loss, both views' keys are enqueued (oldest overwritten); only
  filled queue slots act as negatives. ``queue_size > 0`` with ``momentum = 0`` uses stop-gradient keys from the
  online network (a memory queue without a momentum encoder).

Data parallel (``sharded``): queries (with gradient) and keys are gathered from all ranks, so every rank computes
the 1-process loss over the whole micro-batch (all in-batch negatives) and enqueues the same keys in the same
order: the loss, the queue and the momentum encoder match one process.

Example:
    >>> obj = Contrastive(model, temperature=0.2, momentum=0.99, queue_size=4096)
    >>> loss, metrics = obj(model, {"views": [x1, x2], "labels": y, "index": idx, "step": step})
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.objectives.vision_base import (MomentumTracker, VisionObjective, ema_update, features, frozen_copy,
                                                 mlp, unwrap)


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR loss of two (B, d) projection batches (normalized inside)."""
    z = F.normalize(torch.cat([z1, z2]).float(), dim=-1)  # (2B, d)
    B = z1.shape[0]
    sim = z @ z.T / temperature
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(B, 2 * B), torch.arange(0, B)]).to(z.device)
    return F.cross_entropy(sim, targets)


def info_nce(q: torch.Tensor, k: torch.Tensor, queue: torch.Tensor | None, temperature: float) -> torch.Tensor:
    """InfoNCE of (B, d) queries vs (B, d) keys (positive on the diagonal) plus (N, d) queue negatives."""
    q, k = F.normalize(q.float(), dim=-1), F.normalize(k.float(), dim=-1)
    logits = q @ k.T  # (B, B)
    if queue is not None and len(queue):
        logits = torch.cat([logits, q @ queue.float().T], dim=1)  # (B, B + N)
    return F.cross_entropy(logits / temperature, torch.arange(q.shape[0], device=q.device))


class Contrastive(VisionObjective):
    name = "contrastive"
    n_views = 2

    def __init__(self, model: nn.Module, num_classes: int = 0, multilabel: bool = False, temperature: float = 0.1,
                 proj_hidden: int = 256, proj_dim: int = 64, momentum: float = 0.0, queue_size: int = 0):
        super().__init__()
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"objective.momentum={momentum} must be in [0, 1) (0 = no momentum encoder)")
        self.temperature, self.momentum = temperature, momentum
        self.projector = mlp([unwrap(model).feature_dim, proj_hidden, proj_dim])
        self.key_encoder = frozen_copy(unwrap(model)) if momentum > 0 else None
        self.key_projector = frozen_copy(self.projector) if momentum > 0 else None
        self.register_buffer("queue", torch.zeros(queue_size, proj_dim))
        self.register_buffer("queue_ptr", torch.zeros((), dtype=torch.long))
        self.register_buffer("queue_len", torch.zeros((), dtype=torch.long))
        self._tracker = MomentumTracker()

    def keys(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            if self.key_encoder is None:
                return F.normalize(self.projector(features(model, x)), dim=-1).float()
            return F.normalize(self.key_projector(self.key_encoder.forward_features(x)), dim=-1).float()

    @torch.no_grad()
    def enqueue(self, keys: torch.Tensor) -> None:
        """FIFO write of (n, d) keys at the pointer, wrapping around."""
        size = self.queue.shape[0]
        if size == 0:
            return
        keys = keys[-size:]
        idx = (self.queue_ptr + torch.arange(len(keys), device=keys.device)) % size
        self.queue[idx] = keys.to(self.queue.dtype)
        self.queue_ptr.copy_((self.queue_ptr + len(keys)) % size)
        self.queue_len.copy_(torch.clamp(self.queue_len + len(keys), max=size))

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        x1, x2 = self.views(batch)
        if self.momentum > 0 and self._tracker.due(int(batch["step"])):
            ema_update(self.key_encoder, unwrap(model), self.momentum)
            ema_update(self.key_projector, self.projector, self.momentum)
        q1, q2 = (self.gather_grad(self.projector(features(model, x))) for x in (x1, x2))
        if self.momentum == 0 and self.queue.shape[0] == 0:
            return nt_xent(q1, q2, self.temperature), {}
        k1, k2 = self.gather(self.keys(model, x1)), self.gather(self.keys(model, x2))
        queue = self.queue[: int(self.queue_len)].clone()
        loss = 0.5 * (info_nce(q1, k2, queue, self.temperature) + info_nce(q2, k1, queue, self.temperature))
        self.enqueue(torch.cat([k1, k2]))
        return loss, {"queue_len": self.queue_len.clone()}
