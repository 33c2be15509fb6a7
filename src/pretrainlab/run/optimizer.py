"""The optimizer of a run, from its ``train:`` section: one builder for every modality.

``train.optimizer``: ``adamw`` (optim/adamw.py: no weight decay on 1-D parameters, fused on CUDA, foreach
elsewhere) or ``galore`` (optim/galore.py: low-rank projected gradients of the decoder's block weights).
``params``: the parameters to train when the model also holds some it must never update (an image task's
teachers); default every parameter with ``requires_grad``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from pretrainlab.config import ConfigError
from pretrainlab.optim import build_adamw, build_galore_adamw
from pretrainlab.train.config import TrainConfig


def build_optimizer(model: torch.nn.Module, tc: TrainConfig,
                    params: Sequence[torch.nn.Parameter] | None = None) -> torch.optim.Optimizer:
    """AdamW or GaLore-AdamW over ``params`` (default: the model's trainable parameters)."""
    if tc.optimizer == "galore":
        if params is not None:
            raise ConfigError("train.optimizer=galore trains every parameter of a decoder; this run trains a "
                              "chosen subset (e.g. no teacher), so set train.optimizer=adamw")
        return build_galore_adamw(model, tc.galore, tc.lr, tc.weight_decay, tc.betas)
    return build_adamw(model, tc.lr, tc.weight_decay, tc.betas, params=params)
