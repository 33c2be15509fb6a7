"""Delivered mixture and per-source training loss, logged to metrics.jsonl every ``every`` steps.

Rows: ``mix/tokens/<source>`` (training tokens actually drawn from the source so far),
``mix/target/<source>`` (what the mixture's weights asked for: sum over steps of probability x batch
tokens) and ``train/loss/<source>`` (mean loss of that source's rows since the last log). On resume the
delivered counts are rebuilt from the mixture (a pure function of the step), so the log continues exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from pretrainlab.train.callbacks.base import Callback


class MixtureLogger(Callback):
    def __init__(self, mixture, batch_size: int, every: int, log: Callable[[dict], None]):
        self.mixture, self.batch_size, self.every, self.log = mixture, batch_size, max(1, every), log
        self.row_tokens = mixture.seq_len
        self.delivered: dict[str, int] = defaultdict(int)
        self.target: dict[str, float] = defaultdict(float)
        self._loss: dict[str, list[float]] = defaultdict(list)

    def _account(self, step: int) -> list[str]:
        sources = self.mixture.row_sources(step, self.batch_size)
        for name in sources:
            self.delivered[name] += self.row_tokens
        for name, p in zip(self.mixture.names, self.mixture.probs(step)):
            self.target[name] += float(p) * self.batch_size * self.row_tokens
        return sources

    def on_train_start(self, trainer) -> None:
        for step in range(trainer.state.step):
            self._account(step)

    def on_step_end(self, trainer, metrics: dict) -> None:
        sources = self._account(metrics["step"])
        row_loss = metrics.get("row_loss")
        if row_loss is not None and not metrics["skipped"] and len(row_loss) == len(sources):
            for name, value in zip(sources, row_loss.float().cpu().tolist()):
                self._loss[name].append(value)
        step = trainer.state.step
        if step % self.every == 0 or step == trainer.cfg.steps:
            row = {"step": step}
            for name in self.mixture.names:
                row[f"mix/tokens/{name}"] = self.delivered[name]
                row[f"mix/target/{name}"] = round(self.target[name], 1)
                if self._loss[name]:
                    row[f"train/loss/{name}"] = sum(self._loss[name]) / len(self._loss[name])
            self.log(row)
            self._loss.clear()
