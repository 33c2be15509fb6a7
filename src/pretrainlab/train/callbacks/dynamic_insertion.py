"""Dynamic insertion: re-insert knowledge-probe facts during training until the live model answers them.

Runs a ``KnowledgeTracker`` (eval/knowledge.py) check every ``check_every`` steps (and before the first
step of a fresh run). Its state -- per-fact counters and every dynamic placement -- is written next to the checkpoints
as ``checkpoints/knowledge-<name>_step_<N>.json`` (temporary file + rename) at the checkpointer's steps,
and files of pruned checkpoints are removed. On resume the state of the resumed step is loaded and its
placements are put back into the ``InsertionPlan`` before the first batch, so the run continues exactly
as the uninterrupted one. ``insertions.jsonl`` is rewritten (atomically) with every static and dynamic
placement whenever the state is saved.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pretrainlab.train.callbacks.base import Callback


class DynamicInsertion(Callback):
    position = "last"  # run/execute.py: after the checkpointer and the caller's callbacks

    def __init__(self, tracker, model, ckpt_root: Path, ckpt_every: int, log_path: Path | None,
                 is_main: bool = True, start_step: int = 0):
        """``start_step`` > 0 (a resumed run): load that step's saved state now, before any batch is built
        (and even when training is already complete and only evaluation is left)."""
        self.tracker, self.model, self.root = tracker, model, Path(ckpt_root)
        self.ckpt_every, self.log_path, self.is_main = ckpt_every, log_path, is_main
        if start_step > 0:
            path = self._path(start_step)
            if not path.exists():
                raise FileNotFoundError(f"{path}: no knowledge-probe state for the resumed step {start_step}; "
                                        "the run cannot continue its dynamic insertions (start it again without "
                                        "--resume)")
            self.tracker.restore(json.loads(path.read_text()))

    def _path(self, step: int) -> Path:
        return self.root / f"knowledge-{self.tracker.name}_step_{step:06d}.json"

    def on_train_start(self, trainer) -> None:
        if trainer.state.step == 0:
            self.tracker.check(self.model, 0)

    def on_step_end(self, trainer, metrics: dict) -> None:
        step = trainer.state.step
        if step < trainer.cfg.steps and step % self.tracker.every == 0:
            self.tracker.check(self.model, step)
        if self.ckpt_every and step % self.ckpt_every == 0 and step < trainer.cfg.steps:
            self.save(step)

    def on_train_end(self, trainer) -> None:
        self.save(trainer.state.step)

    def save(self, step: int) -> None:
        if not self.is_main:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._path(step)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.tracker.state.to_json(step)))
        os.replace(tmp, path)
        kept = {int(m.group(1)) for d in self.root.iterdir() if (m := re.fullmatch(r"step_(\d+)", d.name))}
        for f in self.root.glob(f"knowledge-{self.tracker.name}_step_*.json"):
            if int(f.stem.rsplit("_", 1)[1]) not in kept | {step}:
                f.unlink()
        if self.log_path is not None:
            self.tracker.plan.write_log(self.log_path)
