"""Stop a run cleanly on Ctrl-C, SIGTERM (Slurm pre-emption, ``kill``) or SIGUSR1 (Slurm's ``--signal``).

The first signal asks the trainer to stop after the current step: the callbacks' ``on_interrupt`` hooks run
(the checkpointer saves the step when ``train.ckpt_on_interrupt``, the progress bar closes), then
``RunInterrupted`` carries the step and checkpoint up to the CLI, which prints how to resume and exits 130.
A second signal stops at once (``KeyboardInterrupt``). Under torchrun every rank stops at the same step: the
trainer asks whether any rank was signalled (one tiny all-reduce per step).

Handlers are installed only in the main thread of the main interpreter (signal's rule) and restored on exit.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGUSR1") if hasattr(signal, name))


class RunInterrupted(Exception):
    """A run stopped on a signal after finishing step ``step`` (a user's action, not an error)."""

    def __init__(self, step: int, signal_name: str, checkpoint: Path | None):
        self.step, self.signal_name, self.checkpoint = step, signal_name, checkpoint
        saved = f"checkpoint {checkpoint} written" if checkpoint else "no checkpoint written (train.ckpt_on_interrupt=false)"
        super().__init__(f"stopped by {signal_name} after step {step}; {saved}")


class StopSignals:
    """Context manager: ``requested`` becomes the signal's name on the first signal; a second one raises
    ``KeyboardInterrupt`` immediately."""

    def __init__(self):
        self.requested: str | None = None
        self._previous: dict = {}

    def _handle(self, signum, frame) -> None:
        name = signal.Signals(signum).name
        if self.requested is not None:
            raise KeyboardInterrupt(f"{name} again: stopping now")
        self.requested = name
        print(f"\n{name}: stopping after this step (send it again to stop at once)", file=sys.stderr, flush=True)

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                try:
                    self._previous[sig] = signal.signal(sig, self._handle)
                except (ValueError, OSError):  # not settable here (embedded interpreter)
                    pass
        return self

    def __exit__(self, *exc) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous = {}
