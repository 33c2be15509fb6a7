"""Saves an atomic checkpoint every ``every`` steps and at the end of training.

``tokenizer_path``: copied into each checkpoint (text runs); ``extra_files``: name -> text written into each
checkpoint too (image runs: ``preprocessing.json``), so a checkpoint describes its own inputs.
"""

from __future__ import annotations

from pathlib import Path

from pretrainlab.checkpoint import save_checkpoint
from pretrainlab.train.callbacks.base import Callback


class Checkpointer(Callback):
    def __init__(self, root: Path, every: int, keep_last: int, tokenizer_path: Path | None, is_main: bool = True,
                 extra_files: dict | None = None):
        self.root, self.every, self.keep_last, self.tokenizer_path = Path(root), every, keep_last, tokenizer_path
        self.is_main, self.extra_files = is_main, extra_files

    def save(self, trainer) -> Path:
        """Every rank gathers (collective under FSDP); rank 0 writes."""
        path = save_checkpoint(self.root, trainer.model, trainer.optimizer, trainer.state,
                               self.tokenizer_path, self.keep_last, self.is_main, self.extra_files)
        if trainer.dist is not None:
            trainer.dist.barrier()
        return path

    def on_step_end(self, trainer, metrics: dict) -> None:
        if self.every and trainer.state.step % self.every == 0 and trainer.state.step < trainer.cfg.steps:
            self.save(trainer)

    def on_train_end(self, trainer) -> None:
        self.save(trainer)

    def on_interrupt(self, trainer) -> Path | None:
        """Save the finished step when ``train.ckpt_on_interrupt`` (on by default)."""
        return self.save(trainer) if trainer.cfg.ckpt_on_interrupt else None
