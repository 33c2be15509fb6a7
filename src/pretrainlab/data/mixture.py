"""Mixture: fixed-length sequences sampled from named sources by weight, with stages and repetition caps.

The batch at step ``s`` is a pure function of ``(seed, s)``: a fresh numpy generator seeded with
``[seed, s]`` picks, for each row, a source (by the step's weights), a shard (by length) and a window
start. Resume therefore needs no iterator replay, and rank ``r`` of ``w`` takes rows ``r::w`` of the same
global batch.

Mixture v2 (curricula and repetition):

* **stages**: a list of ``MixtureStage(weights, until_step | until_tokens)``; the stage active at step s
  sets the weights (the last stage runs to the end). Replaying an earlier corpus at a ratio is a stage
  (or plain) weight on that source, e.g. ``{new: 0.9, old: 0.1}``.
* **max_epochs**: per-source repetition caps. Consumption is accounted in *expected* tokens
  (weight share x batch tokens per step), precomputed for every step, so a capped source drops out at the
  same step on every run and resume; its share goes to the other sources of the stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from pretrainlab.data.store import TokenStore


@dataclass
class MixtureStage:
    """One curriculum stage: its weights hold while ``step < until_step`` (or tokens < ``until_tokens``)."""

    weights: dict[str, float]
    until_step: int | None = None
    until_tokens: int | None = None


@dataclass
class OrderConfig:
    """Curriculum by document score (competence-based, Platanios et al. 2019): at step s, documents are
    drawn only from the easiest fraction c(s) = min(1, start_frac + (1 - start_frac) * s / (full_at * steps))
    of each ordered source; a window starts at the drawn document."""

    by: str = "length"
    """``length`` (tokens per document) or ``file`` (a ``.npy`` of one score per document, per source)."""
    sources: list[str] = field(default_factory=list)
    """Sources to order (default: all)."""
    path: str | None = None
    """by=file: a folder holding ``<source>.npy`` (scores in the source's document order)."""
    descending: bool = False
    start_frac: float = 0.2
    full_at: float = 0.5
    """Fraction of the run after which every document is available."""


@dataclass
class Window:
    source: int
    shard: int
    start: int


class Mixture:
    """Samples (B, T+1) token windows from ``store`` split ``split``.

    ``weights`` (static) or ``stages`` (curriculum) choose sources; ``max_epochs`` caps repetition, which
    needs ``batch_size`` and ``total_steps`` to precompute the per-step source probabilities.
    """

    def __init__(self, store: TokenStore, weights: dict[str, float] | None, seq_len: int, seed: int,
                 split: str = "train", stages: list[MixtureStage] | None = None,
                 max_epochs: dict[str, float] | None = None, batch_size: int = 0, total_steps: int = 0,
                 insertions=None, order: OrderConfig | None = None):
        stages = stages or [MixtureStage(weights or {})]
        available = store.sources(split)
        named = {n for st in stages for n in st.weights} | set(max_epochs or {})
        unknown = sorted(named - set(available))
        if unknown:
            raise ValueError(f"mixture names unknown sources {unknown}; the store has {available}")
        self.names = [n for n in available if any(st.weights.get(n, 0) > 0 for st in stages)]
        if not self.names:
            raise ValueError("mixture: every source weight is 0")
        self.seq_len, self.seed = seq_len, seed
        self.shards = [store.shards(split, n) for n in self.names]
        self.shard_probs = [self._shard_probs(n, s) for n, s in zip(self.names, self.shards)]
        self.sizes = np.array([sum(len(s) for s in shards) for shards in self.shards], dtype=np.float64)
        self.stages, self.max_epochs = stages, dict(max_epochs or {})
        self.tokens_per_step = batch_size * seq_len
        self.total_steps = total_steps
        self.order = order
        self.doc_order = self._doc_order(store, split, order) if order else {}
        self.insertions = insertions
        """An ``InsertionPlan`` (data/insertions.py) applied to every batch, or None."""
        self.table = self._plan(total_steps) if (len(stages) > 1 or self.max_epochs) else None
        if self.table is None:
            w = np.array([stages[0].weights.get(n, 0.0) for n in self.names], dtype=np.float64)
            self.static = w / w.sum()

    def _doc_order(self, store: TokenStore, split: str, order: OrderConfig) -> dict[int, np.ndarray]:
        """source index -> (n_docs, 2) rows (shard, start) sorted easiest first."""
        index = store.index(split)
        all_names = store.sources(split)
        out = {}
        for i, name in enumerate(self.names):
            if order.sources and name not in order.sources:
                continue
            docs = index[index[:, 0] == all_names.index(name)]
            if order.by == "length":
                score = docs[:, 3].astype(np.float64)
            elif order.by == "file":
                score = np.load(Path(order.path or ".") / f"{name}.npy")
                if len(score) != len(docs):
                    raise ValueError(f"{order.path}/{name}.npy has {len(score)} scores; source '{name}' has "
                                     f"{len(docs)} documents")
            else:
                raise ValueError(f"data.order.by: '{order.by}' is not one of length, file")
            ranks = np.argsort(-score if order.descending else score, kind="stable")
            out[i] = docs[ranks][:, 1:3]
        return out

    def competence(self, step: int) -> float:
        o = self.order
        horizon = max(1.0, o.full_at * max(self.total_steps, 1))
        return min(1.0, o.start_frac + (1 - o.start_frac) * step / horizon)

    def _shard_probs(self, name: str, shards) -> np.ndarray:
        usable = np.array([max(len(s) - self.seq_len - 1, 0) for s in shards], dtype=np.float64)
        if usable.sum() == 0:
            raise ValueError(f"source '{name}' has fewer than seq_len+1={self.seq_len + 1} tokens in one shard; "
                             f"add data or lower data.seq_len")
        return usable / usable.sum()

    def _stage_at(self, step: int) -> MixtureStage:
        for st in self.stages[:-1]:
            end = st.until_step if st.until_step is not None else (st.until_tokens or 0) // max(self.tokens_per_step, 1)
            if step < end:
                return st
        return self.stages[-1]

    def _plan(self, total_steps: int) -> np.ndarray:
        """(total_steps, n_sources) source probabilities with stages and caps applied."""
        if total_steps <= 0 or self.tokens_per_step <= 0:
            raise ValueError("mixture stages/max_epochs need batch_size and total_steps")
        caps = np.array([self.max_epochs.get(n, np.inf) for n in self.names]) * self.sizes
        used = np.zeros(len(self.names))
        table = np.zeros((total_steps, len(self.names)))
        for step in range(total_steps):
            st = self._stage_at(step)
            w = np.array([st.weights.get(n, 0.0) for n in self.names], dtype=np.float64)
            w[used >= caps] = 0.0
            if w.sum() == 0:
                exhausted = [n for n, u, c in zip(self.names, used, caps) if u >= c]
                raise ValueError(f"mixture: at step {step} every source of the active stage is exhausted by "
                                 f"data.max_epochs ({exhausted}); raise the caps, add data or train fewer steps")
            table[step] = w / w.sum()
            used += table[step] * self.tokens_per_step
        return table

    def probs(self, step: int) -> np.ndarray:
        if self.table is None:
            return self.static
        return self.table[min(step, len(self.table) - 1)]

    def windows(self, step: int, batch_size: int) -> list[Window]:
        """The global batch's windows at ``step`` (memoized: micro-batches, ranks and the mixture logger
        all ask for the same step)."""
        key = (step, batch_size)
        if getattr(self, "_memo_key", None) != key:
            self._memo_key, self._memo = key, self._draw(step, batch_size)
        return self._memo

    def _draw(self, step: int, batch_size: int) -> list[Window]:
        rng = np.random.default_rng([self.seed, step])
        src = rng.choice(len(self.names), size=batch_size, p=self.probs(step))
        out = []
        for s in src:
            if s in self.doc_order:  # curriculum: a document among the easiest c(step) fraction
                docs = self.doc_order[s]
                shard, start = docs[int(rng.integers(0, max(1, int(self.competence(step) * len(docs)))))]
                start = min(int(start), len(self.shards[s][shard]) - self.seq_len - 1)
                out.append(Window(int(s), int(shard), start))
                continue
            shard = int(rng.choice(len(self.shards[s]), p=self.shard_probs[s]))
            start = int(rng.integers(0, len(self.shards[s][shard]) - self.seq_len))
            out.append(Window(int(s), shard, start))
        return out

    def _rows(self, step: int, batch_size: int, rank: int, world_size: int, micro: int, n_micro: int):
        """(global row ids, windows) of this rank's micro-batch."""
        ids = list(range(batch_size))[rank::world_size]
        rows = self.windows(step, batch_size)[rank::world_size]
        k = len(rows) // n_micro
        return ids[micro * k:(micro + 1) * k], rows[micro * k:(micro + 1) * k]

    def batch(self, step: int, batch_size: int, rank: int = 0, world_size: int = 1,
              micro: int = 0, n_micro: int = 1) -> torch.Tensor:
        """Rows ``rank::world_size`` of the global batch of ``batch_size`` at ``step``, then micro-batch
        ``micro`` of ``n_micro`` of those: (B / world / n_micro, T+1) int64. The global batch is the same
        whatever the rank count or gradient accumulation."""
        T1 = self.seq_len + 1
        ids, rows = self._rows(step, batch_size, rank, world_size, micro, n_micro)
        arr = np.stack([np.asarray(self.shards[w.source][w.shard][w.start:w.start + T1], dtype=np.int64)
                        for w in rows])
        if self.insertions is not None:
            arr = self.insertions.apply(step, arr, ids)
        return torch.from_numpy(arr)

    def row_sources(self, step: int, batch_size: int) -> list[str]:
        """Source name of every row of the global batch at ``step`` (for per-source accounting)."""
        return [self.names[w.source] for w in self.windows(step, batch_size)]

    def source_counts(self, step: int, batch_size: int) -> dict[str, int]:
        counts = dict.fromkeys(self.names, 0)
        for name in self.row_sources(step, batch_size):
            counts[name] += 1
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
