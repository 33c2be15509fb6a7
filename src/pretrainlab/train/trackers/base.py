"""The tracker protocol, the labels an experiment gives its runs, and what every tracker shares.

A tracker receives the numeric values of every metrics row (``log(row, step)``) and is closed once at the
end of the run (``close(status)``: ``finished``, ``interrupted`` or ``failed``). It is built on rank 0
only, after the start step is known, so a resumed run continues its tracker run where it can (the ids
are kept in ``<run>/trackers.json``).

Labels: an experiment's executor names each run it starts through one environment variable,
``PRETRAINLAB_RUN_LABELS`` (JSON, read here and nowhere else), so neither the run config nor its hash
changes::

    {"experiment": "muon_vs_adamw", "experiment_dir": "runs/muon_vs_adamw",
     "arm": "muon", "stage": "main", "seed": 0, "name": "muon/main/seed0"}

A user's own sweep may set it too (any subset of the keys); without it a run is named by its config.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pretrainlab.config import ConfigError

LABELS_ENV = "PRETRAINLAB_RUN_LABELS"


class Tracker(Protocol):
    """One run in an external tracker."""

    where: str
    """Where the run went (a directory or a tracking URI), for messages."""

    def log(self, row: dict[str, float], step: int) -> None:
        """The numeric values of one metrics row (``step`` removed)."""

    def close(self, status: str = "finished") -> None:
        """End the tracker run: ``finished``, ``interrupted`` or ``failed``."""


@dataclass
class RunLabels:
    """How trackers name and group a run (W&B name/group/job_type, MLflow run and experiment name)."""

    name: str
    experiment: str | None = None
    experiment_dir: str | None = None
    arm: str | None = None
    stage: str | None = None
    seed: int | None = None

    @classmethod
    def from_env(cls, default_name: str) -> "RunLabels":
        raw = os.environ.get(LABELS_ENV, "")
        if not raw:
            return cls(default_name)
        try:
            data = json.loads(raw)
            return cls(**{"name": default_name, **data})
        except (ValueError, TypeError) as e:
            raise ConfigError(f"{LABELS_ENV}: expected a JSON object with keys name, experiment, "
                              f"experiment_dir, arm, stage, seed; got {raw!r} ({e})") from None

    def tags(self) -> dict[str, str]:
        """``pretrainlab.<label>`` -> value for every label that is set."""
        fields = {"experiment": self.experiment, "arm": self.arm, "stage": self.stage, "seed": self.seed}
        return {f"pretrainlab.{k}": str(v) for k, v in fields.items() if v is not None}


def experiment_labels(experiment: str, experiment_dir: Path, arm: str, stage: str, seed: int) -> dict:
    """The labels of one run of an experiment (the executor's ``PRETRAINLAB_RUN_LABELS``)."""
    return {"experiment": experiment, "experiment_dir": str(Path(experiment_dir).resolve()), "arm": arm, "stage": stage,
            "seed": seed, "name": f"{arm}/{stage}/seed{seed}"}


@contextlib.contextmanager
def labels_env(labels: dict | None) -> Iterator[None]:
    """``PRETRAINLAB_RUN_LABELS`` set to ``labels`` (or unset) inside the block, restored after it."""
    before = os.environ.get(LABELS_ENV)
    if labels:
        os.environ[LABELS_ENV] = json.dumps(labels)
    else:
        os.environ.pop(LABELS_ENV, None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(LABELS_ENV, None)
        else:
            os.environ[LABELS_ENV] = before


def numeric(row: dict) -> dict[str, float]:
    """The values a tracker can plot: numbers (not bools), without ``step``; strings and events are skipped."""
    return {k: float(v) for k, v in row.items()
            if k != "step" and isinstance(v, (int, float)) and not isinstance(v, bool)}


def require(module: str, tracker: str) -> None:
    """A ConfigError with the pip command when ``module`` (the tracker's package) is not installed."""
    if importlib.util.find_spec(module) is None:
        raise ConfigError(f"train.loggers: {tracker} needs the {module} package: "
                          f"pip install 'pretrainlab[{tracker}]'")


def saved_id(out: Path, tracker: str) -> str | None:
    """The tracker run id this run directory used before (``trackers.json``), to continue it on resume."""
    path = out / "trackers.json"
    return json.loads(path.read_text()).get(tracker) if path.exists() else None


def save_id(out: Path, tracker: str, run_id: str) -> None:
    path = out / "trackers.json"
    ids = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**ids, tracker: run_id}, indent=1))
