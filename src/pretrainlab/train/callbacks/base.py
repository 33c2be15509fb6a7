"""Callback protocol: features attach to the one training loop through these hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pretrainlab.train.loop import Trainer


class Callback:
    """Override any hook. ``metrics`` holds the step's scalars (loss, lr, grad_norm, tokens_per_s …)."""

    def on_train_start(self, trainer: "Trainer") -> None: ...

    def on_step_end(self, trainer: "Trainer", metrics: dict) -> None: ...

    def on_train_end(self, trainer: "Trainer") -> None: ...

    def on_interrupt(self, trainer: "Trainer"):
        """The run stops early on a signal (train/interrupt.py); a checkpointer returns the path it saved."""
        return None
