"""Shared pieces of the vision objectives: the base class, projection MLPs and momentum (EMA) copies.

Every vision objective is an ``nn.Module`` built as ``Cls(model, num_classes=..., multilabel=..., **params)``
and called as ``objective(model, batch) -> (loss, metrics)`` (``forward``) with
``batch = {"views": [Tensor (B, C, H, W), ...], "labels": Tensor, "index": Tensor (B,) int64, "step": int}``.
Heads and projectors live in the objective, so the backbone stays plain; ``trainable_parameters()`` lists the
ones the optimizer must update. Momentum copies (teachers, key encoders) have ``requires_grad=False`` and are
updated in place: ``theta_t <- m * theta_t + (1 - m) * theta_s`` (buffers such as BatchNorm statistics are
copied), once per optimizer step (the first micro-batch of a step), from the student passed to the call.
Metrics are detached 0-d tensors. The objective must be moved to the model's device (``objective.to(device)``)
and its ``state_dict()`` saved with checkpoints (teachers, queues, memory banks, centres).

Data parallel (``sharded = True``, set by the image plug-in under torchrun): each of the W ranks holds a
contiguous slice (rank order) of the micro-batch. Per-image losses need nothing (their local means average to
the global mean: DDP averages gradients, the trainer the logged loss). Batch-global terms use ``gather`` (rows of
all ranks, in global order, no gradient), ``gather_grad`` (the same with a gradient: its backward sums the
gradient of the gathered rows over ranks and keeps this rank's slice, so a loss computed identically on every
rank from gathered rows gets the 1-process gradient after DDP's average) and ``all_mean`` (mean over ranks).
Unsharded, all three return their input unchanged.
"""

from __future__ import annotations

import copy

import torch
import torch.distributed as dist
from torch import nn


class VisionObjective(nn.Module):
    """Base: ``name``, ``n_views``, ``trainable_parameters()``, view checking."""

    name = "vision"
    n_views = 1
    sharded = False
    """True when several ranks each hold a slice of the batch (DDP); batch-global terms then gather."""

    def trainable_parameters(self) -> list[nn.Parameter]:
        """Objective-owned parameters the optimizer must update (heads, projectors, decoders); never teachers."""
        return [p for p in self.parameters() if p.requires_grad]

    def views(self, batch: dict) -> list[torch.Tensor]:
        views = batch["views"]
        if len(views) < self.n_views:
            raise ValueError(f"objective '{self.name}' needs {self.n_views} augmented views per image, the batch "
                             f"has {len(views)}; the image runner must build objective.n_views views")
        return list(views[: self.n_views])

    def gather(self, x: torch.Tensor) -> torch.Tensor:
        """The rows of every rank's ``x`` in global batch order (no gradient); ``x`` itself when unsharded."""
        if not self.sharded:
            return x
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.detach().contiguous())
        return torch.cat(parts)

    def gather_grad(self, x: torch.Tensor) -> torch.Tensor:
        """``gather`` with a gradient to this rank's rows (summed over the ranks' losses)."""
        return _GatherRows.apply(x) if self.sharded else x

    def all_mean(self, x: torch.Tensor) -> torch.Tensor:
        """Mean of ``x`` over ranks (no gradient); ``x`` itself when unsharded."""
        if not self.sharded:
            return x
        x = x.detach().clone()
        dist.all_reduce(x)
        return x / dist.get_world_size()


class _GatherRows(torch.autograd.Function):
    """All-gather along dim 0; backward: all-reduce (sum) the gathered gradient, return this rank's rows."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.rank, ctx.rows = dist.get_rank(), x.shape[0]
        parts = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, x.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)  # gloo has no reduce-scatter
        return grad[ctx.rank * ctx.rows:(ctx.rank + 1) * ctx.rows]


def mlp(dims: list[int], last_bias: bool = True) -> nn.Sequential:
    """Linear-GELU-...-Linear through ``dims`` (no BatchNorm: batch-size independent, safe for EMA copies)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        last = i == len(dims) - 2
        layers.append(nn.Linear(a, b, bias=last_bias or not last))
        if not last:
            layers.append(nn.GELU())
    return nn.Sequential(*layers)


def frozen_copy(module: nn.Module) -> nn.Module:
    """A deep copy with ``requires_grad=False`` everywhere (the momentum encoder / teacher)."""
    twin = copy.deepcopy(module)
    for p in twin.parameters():
        p.requires_grad_(False)
    return twin


@torch.no_grad()
def ema_update(target: nn.Module, source: nn.Module, momentum: float) -> None:
    """``target <- momentum * target + (1 - momentum) * source`` for parameters; buffers copied."""
    for t, s in zip(target.parameters(), source.parameters(), strict=True):
        t.mul_(momentum).add_(s.detach(), alpha=1.0 - momentum)
    for t, s in zip(target.buffers(), source.buffers(), strict=True):
        t.copy_(s)


def features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``model.forward_features(x)`` (B, D), also through wrappers that do not forward attributes."""
    fn = getattr(model, "forward_features", None) or unwrap(model).forward_features
    return fn(x)


def unwrap(model: nn.Module) -> nn.Module:
    """The plain module under DDP / FSDP / torch.compile wrappers."""
    for attr in ("_orig_mod", "module"):
        model = getattr(model, attr, model)
    return model


class MomentumTracker:
    """Runs the EMA update once per step: on the first call whose ``step`` differs from the last one."""

    def __init__(self):
        self.last_step: int | None = None

    def due(self, step: int) -> bool:
        if step == self.last_step:
            return False
        self.last_step = step
        return True
