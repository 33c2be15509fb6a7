"""Periodic validation: per-source loss every ``every`` steps, appended to metrics.jsonl."""

from __future__ import annotations

from collections.abc import Callable

from pretrainlab.train.callbacks.base import Callback


class PeriodicEval(Callback):
    def __init__(self, every: int, evaluate: Callable[[], dict], log: Callable[[dict], None]):
        self.every, self.evaluate, self.log = every, evaluate, log

    def on_step_end(self, trainer, metrics: dict) -> None:
        if self.every and trainer.state.step % self.every == 0 and trainer.state.step < trainer.cfg.steps:
            trainer.model.eval()
            self.log({"step": trainer.state.step, **self.evaluate()})
            trainer.model.train()
