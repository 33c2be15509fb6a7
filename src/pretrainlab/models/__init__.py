"""Model families. ``MODELS``: family name -> (config class, module class), a ``Registry("model")``."""

from pretrainlab.models import decoder, resnet, vit
from pretrainlab.models.decoder import PRESETS, Decoder, DecoderConfig
from pretrainlab.models.resnet import ResNet, ResNetConfig
from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.registry import Registry, describe

MODELS: Registry[tuple[type, type]] = Registry("model")
MODELS.add("decoder", (DecoderConfig, Decoder),
           f"{describe(decoder)} Presets (model.size): {', '.join(decoder.PRESETS)}.")
MODELS.add("vit", (ViTConfig, ViT), f"{describe(vit)} Presets (model.preset): {', '.join(vit.PRESETS)}.")
MODELS.add("resnet", (ResNetConfig, ResNet),
           f"{describe(resnet)} Presets (model.preset): {', '.join(resnet.PRESETS)}.")

IMAGE_BACKBONES = ("vit", "resnet")
"""The families an image run's ``model.family`` may pick (other modalities register their own models too)."""

__all__ = ["IMAGE_BACKBONES", "MODELS", "PRESETS", "Decoder", "DecoderConfig", "ResNet", "ResNetConfig", "ViT", "ViTConfig"]
