"""Memory accounting for memory-efficient pretraining (METHODS-2 #31): what a run's optimizer holds and
how many parameters it trains, measured from the live objects (not estimated).

* ``optim/state_bytes``: bytes of every tensor in ``optimizer.state`` (Adam moments, GaLore projectors,
  step counters); sharded (FSDP) tensors count with their global size. AdamW keeps 2 x 4 bytes per
  trainable fp32 parameter; GaLore 2 r m + r n values per projected m x n weight (m >= n); a low-rank
  layer trains (and keeps moments for) r (m + n) values.
* ``params_trainable``: parameters with ``requires_grad`` (tied weights counted once); ReLoRA's frozen W0
  counts in ``params`` but not here.
* ``memory/weights_optim_bytes``: bytes of every parameter (trainable or frozen, tied weights once) plus
  ``optim/state_bytes``: the "weights + optimizer states" estimate of GaLore-style memory comparisons.
  A low-rank model holds fewer weights; GaLore holds all full-rank weights but smaller moments.
"""

from __future__ import annotations

import torch
from torch import nn


def optimizer_state_bytes(optimizer: torch.optim.Optimizer) -> int:
    total = 0
    for state in optimizer.state.values():
        for v in state.values():
            if isinstance(v, torch.Tensor):
                total += v.numel() * v.element_size()
    return total


def trainable_params(model: nn.Module) -> int:
    seen, n = set(), 0
    for p in model.parameters():
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            n += p.numel()
    return n


def param_bytes(model: nn.Module) -> int:
    """Bytes of every parameter, trainable or frozen (tied weights counted once)."""
    seen, n = set(), 0
    for p in model.parameters():
        if id(p) not in seen:
            seen.add(id(p))
            n += p.numel() * p.element_size()
    return n


def weights_optimizer_bytes(model: nn.Module, optimizer: torch.optim.Optimizer) -> int:
    """Weights + optimizer states, in bytes (``memory/weights_optim_bytes``)."""
    return param_bytes(model) + optimizer_state_bytes(optimizer)
