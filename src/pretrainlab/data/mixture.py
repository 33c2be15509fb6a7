"""Mixture v1: fixed-length sequences sampled from named sources with weights.

The batch at step ``s`` is a pure function of ``(seed, s)``: a fresh numpy generator seeded with
``[seed, s]`` picks, for each row, a source (by weight), a shard (by length) and a window start. Resume
therefore needs no iterator replay, and rank ``r`` of ``w`` takes rows ``r::w`` of the same global batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from pretrainlab.data.store import TokenStore


@dataclass
class Window:
    source: int
    shard: int
    start: int


class Mixture:
    """Samples (B, T+1) token windows from ``store`` split ``split`` with ``weights`` per source."""

    def __init__(self, store: TokenStore, weights: dict[str, float], seq_len: int, seed: int, split: str = "train"):
        available = store.sources(split)
        unknown = [n for n in weights if n not in available]
        if unknown:
            raise ValueError(f"mixture weights name unknown sources {unknown}; the store has {available}")
        self.names = [n for n in weights if weights[n] > 0]
        if not self.names:
            raise ValueError("mixture: every source weight is 0")
        w = np.array([weights[n] for n in self.names], dtype=np.float64)
        self.probs = w / w.sum()
        self.seq_len, self.seed = seq_len, seed
        self.shards = [store.shards(split, n) for n in self.names]
        self.shard_probs = []
        for name, shards in zip(self.names, self.shards):
            usable = np.array([max(len(s) - seq_len - 1, 0) for s in shards], dtype=np.float64)
            if usable.sum() == 0:
                raise ValueError(f"source '{name}' has fewer than seq_len+1={seq_len + 1} tokens in one shard; "
                                 f"add data or lower data.seq_len")
            self.shard_probs.append(usable / usable.sum())

    def windows(self, step: int, batch_size: int) -> list[Window]:
        rng = np.random.default_rng([self.seed, step])
        src = rng.choice(len(self.names), size=batch_size, p=self.probs)
        out = []
        for s in src:
            shard = int(rng.choice(len(self.shards[s]), p=self.shard_probs[s]))
            start = int(rng.integers(0, len(self.shards[s][shard]) - self.seq_len - 1 + 1))
            out.append(Window(int(s), shard, start))
        return out

    def batch(self, step: int, batch_size: int, rank: int = 0, world_size: int = 1,
              micro: int = 0, n_micro: int = 1) -> torch.Tensor:
        """Rows ``rank::world_size`` of the global batch of ``batch_size`` at ``step``, then micro-batch
        ``micro`` of ``n_micro`` of those: (B / world / n_micro, T+1) int64. The global batch is the same
        whatever the rank count or gradient accumulation."""
        rows = self.windows(step, batch_size)[rank::world_size]
        k = len(rows) // n_micro
        rows = rows[micro * k:(micro + 1) * k]
        T1 = self.seq_len + 1
        arr = np.stack([np.asarray(self.shards[w.source][w.shard][w.start:w.start + T1], dtype=np.int64)
                        for w in rows])
        return torch.from_numpy(arr)

    def source_counts(self, step: int, batch_size: int) -> dict[str, int]:
        counts = dict.fromkeys(self.names, 0)
        for w in self.windows(step, batch_size):
            counts[self.names[w.source]] += 1
        return counts


def val_windows(store: TokenStore, split: str, source: str, seq_len: int, max_tokens: int) -> torch.Tensor:
    """Contiguous non-overlapping (N, T+1) windows from the start of a source: a fixed validation set."""
    T1 = seq_len + 1
    rows = []
    budget = max(max_tokens // seq_len, 1)
    for shard in store.shards(split, source):
        for start in range(0, len(shard) - T1 + 1, seq_len):
            rows.append(np.asarray(shard[start:start + T1], dtype=np.int64))
            if len(rows) >= budget:
                return torch.from_numpy(np.stack(rows))
    if not rows:
        raise ValueError(f"validation source '{source}' has fewer than {T1} tokens; add validation data "
                         "or lower data.seq_len")
    return torch.from_numpy(np.stack(rows))
