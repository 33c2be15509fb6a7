"""The one training loop. Every modality and objective goes through ``Trainer.fit``.

Per step: LR from a pure schedule function, ``grad_accum`` micro-batches (each a pure function of
(seed, step, micro)), autocast, backward, clip, NaN/inf guard, optimizer step. Everything else
(logging, progress, evaluation, checkpoints) is a callback.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from pretrainlab.checkpoint import TrainState
from pretrainlab.optim.schedules import lr_at
from pretrainlab.train.callbacks.base import Callback
from pretrainlab.train.config import TrainConfig
from pretrainlab.train.interrupt import RunInterrupted, StopSignals


def cpu_has_native_bf16() -> bool:
    """AVX512-BF16 or AMX on this CPU (where bf16 matmuls beat fp32); False if unknown."""
    checks = [getattr(torch.cpu, "_is_avx512_bf16_supported", None), getattr(torch.cpu, "_is_amx_tile_supported", None)]
    return any(bool(check()) for check in checks if check is not None)


def uses_bf16(dtype: str, device: torch.device) -> bool:
    """``auto``: bf16 autocast on CUDA and on CPUs with native bf16, fp32 elsewhere (the fallback)."""
    if dtype != "auto":
        return dtype == "bf16"
    return device.type == "cuda" or (device.type == "cpu" and cpu_has_native_bf16())


def _is_scalar(value) -> bool:
    """A metric the trainer can log: a number or a one-element tensor."""
    if torch.is_tensor(value):
        return value.numel() == 1
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class NonFiniteLossError(RuntimeError):
    """Raised after ``max_bad_steps`` consecutive steps with a NaN/inf loss or gradient."""


@dataclass
class Trainer:
    model: nn.Module
    objective: Callable
    optimizer: torch.optim.Optimizer
    get_batch: Callable[[int, int], torch.Tensor]
    """(step, micro) -> batch on the right device."""
    cfg: TrainConfig
    device: torch.device
    state: TrainState = field(default_factory=TrainState)
    callbacks: list[Callback] = field(default_factory=list)
    tokens_per_step: int = 0
    """Global tokens per optimizer step (all ranks)."""
    dist: "DistInfo | None" = None  # noqa: F821  (pretrainlab.train.distributed.DistInfo)

    def autocast(self):
        if not uses_bf16(self.cfg.dtype, self.device):
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def lr(self, step: int) -> float:
        c = self.cfg
        return lr_at(c.schedule, step, c.steps, c.lr, warmup=c.warmup_steps,
                     min_ratio=c.min_lr_ratio, decay_frac=c.decay_frac)

    def _grad_sync(self, sync: bool):
        """Skip the gradient all-reduce on all but the last micro-batch (DDP ``no_sync``; FSDP2 flag)."""
        if hasattr(self.model, "set_requires_gradient_sync"):
            self.model.set_requires_gradient_sync(sync)
        elif not sync and hasattr(self.model, "no_sync"):
            return self.model.no_sync()
        return contextlib.nullcontext()

    def train_step(self) -> dict:
        """One optimizer step; returns its metrics. A non-finite step is skipped (no update)."""
        c, step = self.cfg, self.state.step
        lr = self.lr(step)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        loss_sum = torch.zeros((), device=self.device)
        row_losses, scalars = [], {}
        for micro in range(c.grad_accum):
            batch = self.get_batch(step, micro)
            with self._grad_sync(micro == c.grad_accum - 1), self.autocast():
                loss, extra = self.objective(self.model, batch)
                (loss / c.grad_accum).backward()
            loss_sum += loss.detach()
            for key, value in extra.items():
                if key == "row_loss":
                    row_losses.append(value)
                elif _is_scalar(value):  # objective metrics: the micro-batch mean, logged as train/<key>
                    v = value.detach().float() if torch.is_tensor(value) else torch.tensor(float(value))
                    scalars[key] = scalars.get(key, 0.0) + v.reshape(()) / c.grad_accum
        params = [p for p in self.model.parameters() if p.grad is not None]
        if c.grad_clip > 0:
            grad_norm = torch.nn.utils.clip_grad_norm_(params, c.grad_clip)
        else:
            grad_norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params]))
        mean_loss = loss_sum / c.grad_accum
        if self.dist is not None:
            mean_loss = self.dist.mean(mean_loss)  # the global batch's loss, the same on every rank
        if hasattr(grad_norm, "full_tensor"):  # FSDP2: a DTensor
            grad_norm = grad_norm.full_tensor()
        loss_val, norm_val = mean_loss.item(), grad_norm.item()
        finite = math.isfinite(loss_val) and math.isfinite(norm_val)
        if finite:
            self.optimizer.step()
            self.state.bad_steps_in_row = 0
        else:
            self.state.bad_steps_in_row += 1
            self.state.skipped_steps.append(step)
        self.optimizer.zero_grad(set_to_none=True)
        out = {"step": step, "loss": loss_val, "lr": lr, "grad_norm": norm_val, "skipped": not finite}
        if row_losses:
            out["row_loss"] = torch.cat(row_losses)
        if scalars:
            values = torch.stack([v.to(self.device) for v in scalars.values()])
            if self.dist is not None:
                values = self.dist.mean(values)  # the global batch's metrics, as for the loss
            out["objective"] = dict(zip(scalars, values.tolist()))  # one sync
        return out

    def fit(self) -> TrainState:
        """Train to ``cfg.steps``. On SIGINT/SIGTERM/SIGUSR1 stop after the current step: callbacks'
        ``on_interrupt`` (checkpoint, close the bar), then ``RunInterrupted`` (train/interrupt.py)."""
        with StopSignals() as stop:
            return self._fit(stop)

    def _stop_requested(self, stop: StopSignals) -> bool:
        if self.dist is not None and self.dist.enabled:
            return self.dist.any(stop.requested is not None, self.device)
        return stop.requested is not None

    def _fit(self, stop: StopSignals) -> TrainState:
        self.model.train()
        for cb in self.callbacks:
            cb.on_train_start(self)
        while self.state.step < self.cfg.steps:
            t0 = time.perf_counter()
            metrics = self.train_step()
            dt = time.perf_counter() - t0
            self.state.step += 1
            self.state.tokens += self.tokens_per_step
            self.state.train_time_s += dt
            self.state.last_loss = metrics["loss"]
            metrics.update(tokens=self.state.tokens, step_s=dt, tokens_per_s=self.tokens_per_step / max(dt, 1e-9))
            if metrics["skipped"] and self.state.bad_steps_in_row >= self.cfg.max_bad_steps:
                raise NonFiniteLossError(
                    f"{self.state.bad_steps_in_row} steps in a row had a non-finite loss or gradient "
                    f"(last at step {metrics['step']}); lower train.lr, raise train.warmup_steps, or use fp32")
            for cb in self.callbacks:
                cb.on_step_end(self, metrics)
            if self.state.step < self.cfg.steps and self._stop_requested(stop):
                saved = [cb.on_interrupt(self) for cb in self.callbacks]
                raise RunInterrupted(self.state.step, stop.requested or "a signal on another rank",
                                     next((p for p in saved if p is not None), None))
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.state
