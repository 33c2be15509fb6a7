"""What every run leaves at its end: run statistics in the summary, then summary.json and the report.

``run_stats``: the trainer-state part of a summary, the same keys for every modality; ``unit`` names what a
step counts (``tokens`` for text, ``images`` for image runs), so ``train/<unit>_per_s`` is the throughput
over training time only. ``finish``: summary.json written atomically (temp file + rename: a summary that
exists is complete), generations.json when the modality samples text, plots and report.md/html.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from pretrainlab.checkpoint import TrainState
from pretrainlab.eval import report


def run_stats(state: TrainState, t_start: float, unit: str = "tokens") -> dict:
    """``step``, ``<unit>``, ``train/loss``, ``train/<unit>_per_s``, ``train/skipped_steps``, ``wall_s``."""
    return {"step": state.step, unit: state.tokens, "train/loss": state.last_loss,
            f"train/{unit}_per_s": state.tokens / max(state.train_time_s, 1e-9),
            "train/skipped_steps": len(state.skipped_steps), "wall_s": time.time() - t_start}


def finish(out: Path, summary: dict, with_report: bool, generations: list | None = None) -> None:
    """Write summary.json, generations.json (when given), and with ``with_report`` plots/*.png and the report."""
    tmp = out / "summary.json.tmp"
    tmp.write_text(json.dumps(summary, indent=1))
    os.replace(tmp, out / "summary.json")
    if generations is not None:
        (out / "generations.json").write_text(json.dumps(generations, indent=1))
    if with_report:
        plots = report.plot_curves(report.read_metrics(out / "metrics.jsonl"), out / "plots")
        report.write_report(out, summary, (out / "config.yaml").read_text(), generations or [], plots)
