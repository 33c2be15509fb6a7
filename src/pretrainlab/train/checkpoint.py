"""Moved to ``pretrainlab.checkpoint`` (checkpoint/format.py); this path re-exports it for one release."""

from pretrainlab.checkpoint.format import (FULL, STEP_DIR, TrainState, list_checkpoints, load_optimizer,  # noqa: F401
                                           load_state, load_weights, read_model_config, resolve_checkpoint,
                                           rng_state, save_checkpoint)  # re-export, moved to checkpoint/format.py
