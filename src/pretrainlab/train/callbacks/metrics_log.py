"""Appends one JSON object per log step to ``metrics.jsonl`` (and skipped-step notices).

``write`` is the one place every metrics row of a run passes (training rows here, evaluation rows through
``RunContext.write``), so it also hands each row's numbers to the run's trackers (``train.loggers``,
train/trackers/). A tracker that fails mid-run is dropped with a warning rather than stopping training:
metrics.jsonl keeps every row, and ``pretrainlab export-metrics`` can replay it later.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from pretrainlab.train.callbacks.base import Callback
from pretrainlab.train.trackers.base import numeric

log = logging.getLogger(__name__)


_RESERVED = {"loss", "lr", "grad_norm", "tokens", "tokens_per_s", "flops"}
"""The trainer's own ``train/`` keys: an objective metric of the same name is logged as ``train/objective/<key>``."""


def objective_means(window: list[dict]) -> dict[str, float]:
    """``train/<key>``: the window mean of each scalar the objective returned (``(loss, metrics)``)."""
    sums: dict[str, list[float]] = {}
    for m in window:
        for key, value in m.get("objective", {}).items():
            sums.setdefault(key, []).append(value)
    return {f"train/{'objective/' if k in _RESERVED else ''}{k}": sum(v) / len(v) for k, v in sums.items()}


class MetricsLogger(Callback):
    def __init__(self, path: Path, every: int, flops: Callable[[int], float] | None = None, trackers=()):
        """``flops``: tokens trained so far -> cumulative training FLOPs, logged as ``train/flops``.
        ``trackers``: train/trackers/ objects that get every row's numbers too (rank 0 only)."""
        self.path, self.every, self.flops = Path(path), max(1, every), flops
        self.trackers = list(trackers)
        self.t_start = time.time()
        self._window: list[dict] = []
        self._step = 0

    def write(self, row: dict) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        self._step = row.get("step", self._step)
        values = numeric(row) if self.trackers else {}
        for tracker in list(self.trackers) if values else []:
            try:
                tracker.log(values, self._step)
            except Exception as e:  # noqa: BLE001 - a tracker's outage must not stop training
                log.warning("%s failed at step %s (%s: %s); it gets no more rows of this run (metrics.jsonl has "
                            "them all: pretrainlab export-metrics)", type(tracker).__name__, self._step,
                            type(e).__name__, e)
                self.trackers.remove(tracker)
                with contextlib.suppress(Exception):
                    tracker.close("failed")

    def close(self, status: str = "finished") -> None:
        """End the trackers' runs (once; later calls do nothing)."""
        trackers, self.trackers = self.trackers, []
        for tracker in trackers:
            try:
                tracker.close(status)
            except Exception as e:  # noqa: BLE001 - the run's own outputs are complete; say so, go on
                log.warning("%s could not close its run (%s: %s)", type(tracker).__name__, type(e).__name__, e)

    def on_interrupt(self, trainer) -> None:
        self.close("interrupted")

    def on_step_end(self, trainer, metrics: dict) -> None:
        self._window.append(metrics)
        if metrics["skipped"]:
            self.write({"step": metrics["step"], "event": "skipped_nonfinite", "loss": str(metrics["loss"])})
        if trainer.state.step % self.every == 0 or trainer.state.step == trainer.cfg.steps:
            win = [m for m in self._window if not m["skipped"]] or self._window
            step_s = sum(m["step_s"] for m in win) / len(win)
            self.write({
                "step": trainer.state.step,
                "train/loss": sum(m["loss"] for m in win) / len(win),
                "train/lr": metrics["lr"],
                "train/grad_norm": metrics["grad_norm"],
                "train/tokens": trainer.state.tokens,
                "train/tokens_per_s": trainer.tokens_per_step / max(step_s, 1e-9),
                "elapsed_s": round(time.time() - self.t_start, 3),
                **({"train/flops": self.flops(trainer.state.tokens)} if self.flops else {}),
                **objective_means(win),
            })
            self._window = []
