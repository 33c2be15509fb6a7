"""Weights & Biases: offline by default, so a run never needs a network or an account.

Offline runs are written under ``<run>/wandb`` (``wandb sync <run>/wandb/offline-run-*`` uploads them
later). Setting ``WANDB_MODE`` or ``WANDB_API_KEY`` hands the choice back to wandb (online with a key).
The project is ``WANDB_PROJECT`` or ``pretrainlab``; an experiment's runs share ``group=<experiment>``,
``job_type=<arm>`` and are named ``<arm>/<stage>/seed<k>`` (base.py: labels). The run config is the W&B
config. A resumed run continues its W&B run (same id). Needs ``pip install 'pretrainlab[wandb]'``.
"""

from __future__ import annotations

import os
from pathlib import Path

from pretrainlab.train.trackers.base import RunLabels, save_id, saved_id

EXIT_CODES = {"finished": 0, "failed": 1, "interrupted": 130}


class WandbTracker:
    """Weights & Biases, offline (<run>/wandb) unless WANDB_MODE or WANDB_API_KEY is set."""

    package = "wandb"

    def __init__(self, out: Path, config: dict, labels: RunLabels, start_step: int = 0):
        import wandb

        configured = "WANDB_MODE" in os.environ or "WANDB_API_KEY" in os.environ
        run_id = saved_id(out, "wandb") if start_step else None
        self.run = wandb.init(project=os.environ.get("WANDB_PROJECT", "pretrainlab"), dir=str(out),
                              mode=None if configured else "offline", name=labels.name,
                              group=labels.experiment, job_type=labels.arm, config=config,
                              id=run_id, resume="allow" if run_id else None)
        save_id(out, "wandb", self.run.id)
        self.where = str(Path(out) / "wandb") if self.run.offline else (self.run.url or "wandb")

    def log(self, row: dict[str, float], step: int) -> None:
        self.run.log(row, step=step)

    def close(self, status: str = "finished") -> None:
        self.run.finish(exit_code=EXIT_CODES.get(status, 1))
