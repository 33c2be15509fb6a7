"""Supervised classification: cross-entropy, or binary cross-entropy with logits for multi-label targets.

    single-label:  L = -(1/B) sum_b log softmax(z_b)[y_b]                       (optional label smoothing)
    multi-label:   L = -(1/(B K)) sum_{b,k} [y_bk log s(z_bk) + (1 - y_bk) log(1 - s(z_bk))],  s = sigmoid

Logits z come from the model's own head when it has one (``num_classes > 0``), else from a linear head on
``forward_features`` owned by this objective. The baseline every supervised-pretraining paper compares with
(e.g. LOOK, Feng et al. 2022; the CE arm of METHODS-1 #3).

Example:
    >>> obj = Supervised(model, num_classes=10)
    >>> loss, metrics = obj(model, {"views": [x], "labels": y, "index": idx, "step": 0})
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.objectives.vision_base import VisionObjective, features, unwrap


def supervised_loss(logits: torch.Tensor, labels: torch.Tensor, multilabel: bool = False,
                    label_smoothing: float = 0.0) -> torch.Tensor:
    """Mean CE of (B, K) logits vs (B,) class ids, or mean BCE vs (B, K) multi-hot targets; float32."""
    if multilabel:
        return F.binary_cross_entropy_with_logits(logits.float(), labels.float())
    return F.cross_entropy(logits.float(), labels.long(), label_smoothing=label_smoothing)


class Supervised(VisionObjective):
    name = "supervised"
    n_views = 1

    def __init__(self, model: nn.Module, num_classes: int = 0, multilabel: bool = False, label_smoothing: float = 0.0):
        super().__init__()
        base = unwrap(model)
        own = getattr(base, "num_classes", 0)
        if num_classes <= 0 and own <= 0:
            raise ValueError("objective 'supervised' needs num_classes > 0 (from the image world's labels)")
        if own > 0 and num_classes > 0 and own != num_classes:
            raise ValueError(f"model.num_classes={own} but the data has {num_classes} classes; set model.num_classes=0 "
                             f"(the objective then owns the head) or {num_classes}")
        self.multilabel, self.label_smoothing = multilabel, label_smoothing
        self.head = nn.Linear(base.feature_dim, num_classes) if own <= 0 else None

    def logits(self, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return model(x) if self.head is None else self.head(features(model, x))

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        (x,) = self.views(batch)
        labels = batch["labels"]
        logits = self.logits(model, x)
        loss = supervised_loss(logits, labels, self.multilabel, self.label_smoothing)
        with torch.no_grad():
            if self.multilabel:
                acc = ((logits > 0) == (labels > 0.5)).float().mean()
            else:
                acc = (logits.argmax(-1) == labels).float().mean()
        return loss, {"acc": acc}
