"""Trainer state: everything besides weights and optimizer needed to resume bit-identically.

The data position *is* the step: the mixture's batch at step s is a pure function of (seed, s).

Moved here from ``train/state.py`` (which re-exports it for one release).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch


@dataclass
class TrainState:
    step: int = 0
    tokens: int = 0
    bad_steps_in_row: int = 0
    skipped_steps: list[int] = field(default_factory=list)
    train_time_s: float = 0.0
    """Seconds spent in training steps (excludes evaluation and checkpointing)."""
    last_loss: float = float("nan")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "TrainState":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def rng_state() -> dict[str, torch.Tensor]:
    out = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        out["cuda"] = torch.cuda.get_rng_state()
    return out


def set_rng_state(state: dict[str, torch.Tensor]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])
