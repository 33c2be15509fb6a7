"""Self-distillation further pretraining (Lee, Kang, Yun, Hwang; "Self-Distillation for Further Pre-training
of Transformers", ICLR 2023, arXiv 2209.02871): MAE on the target domain plus a feature-distillation term to a
frozen teacher, the model already further-pretrained (MAE) on that domain.

With student encoder f_s (initialised from the *pretrained* model), frozen teacher f_t (the further-pretrained
model), MAE loss L_MAE (objectives/mae.py, same masking) and pooled features f(x) (``forward_features``, the
probe features) of the full, unmasked view:

    L = L_MAE(f_s; x) + lambda * mean_b || f_s(x_b) - sg(f_t(x_b)) ||_2^2

The teacher is loaded from ``teacher_from`` (a run directory or checkpoint: the ``backbone.*`` weights; an
experiment stage's ``teacher_from`` fills it in) and saved with the objective's state (``objective.teacher.*``),
so a resumed run keeps it. Without ``teacher_from`` the teacher is a frozen copy of the model passed in (tests).

Example:
    >>> obj = FeatureDistill(vit, teacher_from="runs/fpt", distill_weight=1.0, seed=run_seed)
    >>> loss, metrics = obj(vit, {"views": [x], "labels": y, "index": idx, "step": step})
"""

from __future__ import annotations

import torch
from torch import nn

from pretrainlab.objectives.mae import MAE
from pretrainlab.objectives.vision_base import features, frozen_copy, unwrap


def feature_distill_loss(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of the squared L2 distance between (B, D) student and (stopped) teacher features."""
    return (student.float() - teacher.detach().float()).pow(2).sum(dim=-1).mean()


def load_teacher(teacher: nn.Module, source: str) -> None:
    """Load the ``backbone.*`` weights of checkpoint/run ``source`` into ``teacher`` (LoRA merged)."""
    from safetensors.torch import load_file

    from pretrainlab.models.lora import load_weights
    from pretrainlab.checkpoint import resolve_checkpoint

    try:
        ckpt = resolve_checkpoint(source)
        sd = load_file(str(ckpt / "model.safetensors"))
        load_weights(teacher, {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")} or sd)
    except (FileNotFoundError, RuntimeError, ValueError) as e:
        raise ValueError(f"objective.teacher_from={source!r}: cannot load a teacher backbone ({e}); point it at a "
                         "finished image run or checkpoint with the same model.* settings") from None


class FeatureDistill(MAE):
    name = "feature_distill"
    n_views = 1

    def __init__(self, model: nn.Module, num_classes: int = 0, multilabel: bool = False, mask_ratio: float = 0.75,
                 norm_pix_loss: bool = True, decoder_dim: int = 64, decoder_depth: int = 2, decoder_heads: int = 4,
                 seed: int = 0, teacher_from: str = "", distill_weight: float = 1.0):
        super().__init__(model, num_classes, multilabel, mask_ratio, norm_pix_loss, decoder_dim, decoder_depth,
                         decoder_heads, seed)
        if distill_weight < 0:
            raise ValueError(f"objective.distill_weight={distill_weight} must be >= 0")
        self.distill_weight = distill_weight
        self.teacher = frozen_copy(unwrap(model))
        if teacher_from:
            load_teacher(self.teacher, teacher_from)
        self.teacher.eval()

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        mae, metrics = super().forward(model, batch)
        (x,) = self.views(batch)
        with torch.no_grad():
            target = self.teacher.forward_features(x)
        distill = feature_distill_loss(features(model, x), target)
        return mae + self.distill_weight * distill, {**metrics, "mae_loss": mae.detach(),
                                                     "distill_loss": distill.detach()}
