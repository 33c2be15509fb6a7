"""Restarts of low-rank layers (``train.lowrank.restart_every``): ReLoRA merges and the weight
refactorization of METHODS-2 #31, each with a momentum reset and a short LR re-warmup.

After every ``restart_every`` completed steps (never after the last one) the callback calls
``optim.lowrank.restart``; it runs before the checkpointer, so a checkpoint taken at a restart step holds
the restarted weights and optimizer state and a resumed run continues bit for bit. The re-warmup is an
optimizer step pre-hook that multiplies the scheduled LR by ``rewarm_factor(step)`` (a pure function of the
step); the logged ``train/lr`` is the LR actually used.
"""

from __future__ import annotations

from pretrainlab.optim.lowrank import LowRankConfig, restart, rewarm_factor
from pretrainlab.train.callbacks.base import Callback


class LowRankRestarts(Callback):
    position = "first"  # run/execute.py: restarts land before the logging and checkpointing of their step

    def __init__(self, cfg: LowRankConfig, seed: int):
        self.cfg, self.seed = cfg, seed
        self.restarts = 0
        self._hook = None

    def _factor(self, step: int) -> float:
        return rewarm_factor(step, self.cfg.restart_every, self.cfg.rewarm_steps)

    def on_train_start(self, trainer) -> None:
        if self.cfg.rewarm_steps > 0 and self._hook is None:
            def scale_lr(optimizer, args, kwargs):
                f = self._factor(trainer.state.step)
                for group in optimizer.param_groups:
                    group["lr"] *= f  # the loop sets the scheduled LR before every step

            self._hook = trainer.optimizer.register_step_pre_hook(scale_lr)

    def on_step_end(self, trainer, metrics: dict) -> None:
        metrics["lr"] = metrics["lr"] * self._factor(metrics["step"])
        done, every = trainer.state.step, self.cfg.restart_every
        if every > 0 and done % every == 0 and done < trainer.cfg.steps:
            restart(trainer.model, trainer.optimizer, self.cfg, self.seed, done)
            self.restarts += 1

    def on_train_end(self, trainer) -> None:
        if self._hook is not None:
            self._hook.remove()
            self._hook = None
