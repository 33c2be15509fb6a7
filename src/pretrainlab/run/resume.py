"""Where a run starts: its own newest checkpoint (``--resume``) or step 0, and a metrics log to match.

``start_state`` is the one resume rule for every modality. With ``resume`` and checkpoints in
``out/checkpoints`` it restores the newest one whole (weights, optimizer, trainer state with step and data
position, RNG), so a killed run continues bit-identically on CPU. Checkpoints without ``resume`` are
refused (``RunError``), so a run never overwrites another. Otherwise the modality's ``fresh`` hook runs
(continued pretraining, growth, a backbone from another run) and training starts from ``TrainState()``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import torch
from rich.console import Console

from pretrainlab import checkpoint as ckpt
from pretrainlab.checkpoint import TrainState, set_rng_state


class RunError(RuntimeError):
    """A run cannot start as asked (e.g. its directory holds another run); the message says what to do."""


def start_state(out: Path, resume: bool, model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                console: Console, fresh: Callable[[], None] | None = None) -> TrainState:
    """The trainer state to start from; loads ``model`` / ``optimizer`` in place (``fresh``: a new run's init)."""
    existing = ckpt.list_checkpoints(out / "checkpoints")
    if resume and existing:
        last = existing[-1]
        ckpt.load_weights(model, last)
        ckpt.load_optimizer(optimizer, last, model)
        state, rng = ckpt.load_state(last)
        set_rng_state(rng)
        console.print(f"resuming from {last} (step {state.step})")
        return state
    if existing:
        raise RunError(f"{out} already holds a run (checkpoints up to {existing[-1].name}); "
                       "pass --resume to continue it, or choose another --out")
    if fresh is not None:
        fresh()
    return TrainState()


def trim_metrics(path: Path, step: int) -> None:
    """Drop log rows past the step we (re)start from, so a resumed log has no duplicates."""
    if not path.exists():
        return
    keep = [line for line in path.read_text().splitlines() if line.strip() and json.loads(line)["step"] <= step]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(line + "\n" for line in keep))
    os.replace(tmp, path)
