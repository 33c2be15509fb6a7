"""Progress bar: step, loss, tokens/s and ETA (rich)."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from pretrainlab.train.callbacks.base import Callback


class ProgressBar(Callback):
    def __init__(self, description: str = "train"):
        self.description = description
        self.progress: Progress | None = None
        self.task = None
        self.ema_tps = None

    def on_train_start(self, trainer) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.3f}"), TextColumn("{task.fields[tps]:,.0f} tok/s"),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), transient=False,
        )
        self.progress.start()
        self.task = self.progress.add_task(self.description, total=trainer.cfg.steps,
                                           completed=trainer.state.step, loss=float("nan"), tps=0.0)

    def on_step_end(self, trainer, metrics: dict) -> None:
        tps = metrics["tokens_per_s"]
        self.ema_tps = tps if self.ema_tps is None else 0.9 * self.ema_tps + 0.1 * tps
        self.progress.update(self.task, completed=trainer.state.step, loss=metrics["loss"], tps=self.ema_tps)

    def on_train_end(self, trainer) -> None:
        if self.progress:
            self.progress.stop()
