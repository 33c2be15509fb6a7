"""The ``Modality`` protocol: what the run skeleton (run/execute.py) asks a kind of run, and nothing more.

``execute`` makes one plug-in instance per run (``MODALITIES.get(name)()``), so a plug-in may keep what it
builds for that run (a data mixture, evaluation windows) on ``self`` between the calls below, which come
in this order::

    prepare -> build -> start (fresh runs only) -> batches -> flops -> loss -> callbacks -> fit
            -> evaluate -> provenance / facts -> samples -> checkpoint files on every save

``RunContext`` is what the skeleton knows of the run while it goes (rank, device, trainer, ``write`` for
metrics.jsonl rows: a no-op on ranks other than 0). ``metric_names``, ``shared_data`` and ``evaluate_run``
need no run: claims are checked, experiment data prepared and finished runs re-evaluated with them.

A callback a plug-in returns is placed after the progress bar and the metrics logger and before the
checkpointer and the caller's callbacks, unless its class says ``position = "first"`` (before everything:
e.g. low-rank restarts, which must land before the logging and checkpointing of their step) or
``position = "last"`` (after the caller's callbacks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import torch
from rich.console import Console
from torch import nn

from pretrainlab.checkpoint import TrainState


def _no_write(row: dict) -> None:
    return None


@dataclass
class RunContext:
    """One run as the skeleton sees it; filled in as it goes (``state`` after resume, ``trainer`` before fit)."""

    cfg: Any
    out: Path
    console: Console
    device: torch.device
    info: Any  # train.distributed.DistInfo
    data_root: Path
    state: TrainState | None = None
    trainer: Any = None
    write: Callable[[dict], None] = field(default=_no_write)


class Modality(Protocol):
    """A kind of run: its config, data, task, batches, callbacks and evaluation (one file in modalities/)."""

    name: ClassVar[str]
    Config: ClassVar[type]
    """The run config class ``build_run_config`` builds when a config says ``modality: <name>``."""
    unit: ClassVar[str]
    """What a training step counts (``tokens``, ``images``): ``train/<unit>_per_s`` in the summary."""
    distributed: ClassVar[bool]
    """Whether its runs may run under torchrun (several processes)."""
    strategies: ClassVar[tuple[str, ...]]
    """The ``train.distributed`` values it supports under torchrun (optional; default ``("ddp", "fsdp")``)."""

    def prepare(self, cfg, root: Path, console: Console) -> Any:
        """The run's data under ``root`` (cached by fingerprint); rank 0 first, the others then open it."""

    def build(self, cfg, prepared, device: torch.device) -> nn.Module:
        """The task: one module, one state dict (``trainable_parameters()`` if it holds frozen teachers)."""

    def start(self, cfg, prepared, task: nn.Module, optimizer, console: Console) -> None:
        """A fresh run's initialisation (continued pretraining, growth, a backbone from another run)."""

    def batches(self, cfg, prepared, task: nn.Module, run: RunContext) -> Callable[[int, int], Any]:
        """``get_batch(step, micro)``: a pure function of (seed, step, micro) and the rank."""

    def flops(self, cfg, prepared, task: nn.Module) -> Callable[[int], float] | None:
        """``train/flops`` of the metrics log as a function of the tokens seen so far (or None)."""

    def loss(self, cfg, task: nn.Module) -> Callable:
        """``objective(model, batch) -> loss`` or ``(loss, extra)`` for the trainer (one protocol: step 5)."""

    def units_per_step(self, cfg) -> int:
        """``unit``s per optimizer step (the trainer's ``tokens_per_step``)."""

    def callbacks(self, cfg, prepared, task: nn.Module, run: RunContext) -> list:
        """Periodic evaluations, data loggers, insertion trackers … (see ``position`` in the module doc)."""

    def checkpoint_files(self, cfg, prepared, task: nn.Module) -> dict:
        """Files every checkpoint carries beside the weights: ``{"tokenizer.json": Path}`` (copied) or
        ``{"preprocessing.json": str}`` (written)."""

    def evaluate(self, cfg, prepared, task: nn.Module, run: RunContext) -> dict[str, float]:
        """The final evaluation: flat summary keys (and the final rows of metrics.jsonl)."""

    def provenance(self, cfg, prepared, run: RunContext) -> dict:
        """Where the data came from (``data_dir`` …): summary keys between ``name`` and the run statistics."""

    def facts(self, cfg, prepared, task: nn.Module, optimizer, run: RunContext) -> dict:
        """Model facts (parameter counts, optimizer bytes …): summary keys after the run statistics."""

    def samples(self, cfg, prepared, task: nn.Module) -> list | None:
        """Sampled outputs for generations.json and the report (None: the modality samples nothing)."""

    def metric_names(self, cfg) -> set[str]:
        """Every key a run with ``cfg`` writes to summary.json (claims are checked before anything runs)."""

    def shared_data(self, cfg, root: Path, console: Console) -> str:
        """Prepare the data several runs of an experiment share under ``root``; returns their ``data_root``."""

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict[str, float]:
        """``pretrainlab eval RUN_DIR``: the final evaluation again on a run's newest checkpoint."""
