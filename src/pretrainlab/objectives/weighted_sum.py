"""A weighted sum of objectives sharing one model (SSPT combines its pretraining tasks this way).

``loss = sum_k w_k loss_k``; each part's metrics come back prefixed by its name (``ma/ma_mse``) beside its
unweighted loss (``ma/loss``). Parts are submodules, so their heads live in one state dict
(``parts.<name>.*``).

Examples:
    >>> import torch
    >>> class Const(torch.nn.Module):
    ...     def __init__(self, v): super().__init__(); self.v = v
    ...     def forward(self, model, batch): return torch.tensor(self.v), {}
    >>> loss, m = WeightedSum({"a": (2.0, Const(1.0)), "b": (0.5, Const(4.0))})(None, {})
    >>> float(loss), float(m["b/loss"])
    (4.0, 4.0)
"""

from __future__ import annotations

import torch
from torch import nn


class WeightedSum(nn.Module):
    """sum_k w_k objective_k(model, batch)."""

    def __init__(self, parts: dict[str, tuple[float, nn.Module]]):
        super().__init__()
        if not parts:
            raise ValueError("WeightedSum needs at least one objective")
        self.weights = {name: float(w) for name, (w, _) in parts.items()}
        self.parts = nn.ModuleDict({name: obj for name, (_, obj) in parts.items()})

    def forward(self, model, batch: dict) -> tuple[torch.Tensor, dict]:
        total, metrics = None, {}
        for name, obj in self.parts.items():
            loss, m = obj(model, batch)
            total = self.weights[name] * loss if total is None else total + self.weights[name] * loss
            metrics[f"{name}/loss"] = loss.detach()
            metrics.update({f"{name}/{k}": v for k, v in m.items()})
        return total, metrics
