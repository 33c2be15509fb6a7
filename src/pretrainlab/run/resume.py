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
        last = ckpt.newest_intact(existing)
        if last is None:
            raise RunError(f"{out}: every checkpoint is damaged ({', '.join(c.name for c in existing)}); "
                           "start the run again in a new --out")
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


SAFE_TO_CHANGE = ("name", "train.steps", "train.log_every", "train.eval_every", "train.ckpt_every", "train.keep_last",
                  "train.progress", "train.loggers", "train.threads", "train.ckpt_on_interrupt", "train.device",
                  "eval.")
"""Config keys (or prefixes, ending in ``.``) a resumed run may change with ``--allow-config-change``: when
and how it logs, saves and evaluates, and how long it trains. Everything else (data, model, objective,
optimizer, schedule shape …) would make the resumed run a different experiment."""


def _flatten(tree, prefix: str = "") -> dict:
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: tree}


def check_config_change(saved: dict, new: dict, allow: bool) -> list[str]:
    """The dotted keys whose values differ between a run's saved config.yaml and the config it resumes with.

    Refuses (``RunError`` naming each key, old -> new) unless every change is in ``SAFE_TO_CHANGE`` and
    ``allow`` is set; returns the changed keys (for a note in the log)."""
    a, b = (_flatten(json.loads(json.dumps(c, default=str))) for c in (saved, new))  # tuples as YAML lists
    changed = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    if not changed:
        return []
    unsafe = [k for k in changed if not any(k == s or (s.endswith(".") and k.startswith(s)) for s in SAFE_TO_CHANGE)]
    lines = "; ".join(f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in changed[:8]) + (" …" if len(changed) > 8 else "")
    if unsafe:
        raise RunError(f"--resume with a different config ({lines}). {', '.join(unsafe[:8])} cannot change in a "
                       "resumed run: start a new run (another --out), or resume with the saved config")
    if not allow:
        raise RunError(f"--resume with a different config ({lines}); these keys may change: add "
                       "--allow-config-change to continue with them")
    return changed
