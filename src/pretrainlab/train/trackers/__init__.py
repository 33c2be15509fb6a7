"""Experiment trackers: ``train.loggers`` sends every metrics row to TensorBoard, W&B or MLflow as well.

``metrics.jsonl`` (``jsonl``) is always written and stays the record; the others are optional extras,
one small class per file, imported lazily. ``MetricsLogger.write`` (train/callbacks/metrics_log.py), the
one place every row of a run passes, hands each tracker the row's numbers on rank 0; the run skeleton
(run/execute.py) builds them before training and closes them after the final evaluation (or on
interrupt / failure). ``pretrainlab export-metrics RUN --to X`` replays an old run's metrics.jsonl
(export.py). How an experiment names and groups its runs: base.py.

    train.loggers: [jsonl, tensorboard, mlflow]   # pip install 'pretrainlab[tensorboard,mlflow]'
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pretrainlab.registry import Registry
from pretrainlab.train.trackers.base import RunLabels, Tracker, numeric, require
from pretrainlab.train.trackers.mlflow import MlflowTracker
from pretrainlab.train.trackers.tensorboard import TensorBoardTracker
from pretrainlab.train.trackers.wandb import WandbTracker

TRACKERS: Registry = Registry("tracker")
TRACKERS.add("jsonl", None, "metrics.jsonl in the run directory (always on)")
TRACKERS.add("tensorboard", TensorBoardTracker)
TRACKERS.add("wandb", WandbTracker)
TRACKERS.add("mlflow", MlflowTracker)


def check_available(names: Iterable[str]) -> None:
    """Fail before any work when a tracker's package is missing (the error names the pip extra)."""
    for name in names:
        cls = TRACKERS.get(name, where="train.loggers")
        if cls is not None:
            require(cls.package, name)


def build(names: Iterable[str], out: Path, config: dict, start_step: int = 0) -> list[Tracker]:
    """The trackers ``names`` asks for (``jsonl`` is the metrics logger's own), labelled by base.RunLabels."""
    check_available(names)
    labels = RunLabels.from_env(str(config.get("name") or Path(out).name))
    built: list[Tracker] = []
    try:
        for name in dict.fromkeys(names):
            cls = TRACKERS[name]
            if cls is not None:
                built.append(cls(Path(out), config, labels, start_step))
    except BaseException:
        for tracker in built:
            tracker.close("failed")
        raise
    return built


__all__ = ["TRACKERS", "RunLabels", "Tracker", "build", "check_available", "numeric"]
