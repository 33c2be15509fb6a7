"""Graph-level multi-task supervised learning with missing labels: graph-level pretraining (Hu et al.'s
ChEMBL stage) and the downstream fine-tuning objective (Hu et al., ICLR 2020, arXiv 1905.12265).

A linear head on the pooled graph embedding gives one logit per task, z = W g + b (B, T). With the
observed-label mask o_bt = [y_bt is not NaN]::

    L = sum_{b,t} o_bt BCE(z_bt, y_bt) / sum_{b,t} o_bt          (0 when no label is observed)

as in the reference code (``is_valid = y ** 2 > 0`` over {-1, 0, 1} labels there; NaN = missing here).

Example:
    >>> obj = GraphSupervised(gin, num_tasks=10)
    >>> loss, metrics = obj(gin, batch)     # batch from worlds.graph.collate: x, edge_index, ..., labels (B, T)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def masked_bce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean BCE-with-logits over the observed (non-NaN) entries of (B, T) labels; float32."""
    observed = ~torch.isnan(labels)
    if not observed.any():
        return logits.sum() * 0.0
    target = torch.where(observed, labels, torch.zeros_like(labels))
    per = F.binary_cross_entropy_with_logits(logits.float(), target.float(), reduction="none")
    return (per * observed).sum() / observed.sum()


class GraphSupervised(nn.Module):
    """Multi-task BCE on a linear head over the pooled graph embedding (missing labels masked)."""

    name = "graph_supervised"

    def __init__(self, model: nn.Module, num_tasks: int, seed: int = 0):
        super().__init__()
        if num_tasks < 1:
            raise ValueError("objective 'graph_supervised' needs labelled graphs (data.split: sup or train); "
                             "the chosen split has no task labels")
        self.head = nn.Linear(model.dim, num_tasks)

    def trainable_parameters(self) -> list[nn.Parameter]:
        return list(self.parameters())

    def logits(self, model: nn.Module, batch: dict) -> torch.Tensor:
        return self.head(model.graph_embed(batch))

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        labels = batch["labels"]
        logits = self.logits(model, batch)
        loss = masked_bce(logits, labels)
        with torch.no_grad():
            observed = ~torch.isnan(labels)
            acc = (((logits > 0).float() == labels) & observed).sum() / observed.sum().clamp(min=1)
        return loss, {"acc": acc.detach()}
