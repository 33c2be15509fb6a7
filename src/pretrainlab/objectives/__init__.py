"""Objectives: one per file. Registry: name -> class."""

from pretrainlab.objectives.causal_lm import CausalLM, causal_lm_loss
from pretrainlab.objectives.contrastive import Contrastive
from pretrainlab.objectives.dino import DINO
from pretrainlab.objectives.feature_distill import FeatureDistill
from pretrainlab.objectives.look import LOOK
from pretrainlab.objectives.mae import MAE
from pretrainlab.objectives.supervised import Supervised

OBJECTIVES = {"causal_lm": CausalLM}
# Vision objectives are nn.Modules built as OBJECTIVES[name](model, num_classes=..., multilabel=..., **params).
VISION_OBJECTIVES = {"supervised": Supervised, "mae": MAE, "contrastive": Contrastive, "dino": DINO, "look": LOOK,
                     "feature_distill": FeatureDistill}
OBJECTIVES.update(VISION_OBJECTIVES)

__all__ = ["OBJECTIVES", "VISION_OBJECTIVES", "CausalLM", "Contrastive", "DINO", "FeatureDistill", "LOOK", "MAE",
           "Supervised", "causal_lm_loss"]
