"""Learning-rate schedules as pure functions of (step, total).

Each returns a multiplier in [0, 1] applied to the peak LR. Warmup is linear from 0; a continued
pretraining run "re-warms" simply by starting its own schedule with ``warmup_steps > 0`` (Gupta et al.
2023, "Continual Pre-Training of Large Language Models: How to (re)warm your model?").
"""

from __future__ import annotations

import math


def constant(step: int, total: int, warmup: int = 0, **_) -> float:
    return min(1.0, (step + 1) / warmup) if warmup and step < warmup else 1.0


def linear(step: int, total: int, warmup: int = 0, min_ratio: float = 0.0, **_) -> float:
    if warmup and step < warmup:
        return (step + 1) / warmup
    frac = (step - warmup) / max(1, total - warmup)
    return max(min_ratio, 1.0 - (1.0 - min_ratio) * frac)


def cosine(step: int, total: int, warmup: int = 0, min_ratio: float = 0.0, **_) -> float:
    if warmup and step < warmup:
        return (step + 1) / warmup
    frac = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * frac))


def wsd(step: int, total: int, warmup: int = 0, min_ratio: float = 0.0, decay_frac: float = 0.2, **_) -> float:
    """Warmup-stable-decay: linear warmup, constant plateau, linear decay over the last ``decay_frac``."""
    if warmup and step < warmup:
        return (step + 1) / warmup
    decay_start = total - int(decay_frac * total)
    if step < decay_start:
        return 1.0
    frac = (step - decay_start) / max(1, total - decay_start)
    return max(min_ratio, 1.0 - (1.0 - min_ratio) * frac)


SCHEDULES = {"constant": constant, "linear": linear, "cosine": cosine, "wsd": wsd}


def lr_at(name: str, step: int, total: int, peak: float, **kw) -> float:
    if name not in SCHEDULES:
        raise ValueError(f"unknown schedule '{name}'; choose one of {list(SCHEDULES)}")
    return peak * SCHEDULES[name](step, total, **kw)
