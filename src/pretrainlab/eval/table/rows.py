"""Fine-tuning sets of a held-out table: ``n`` rows of its train pool, nested across row counts.

The train pool of table ``t`` is permuted by ``derive_seed(seed, "finetune-rows", t)``; the first row of
each class is moved to the front, so every set holds both classes, and the set of ``n`` rows is the first
``n`` of that order (the 32-row set is inside the 128-row set). Different seeds draw different sets; every
learner (fine-tuned model, GBDT) of a seed gets the same rows.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.seeding import derive_seed
from pretrainlab.worlds.table.encode import EncodedTables


def finetune_rows(enc: EncodedTables, table: int, n: int, seed: int) -> np.ndarray:
    pool = enc.rows(table, test=False)
    if n > len(pool):
        raise ValueError(f"eval.row_counts: {n} rows asked of table {table}, whose train pool has {len(pool)}; "
                         f"lower eval.row_counts or raise data.world.downstream_train_rows")
    order = pool[np.random.default_rng(derive_seed(seed, "finetune-rows", table) >> 1).permutation(len(pool))]
    y = enc.y[order]
    firsts = [int(np.argmax(y == c)) for c in (0, 1) if (y == c).any()]
    front = sorted(set(firsts))
    order = np.concatenate([order[front], np.delete(order, front)])
    return order[:n]
