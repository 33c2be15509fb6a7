"""Model families. Registry: family name -> (config class, module class)."""

from pretrainlab.models.decoder import PRESETS, Decoder, DecoderConfig

MODELS = {"decoder": (DecoderConfig, Decoder)}

__all__ = ["MODELS", "PRESETS", "Decoder", "DecoderConfig"]
