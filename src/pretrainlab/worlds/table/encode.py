"""Tables as model inputs: a word-level vocabulary and padded cell arrays.

``Vocab``: the world's words (column-name words and category words, ``concepts.world_words``) plus
``buckets`` hash buckets: a word outside the vocabulary (a user's column name or category) gets bucket
``blake2b(word) % buckets``, so distinct unknown categories stay (mostly) distinct and the vocabulary
size, hence the checkpoint, never depends on a user's file. Column names are lower-cased and split on
non-alphanumerics into at most ``NAME_LEN`` tokens; a category value is one token (lower-cased).

``EncodedTables`` (numpy; T tables, N rows, C = the widest table's columns, L = ``NAME_LEN``)::

    names (T, C, L) int64   column-name tokens, 0 = pad      kinds (T, C) int8  0 pad, 1 numeric, 2 categorical
    num   (N, C) float32    z-scored numeric value (0 else)  cat   (N, C) int64 category token (0 else)
    miss  (N, C) bool       missing cell                      table (N,) int64, y (N,) int64 (-1: none)
    test  (N,) bool         a test row of its table

Numeric cells are z-scored per table column with the mean and std of that column's train rows (labels
are never used) and clipped to [-5, 5].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from hashlib import blake2b

import numpy as np

from pretrainlab.worlds.table.concepts import MISSING, PAD, world_words
from pretrainlab.worlds.table.table import Table

NAME_LEN = 4
BUCKETS = 64
CLIP = 5.0


class Vocab:
    """Word -> id: the world's words, then ``buckets`` hash buckets for every other word."""

    def __init__(self, words: list[str], buckets: int = BUCKETS):
        self.words, self.buckets = list(words), buckets
        self.index = {w: i for i, w in enumerate(self.words)}

    @classmethod
    def world(cls) -> "Vocab":
        return cls(world_words())

    def __len__(self) -> int:
        return len(self.words) + self.buckets

    def id(self, word: str) -> int:
        word = word.lower()
        if word in self.index:
            return self.index[word]
        h = int.from_bytes(blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")
        return len(self.words) + h % self.buckets

    def name_ids(self, name: str) -> list[int]:
        toks = [t for t in re.split(r"[^0-9a-z]+", name.lower()) if t][:NAME_LEN]
        return [self.id(t) for t in toks] + [PAD] * (NAME_LEN - len(toks))

    def to_json(self) -> dict:
        return {"words": self.words, "buckets": self.buckets, "name_len": NAME_LEN}


@dataclass
class EncodedTables:
    names: np.ndarray
    kinds: np.ndarray
    num: np.ndarray
    cat: np.ndarray
    miss: np.ndarray
    table: np.ndarray
    y: np.ndarray
    test: np.ndarray

    def __len__(self) -> int:
        return len(self.table)

    def rows(self, table: int, test: bool) -> np.ndarray:
        """Row indices of one table's train pool (in order) or test rows."""
        return np.flatnonzero((self.table == table) & (self.test == test))

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}/{f.name}": getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_arrays(cls, z, prefix: str) -> "EncodedTables":
        return cls(**{f.name: z[f"{prefix}/{f.name}"] for f in fields(cls)})


def _normalise(v: np.ndarray, train: np.ndarray) -> np.ndarray:
    ref = v[train][~np.isnan(v[train])]
    mean, std = (float(ref.mean()), float(ref.std())) if len(ref) else (0.0, 1.0)
    out = (v - mean) / (std if std > 1e-12 else 1.0)
    return np.clip(np.nan_to_num(out, nan=0.0), -CLIP, CLIP).astype(np.float32)


def encode(tables: list[Table], vocab: Vocab, width: int | None = None) -> EncodedTables:
    """Pad every table to ``width`` columns (default: the widest) and stack their rows."""
    C = width or max((len(t.columns) for t in tables), default=1)
    T, N = len(tables), sum(t.n_rows for t in tables)
    out = EncodedTables(np.zeros((T, C, NAME_LEN), np.int64), np.zeros((T, C), np.int8), np.zeros((N, C), np.float32),
                        np.zeros((N, C), np.int64), np.zeros((N, C), bool), np.zeros(N, np.int64),
                        np.full(N, -1, np.int64), np.zeros(N, bool))
    start = 0
    for ti, t in enumerate(tables):
        if len(t.columns) > C:
            raise ValueError(f"table '{t.name}' has {len(t.columns)} columns, more than the {C} this encoding holds")
        n, rows = t.n_rows, slice(start, start + t.n_rows)
        train = np.arange(n) < t.train_rows()
        for j, (name, kind, v) in enumerate(zip(t.columns, t.kinds, t.values)):
            out.names[ti, j] = vocab.name_ids(name)
            if kind == "numeric":
                out.kinds[ti, j] = 1
                out.miss[rows, j] = np.isnan(v)
                out.num[rows, j] = _normalise(v, train)
            else:
                out.kinds[ti, j] = 2
                out.miss[rows, j] = np.array([x is None for x in v])
                out.cat[rows, j] = [MISSING if x is None else vocab.id(str(x)) for x in v]
        out.table[rows], out.test[rows] = ti, ~train
        if t.y is not None:
            out.y[rows] = t.y
        start += n
    return out
