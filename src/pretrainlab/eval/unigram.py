"""Unigram baseline: the loss of predicting every token from its training-set frequency.

A model that has learned anything beyond token frequencies must beat this; the quickstart checks it.
Add-one (Laplace) smoothing keeps unseen tokens finite.
"""

from __future__ import annotations

import math

import numpy as np


def unigram_counts(shards: list[np.ndarray], vocab_size: int, max_tokens: int = 50_000_000) -> np.ndarray:
    counts = np.zeros(vocab_size, dtype=np.int64)
    seen = 0
    for shard in shards:
        take = np.asarray(shard[: max(0, max_tokens - seen)], dtype=np.int64)
        counts += np.bincount(take, minlength=vocab_size)[:vocab_size]
        seen += len(take)
    return counts


def unigram_loss(counts: np.ndarray, targets: np.ndarray, token_bytes: np.ndarray | None = None) -> dict:
    probs = (counts + 1) / (counts.sum() + len(counts))
    nll = -np.log(probs[targets])
    out = {"loss": float(nll.mean())}
    if token_bytes is not None:
        out["bpb"] = float(nll.sum() / (math.log(2) * max(int(token_bytes[targets].sum()), 1)))
    return out
