"""AdamW with the usual param groups: no weight decay on norms and other 1-D parameters.

Uses the fused kernel where the device supports it (CUDA, recent CPU builds), else foreach.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


def param_groups(model: nn.Module, weight_decay: float, params: Iterable[nn.Parameter] | None = None) -> list[dict]:
    """Decay on >= 2-D parameters, none on 1-D ones; ``params``: those to train (default ``model.parameters()``)."""
    decay, no_decay, seen = [], [], set()
    for p in model.parameters() if params is None else params:
        if not p.requires_grad or id(p) in seen:
            continue
        seen.add(id(p))
        (decay if p.dim() >= 2 else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def build_adamw(model: nn.Module, lr: float, weight_decay: float, betas: tuple[float, float],
                eps: float = 1e-8, fused: bool | None = None,
                params: Iterable[nn.Parameter] | None = None) -> torch.optim.AdamW:
    """AdamW over ``param_groups(model, weight_decay, params)``; fused on CUDA unless ``fused`` says otherwise."""
    device = next(model.parameters()).device
    if fused is None:
        fused = device.type == "cuda"
    kwargs = {"fused": True} if fused else {"foreach": True}
    return torch.optim.AdamW(param_groups(model, weight_decay, params), lr=lr, betas=betas, eps=eps, **kwargs)
