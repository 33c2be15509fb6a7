"""Moved to ``pretrainlab.checkpoint`` (checkpoint/state.py); this path re-exports it for one release."""

from pretrainlab.checkpoint.state import TrainState, rng_state, set_rng_state  # noqa: F401  re-export, moved to checkpoint/state.py
