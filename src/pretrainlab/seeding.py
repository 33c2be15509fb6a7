"""Deterministic seeding, shared by the worlds, optim/lowrank.py and anything else that draws at random.

Every random choice comes from a ``random.Random`` seeded by ``derive_seed(...)``, a blake2b digest of
the ``repr`` of its parts. The built-in ``hash()`` is never used (it is salted per process), and nothing
iterates over a set, so the same config gives byte-identical output on every run and platform. Because
each text-world document has its own seed (``seed, "doc", split, i``), any slice of the corpus can be
generated alone, in any order.

Base layer (imports nothing from pretrainlab). Moved here from ``worlds/text/seeding.py``, which
re-exports it for one release.
"""

from __future__ import annotations

import bisect
import itertools
from hashlib import blake2b
from random import Random
from typing import Sequence, TypeVar

T = TypeVar("T")


def derive_seed(*parts: object) -> int:
    """64-bit seed from ``parts`` (ints, strings, tuples of them); stable across processes."""
    digest = blake2b(repr(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def make_rng(*parts: object) -> Random:
    """A fresh ``Random`` seeded by ``derive_seed(*parts)``."""
    return Random(derive_seed(*parts))


def cumulative(weights: Sequence[float]) -> list[float]:
    """Running sums of ``weights``, for repeated ``pick_weighted`` calls."""
    return list(itertools.accumulate(weights))


def pick_weighted(rng: Random, cum: Sequence[float]) -> int:
    """Index drawn with probability proportional to the steps of ``cum`` (one ``rng.random()``)."""
    x = rng.random() * cum[-1]
    return min(bisect.bisect_right(cum, x), len(cum) - 1)


def shuffled(items: Sequence[T], *parts: object) -> list[T]:
    """A copy of ``items`` shuffled by ``make_rng(*parts)``."""
    out = list(items)
    make_rng(*parts).shuffle(out)
    return out

