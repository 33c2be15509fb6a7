"""Saves an atomic checkpoint every ``every`` steps and at the end of training."""

from __future__ import annotations

from pathlib import Path

from pretrainlab.train.callbacks.base import Callback
from pretrainlab.train.checkpoint import save_checkpoint


class Checkpointer(Callback):
    def __init__(self, root: Path, every: int, keep_last: int, tokenizer_path: Path | None):
        self.root, self.every, self.keep_last, self.tokenizer_path = Path(root), every, keep_last, tokenizer_path

    def save(self, trainer) -> Path:
        return save_checkpoint(self.root, trainer.model, trainer.optimizer, trainer.state,
                               self.tokenizer_path, self.keep_last)

    def on_step_end(self, trainer, metrics: dict) -> None:
        if self.every and trainer.state.step % self.every == 0 and trainer.state.step < trainer.cfg.steps:
            self.save(trainer)

    def on_train_end(self, trainer) -> None:
        self.save(trainer)
