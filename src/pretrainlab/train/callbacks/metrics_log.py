"""Appends one JSON object per log step to ``metrics.jsonl`` (and skipped-step notices)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from pretrainlab.train.callbacks.base import Callback


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
    def __init__(self, path: Path, every: int, flops: Callable[[int], float] | None = None):
        """``flops``: tokens trained so far -> cumulative training FLOPs, logged as ``train/flops``."""
        self.path, self.every, self.flops = Path(path), max(1, every), flops
        self.t_start = time.time()
        self._window: list[dict] = []

    def write(self, row: dict) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps(row) + "\n")

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
