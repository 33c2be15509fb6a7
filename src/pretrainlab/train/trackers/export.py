"""``pretrainlab export-metrics RUN --to tensorboard|mlflow|wandb``: replay a run's metrics.jsonl into a tracker.

For runs trained without the tracker (or before trackers existed). The rows go through the same tracker
classes as a live run, to the same places (``<run>/tensorboard``, ``<run>/mlruns``, ``<run>/wandb``), named
by the run's config (or ``PRETRAINLAB_RUN_LABELS``, base.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from pretrainlab.config import ConfigError, load_yaml
from pretrainlab.train.trackers import TRACKERS, build, numeric


def export_metrics(run_dir: str | Path, to: str) -> str:
    """Send every numeric row of ``run_dir/metrics.jsonl`` to tracker ``to``; returns where they went."""
    run_dir = Path(run_dir)
    path = run_dir / "metrics.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no metrics log (is {run_dir} a run directory?)")
    if TRACKERS.get(to, where="--to") is None:
        raise ConfigError(f"--to {to}: metrics.jsonl is already the jsonl log; choose one of: "
                          f"{', '.join(n for n in TRACKERS if TRACKERS[n] is not None)}")
    if to == "tensorboard" and any((run_dir / "tensorboard").glob("events.out.tfevents.*")):
        raise ConfigError(f"{run_dir / 'tensorboard'} already holds TensorBoard events (logged live or exported "
                          "before); remove it to export again")
    config = load_yaml(run_dir / "config.yaml") if (run_dir / "config.yaml").is_file() else {}
    (tracker,) = build([to], run_dir, config)
    step = 0
    try:
        for line in path.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                step = row.get("step", step)
                values = numeric(row)
                if values:
                    tracker.log(values, step)
    except BaseException:
        tracker.close("failed")
        raise
    tracker.close()
    return tracker.where
