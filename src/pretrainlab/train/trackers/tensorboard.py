"""TensorBoard: scalars to event files in ``<run>/tensorboard`` (view with ``tensorboard --logdir runs``).

One event directory per run, so ``--logdir`` over an experiment's ``runs/`` shows every run side by side.
A resumed run hides the events after the step it restarts from (``purge_step``), as metrics.jsonl drops
those rows. Needs ``pip install 'pretrainlab[tensorboard]'``.
"""

from __future__ import annotations

from pathlib import Path

from pretrainlab.train.trackers.base import RunLabels


class TensorBoardTracker:
    """TensorBoard event files in <run>/tensorboard."""

    package = "tensorboard"

    def __init__(self, out: Path, config: dict, labels: RunLabels, start_step: int = 0):
        from torch.utils.tensorboard import SummaryWriter

        self.where = str(Path(out) / "tensorboard")
        self.writer = SummaryWriter(self.where, purge_step=start_step + 1 if start_step else None)

    def log(self, row: dict[str, float], step: int) -> None:
        for key, value in row.items():
            self.writer.add_scalar(key, value, global_step=step)

    def close(self, status: str = "finished") -> None:
        self.writer.close()
