"""Batches of table rows: which rows a step sees, and the tensors the TabUnit encoder reads.

``sample_rows(seed, step, batch_size, pool)``: positions ``step * B + j`` walk seeded per-epoch
permutations of ``pool`` (row indices), so the batch of a step is a pure function of (seed, step) and a
resumed run sees exactly the rows it would have seen. ``gather(enc, rows)`` builds the batch dict (shapes
in worlds/table/encode.py): ``names`` and ``kinds`` come from each row's table, the cells from the row;
columns past the widest table of the batch are cut. ``rng_seed`` = ``derive_seed(seed, "cells", step,
micro)`` seeds the objective's cell masks and views.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from pretrainlab.seeding import derive_seed
from pretrainlab.worlds.table.encode import EncodedTables


@lru_cache(maxsize=4)
def _epoch_perm(seed: int, epoch: int, n: int) -> np.ndarray:
    return np.random.default_rng([seed, epoch, n]).permutation(n)


def sample_rows(seed: int, step: int, batch_size: int, pool: np.ndarray) -> np.ndarray:
    """Rows of ``pool`` for step ``step`` (seeded per-epoch permutations, no repeats within an epoch)."""
    n = len(pool)
    pos = step * batch_size + np.arange(batch_size)
    return np.array([pool[_epoch_perm(seed, int(p // n), n)[p % n]] for p in pos], dtype=np.int64)


def gather(enc: EncodedTables, rows: np.ndarray, device: torch.device | str = "cpu") -> dict:
    """The batch dict of ``rows``: names (B, C, L), kinds (B, C), num, cat, miss (B, C), y (B,)."""
    t = enc.table[rows]
    kinds = enc.kinds[t]
    width = max(1, int((kinds != 0).sum(1).max())) if len(rows) else 1
    arrays = {"names": enc.names[t][:, :width], "kinds": kinds[:, :width].astype(np.int64),
              "num": enc.num[rows][:, :width], "cat": enc.cat[rows][:, :width], "miss": enc.miss[rows][:, :width],
              "y": enc.y[rows]}
    return {k: torch.from_numpy(np.ascontiguousarray(v)).to(device) for k, v in arrays.items()}


def batch_seed(seed: int, step: int, micro: int) -> int:
    """The seed of a micro-batch's cell masks and views (63 bits, fits torch.Generator)."""
    return derive_seed(seed, "cells", step, micro) >> 1
