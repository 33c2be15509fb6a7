"""Model families. Registry: family name -> (config class, module class)."""

from pretrainlab.models.decoder import PRESETS, Decoder, DecoderConfig
from pretrainlab.models.resnet import ResNet, ResNetConfig
from pretrainlab.models.vit import ViT, ViTConfig

MODELS = {"decoder": (DecoderConfig, Decoder), "vit": (ViTConfig, ViT), "resnet": (ResNetConfig, ResNet)}

__all__ = ["MODELS", "PRESETS", "Decoder", "DecoderConfig", "ResNet", "ResNetConfig", "ViT", "ViTConfig"]
