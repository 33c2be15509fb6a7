"""Training settings of a run (the ``train:`` section): steps, batch, optimizer, schedule, precision,
checkpointing, continued pretraining and growth.

Moved here from ``run_config.py`` (which re-exports it for one release) so that the training layer
(train/loop.py, callbacks) owns its config and run_config imports train, never the other way round.
Shared by text runs (``RunConfig.train``) and image runs (``ImageRunConfig.train``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pretrainlab.config import ConfigError
from pretrainlab.optim.galore import GaLoreConfig
from pretrainlab.optim.lowrank import LowRankConfig


@dataclass
class TrainConfig:
    steps: int = 1000
    batch_size: int = 16
    """Sequences per optimizer step (global batch, split over grad_accum micro-batches)."""
    grad_accum: int = 1
    lr: float = 3e-3
    min_lr_ratio: float = 0.1
    schedule: Literal["constant", "linear", "cosine", "wsd"] = "cosine"
    warmup_steps: int = 50
    decay_frac: float = 0.2
    """WSD only: fraction of steps in the final decay."""
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    """Max global gradient norm (0 disables clipping)."""
    dtype: Literal["auto", "fp32", "bf16"] = "auto"
    """auto: bf16 autocast on CUDA and on CPUs with native bf16 (AVX512-BF16/AMX), else fp32."""
    compile: bool = False
    device: str = "auto"
    distributed: Literal["ddp", "fsdp"] = "ddp"
    """Under torchrun (WORLD_SIZE > 1): DistributedDataParallel or FSDP2 ``fully_shard``."""
    activation_checkpointing: bool = False
    """Recompute each block's activations in backward (less memory, ~30% more compute)."""
    threads: int = 0
    """CPU threads for torch (0: all cores)."""
    log_every: int = 10
    loggers: list[str] = field(default_factory=lambda: ["jsonl"])
    """Where metrics rows go: metrics.jsonl (``jsonl``, always, even if omitted) and any of tensorboard, wandb,
    mlflow (train/trackers/; extras: ``pip install 'pretrainlab[tensorboard]'``), e.g.
    ``train.loggers=[jsonl,tensorboard]``. W&B runs offline unless WANDB_MODE / WANDB_API_KEY is set."""
    eval_every: int = 0
    """Validation loss every N steps (0: only at the end)."""
    ckpt_every: int = 0
    """Checkpoint every N steps (0: only at the end)."""
    keep_last: int = 2
    ckpt_on_interrupt: bool = True
    """On Ctrl-C / SIGTERM / SIGUSR1: finish the step, save a checkpoint, then stop (resume with --resume)."""
    max_bad_steps: int = 5
    """NaN/inf guard: abort after this many non-finite steps in a row."""
    init_from: str | None = None
    """Continued pretraining: a run dir or checkpoint dir to start from."""
    init_optimizer: bool = False
    """With init_from: also load the optimizer state."""
    grow: Literal["fpi", "aki", "stack", "fpi+stack", "aki+stack"] | None = None
    """Model growth (bert2BERT, models/growth.py): build this run's larger ``model`` from the smaller model
    of ``init_from``: ``fpi`` (width, function preserving), ``aki`` (width, new units from the next
    layer), ``stack`` (depth), ``fpi+stack`` / ``aki+stack`` (width, then depth). null: init_from must
    have this run's shape (plain continued pretraining)."""
    grow_noise: float = 0.1
    """With grow: spread of the random, zero-sum split of copied units' weights that breaks their symmetry
    (function still preserved); 0 is the paper's equal split, under which copies never diverge."""
    progress: bool = True
    optimizer: Literal["adamw", "galore"] = "adamw"
    """adamw, or GaLore (gradient low-rank projection of the block weights; settings in ``train.galore``)."""
    galore: GaLoreConfig = field(default_factory=GaLoreConfig)
    lowrank: LowRankConfig = field(default_factory=LowRankConfig)
    """Low-rank block linears: ``{mode: lowrank|relora, rank, restart_every, ...}`` (optim/lowrank.py)."""

    def validate(self) -> None:
        from pretrainlab.train.trackers import TRACKERS

        for name in self.loggers:
            TRACKERS.get(name, where="train.loggers")  # did-you-mean; a missing package fails when the run starts
        for key, low in (("batch_size", 1), ("grad_accum", 1), ("log_every", 1), ("steps", 0), ("warmup_steps", 0),
                         ("eval_every", 0), ("ckpt_every", 0), ("keep_last", 0), ("threads", 0), ("max_bad_steps", 0)):
            if getattr(self, key) < low:
                hint = " (0: only at the end)" if key in ("eval_every", "ckpt_every") else \
                    " (0: evaluate train.init_from only)" if key == "steps" else \
                    " (0: all cores)" if key == "threads" else " (0: keep every checkpoint)" if key == "keep_last" else ""
                raise ConfigError(f"train.{key} must be >= {low}{hint}, got {getattr(self, key)}")
        for key in ("lr", "weight_decay", "grad_clip", "grow_noise"):
            if getattr(self, key) < 0:
                raise ConfigError(f"train.{key} must be >= 0, got {getattr(self, key)}")
        for key in ("min_lr_ratio", "decay_frac"):
            if not 0 <= getattr(self, key) <= 1:
                raise ConfigError(f"train.{key} must be in [0, 1], got {getattr(self, key)}")
        if not all(0 <= b < 1 for b in self.betas):
            raise ConfigError(f"train.betas must both be in [0, 1), got {list(self.betas)}")
        _check_device(self.device)
        if self.grow and self.init_optimizer:
            raise ConfigError(f"train.grow={self.grow}: set train.init_optimizer=false (the grown model has new "
                              "parameter shapes)")
        if self.optimizer == "galore" and self.lowrank.mode != "none":
            raise ConfigError("train.optimizer=galore projects full-rank weight gradients; "
                              "set train.lowrank.mode=none or train.optimizer=adamw")
        if self.batch_size % self.grad_accum:
            raise ConfigError(f"train.batch_size={self.batch_size} must be divisible by "
                              f"train.grad_accum={self.grad_accum}")
        import os

        world = int(os.environ.get("WORLD_SIZE", "1"))
        if self.batch_size % (world * self.grad_accum):
            raise ConfigError(f"train.batch_size={self.batch_size} must be divisible by WORLD_SIZE x grad_accum "
                              f"= {world} x {self.grad_accum}")


def _check_device(name: str) -> None:
    """``train.device``: ``auto`` or a torch device name (``cpu``, ``cuda``, ``cuda:1``, ``mps``). Whether the
    machine has that device is checked when the run starts (runtime.pick_device), not here: a config may be
    written on a machine without the GPU it will run on."""
    if name == "auto":
        return
    import torch

    try:
        torch.device(name)
    except RuntimeError:
        raise ConfigError(f"train.device: '{name}' is not a device; use auto, cpu, cuda, cuda:N or mps") from None
