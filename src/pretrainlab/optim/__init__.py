"""Optimizers and LR schedules."""

from pretrainlab.optim.adamw import build_adamw
from pretrainlab.optim.galore import GaLoreAdamW, GaLoreConfig, build_galore_adamw
from pretrainlab.optim.lowrank import LowRankConfig, apply_lowrank
from pretrainlab.optim.memory import optimizer_state_bytes, trainable_params, weights_optimizer_bytes
from pretrainlab.optim.schedules import SCHEDULES, lr_at

__all__ = ["SCHEDULES", "GaLoreAdamW", "GaLoreConfig", "LowRankConfig", "apply_lowrank", "build_adamw",
           "build_galore_adamw", "lr_at", "optimizer_state_bytes", "trainable_params",
           "weights_optimizer_bytes"]
