"""Optimizers and LR schedules."""

from pretrainlab.optim.adamw import build_adamw
from pretrainlab.optim.schedules import SCHEDULES, lr_at

__all__ = ["SCHEDULES", "build_adamw", "lr_at"]
