"""Modalities: ``MODALITIES``, a ``Registry("modality")`` of the kinds of run the project knows.

A plain list for now: each entry is its name with a description, and a run config still picks its
modality with the top-level ``modality`` key (``run_config.build_run_config``). The ``Modality``
plug-ins (docs: ARCHITECTURE.md, "Run skeleton and modalities") will replace the names here.
"""

from __future__ import annotations

from pretrainlab.registry import Registry

MODALITIES: Registry[str] = Registry("modality")
MODALITIES.add("text", "text", "Language models on token stores: the synthetic text world or your files, curated, "
               "tokenized and mixed; causal LM (the default modality).")
MODALITIES.add("image", "image", "Image backbones (ViT, ResNet) on image worlds or your images; supervised and "
               "self-supervised objectives, transfer protocols (modality: image).")

__all__ = ["MODALITIES"]
