"""Progress: a live bar (step, loss, tokens/s, ETA) in a terminal; plain log lines otherwise.

When stderr is not a terminal (CI, ``> log.txt``) a live bar would print nothing useful, so the callback
writes one line about every 10% of the run instead.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from pretrainlab.train.callbacks.base import Callback


class ProgressBar(Callback):
    def __init__(self, description: str = "train", console: Console | None = None, lines: int = 10):
        self.description = description
        self.console = console or Console(stderr=True)
        self.lines = lines
        self.progress: Progress | None = None
        self.task = None
        self.ema_tps: float | None = None
        self.t0 = 0.0
        self.start_step = 0

    def on_train_start(self, trainer) -> None:
        self.t0, self.start_step = time.time(), trainer.state.step
        if not self.console.is_terminal:
            return
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.3f}"), TextColumn("{task.fields[tps]:,.0f} tok/s"),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=self.console,
        )
        self.progress.start()
        self.task = self.progress.add_task(self.description, total=trainer.cfg.steps,
                                           completed=trainer.state.step, loss=float("nan"), tps=0.0)

    def on_step_end(self, trainer, metrics: dict) -> None:
        tps = metrics["tokens_per_s"]
        self.ema_tps = tps if self.ema_tps is None else 0.9 * self.ema_tps + 0.1 * tps
        step, total = trainer.state.step, trainer.cfg.steps
        if self.progress is not None:
            self.progress.update(self.task, completed=step, loss=metrics["loss"], tps=self.ema_tps)
            return
        every = max(1, total // self.lines)
        if step % every == 0 or step == total:
            elapsed = time.time() - self.t0
            eta = elapsed / max(step - self.start_step, 1) * (total - step)
            self.console.print(f"{self.description} step {step}/{total} loss {metrics['loss']:.3f} "
                               f"{self.ema_tps:,.0f} tok/s elapsed {elapsed:.0f}s eta {eta:.0f}s", highlight=False)

    def on_train_end(self, trainer) -> None:
        if self.progress is not None:
            self.progress.stop()

    def on_interrupt(self, trainer) -> None:
        self.on_train_end(trainer)
