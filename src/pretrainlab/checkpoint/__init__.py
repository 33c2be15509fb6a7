"""The checkpoint format, on the floor every layer shares: write, find and read checkpoints.

``format.py``: the directory layout, atomic save, load of weights / optimizer / trainer state
(moved from ``train/checkpoint.py``). ``state.py``: ``TrainState`` and the RNG state saved with it
(moved from ``train/state.py``). Imports nothing from the training layer; models, objectives, eval and
export import from here.
"""

from pretrainlab.checkpoint.format import (CheckpointError, damage, list_checkpoints, load_optimizer, load_state,
                                           load_weights, newest_intact, read_model_config, read_weights,
                                           resolve_checkpoint, save_checkpoint)
from pretrainlab.checkpoint.state import TrainState, rng_state, set_rng_state

__all__ = ["CheckpointError", "TrainState", "damage", "list_checkpoints", "newest_intact", "load_optimizer", "load_state", "load_weights", "read_model_config",
           "read_weights", "resolve_checkpoint", "rng_state", "save_checkpoint", "set_rng_state"]
