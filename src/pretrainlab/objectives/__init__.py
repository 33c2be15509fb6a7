"""Objectives: one per file. ``OBJECTIVES``: name -> class, a ``Registry("objective")``."""

from pretrainlab.objectives import causal_lm
from pretrainlab.objectives.causal_lm import CausalLM, causal_lm_loss
from pretrainlab.objectives.contrastive import Contrastive
from pretrainlab.objectives.dino import DINO
from pretrainlab.objectives.feature_distill import FeatureDistill
from pretrainlab.objectives.look import LOOK
from pretrainlab.objectives.mae import MAE
from pretrainlab.objectives.supervised import Supervised
from pretrainlab.objectives import direction, ma_prediction, series_identity
from pretrainlab.registry import Registry, describe

OBJECTIVES: Registry[type] = Registry("objective")
OBJECTIVES.add("causal_lm", CausalLM, describe(causal_lm))  # the class docstring states the protocol only
# Vision objectives are nn.Modules built as OBJECTIVES[name](model, num_classes=..., multilabel=..., **params);
# without a class docstring each is described by its module's.
OBJECTIVES.add("supervised", Supervised)
OBJECTIVES.add("mae", MAE)
OBJECTIVES.add("contrastive", Contrastive)
OBJECTIVES.add("dino", DINO)
OBJECTIVES.add("look", LOOK)
OBJECTIVES.add("feature_distill", FeatureDistill, "Self-distillation further pretraining (Lee et al., ICLR 2023, "
               "arXiv 2209.02871): MAE plus a feature-distillation term to a frozen further-pretrained teacher.")
OBJECTIVES.add("ma_prediction", ma_prediction.MAPrediction, describe(ma_prediction))  # series runs: objective.ma
OBJECTIVES.add("series_identity", series_identity.SeriesIdentity, describe(series_identity))
OBJECTIVES.add("direction", direction.Direction, describe(direction))
VISION_OBJECTIVES: Registry[type] = Registry("vision objective", {
    name: OBJECTIVES[name] for name in ("supervised", "mae", "contrastive", "dino", "look", "feature_distill")})
"""The objectives an image run's ``objective.name`` may pick."""

__all__ = ["OBJECTIVES", "VISION_OBJECTIVES", "CausalLM", "Contrastive", "DINO", "FeatureDistill", "LOOK", "MAE",
           "Supervised", "causal_lm_loss"]
