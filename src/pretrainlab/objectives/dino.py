"""Self-distillation with no labels (DINO, Caron et al. 2021, arXiv 2104.14294).

A student (backbone + head h) and a teacher (EMA copy of both) map each view to K prototype scores. The head is
an MLP to a bottleneck, L2-normalised, then a linear layer with unit-norm rows (the weight-normalised last layer
of the reference code with its gain fixed to 1). With student temperature tau_s, teacher temperature tau_t and
centre c (a running mean of teacher outputs):

    P_s(x) = softmax(h_s(x) / tau_s),   P_t(x) = softmax((h_t(x) - c) / tau_t)        (centring + sharpening)
    L = (1 / #pairs) sum_{u != v} sum_b  -P_t(x_u^b) . log P_s(x_v^b)                 (over all view pairs)
    c <- m_c c + (1 - m_c) mean_{b,u} h_t(x_u^b)

The teacher update ``theta_t <- m theta_t + (1 - m) theta_s`` runs once per step, before the forward pass.
All views here are same-size crops (no multi-crop); every view is fed to both networks.

Data parallel (``sharded``): the loss is a per-image mean (the ranks' local means average to the global one), the
batch centre is averaged over ranks (as in the reference code), and the teacher is updated from the replicated
student on every rank alike: the same loss, centre and teacher as one process.

Example:
    >>> obj = DINO(model, out_dim=256, teacher_temp=0.04, momentum=0.996)
    >>> loss, metrics = obj(model, {"views": [x1, x2], "labels": y, "index": idx, "step": step})
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.objectives.vision_base import (MomentumTracker, VisionObjective, ema_update, features, frozen_copy,
                                                 mlp, unwrap)


class DINOHead(nn.Module):
    """(B, D) -> (B, K): MLP to a bottleneck, L2 normalize, prototypes with unit-norm rows."""

    def __init__(self, in_dim: int, out_dim: int, hidden_dim: int = 256, bottleneck_dim: int = 64):
        super().__init__()
        self.mlp = mlp([in_dim, hidden_dim, hidden_dim, bottleneck_dim])
        self.prototypes = nn.Linear(bottleneck_dim, out_dim, bias=False)
        nn.init.trunc_normal_(self.prototypes.weight, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = F.normalize(self.mlp(x), dim=-1)
        return F.linear(z, F.normalize(self.prototypes.weight, dim=-1))


def dino_loss(student: list[torch.Tensor], teacher: list[torch.Tensor], center: torch.Tensor,
              student_temp: float, teacher_temp: float) -> torch.Tensor:
    """Cross-entropy between centred, sharpened teacher and student distributions over views u != v."""
    targets = [F.softmax((t.float() - center) / teacher_temp, dim=-1) for t in teacher]
    logps = [F.log_softmax(s.float() / student_temp, dim=-1) for s in student]
    total, pairs = 0.0, 0
    for u, t in enumerate(targets):
        for v, logp in enumerate(logps):
            if u != v:
                total = total + (-t * logp).sum(dim=-1).mean()
                pairs += 1
    return total / pairs


class DINO(VisionObjective):
    name = "dino"

    def __init__(self, model: nn.Module, num_classes: int = 0, multilabel: bool = False, out_dim: int = 256,
                 hidden_dim: int = 256, bottleneck_dim: int = 64, student_temp: float = 0.1,
                 teacher_temp: float = 0.04, center_momentum: float = 0.9, momentum: float = 0.996, n_views: int = 2):
        super().__init__()
        if n_views < 2:
            raise ValueError(f"objective.n_views={n_views}: DINO needs at least 2 views")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"objective.momentum={momentum} must be in [0, 1]")
        self.n_views = n_views
        self.student_temp, self.teacher_temp = student_temp, teacher_temp
        self.center_momentum, self.momentum = center_momentum, momentum
        self.head = DINOHead(unwrap(model).feature_dim, out_dim, hidden_dim, bottleneck_dim)
        self.teacher = frozen_copy(unwrap(model))
        self.teacher_head = frozen_copy(self.head)
        self.register_buffer("center", torch.zeros(1, out_dim))
        self._tracker = MomentumTracker()

    @torch.no_grad()
    def update_center(self, teacher_out: list[torch.Tensor]) -> None:
        batch_center = self.all_mean(torch.cat(teacher_out).float().mean(dim=0, keepdim=True))
        self.center.mul_(self.center_momentum).add_(batch_center, alpha=1 - self.center_momentum)

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        views = self.views(batch)
        if self._tracker.due(int(batch["step"])):
            ema_update(self.teacher, unwrap(model), self.momentum)
            ema_update(self.teacher_head, self.head, self.momentum)
        student = [self.head(features(model, v)) for v in views]
        with torch.no_grad():
            teacher = [self.teacher_head(self.teacher.forward_features(v)) for v in views]
        loss = dino_loss(student, teacher, self.center, self.student_temp, self.teacher_temp)
        self.update_center(teacher)
        with torch.no_grad():
            p = F.softmax((teacher[0].float() - self.center) / self.teacher_temp, dim=-1)
            entropy = -(p * p.clamp_min(1e-12).log()).sum(-1).mean()
        return loss, {"teacher_entropy": entropy}
