"""Which domain each document gets, and which article or QA facts each slot covers.

``SplitPlan`` draws every document's domain from ``mix`` with that document's own RNG (its first
draw) and numbers the documents of each domain in order ("slots"). Drawing the domains of all docs
costs about 5 microseconds each and happens once, when the world is built; afterwards any document
can be generated alone.

``Cycle`` maps slots to items so coverage is guaranteed rather than left to chance: pass 0 visits
every item once in a shuffled order, pass 1 again in a new order, and so on. Encyclopedia slots
cycle over all people, cities and companies (so each person's bio appears once per pass, with
phrasing ``pass % bio_multiplicity``); QA slots cycle over chunks of the in-pretrain QA facts.
"""

from __future__ import annotations

import math
from array import array
from random import Random
from typing import Generic, Sequence, TypeVar

from pretrainlab.seeding import make_rng, pick_weighted, shuffled

T = TypeVar("T")


def doc_rng(seed: int, split: str, i: int) -> Random:
    """The per-document RNG; its first draw picks the domain."""
    return make_rng(seed, "doc", split, i)


class SplitPlan:
    """Domain and slot of every document of one split."""

    def __init__(self, seed: int, split: str, n_docs: int, cum_weights: Sequence[float]):
        self.domain = array("b", bytes(n_docs))
        self.slot = array("l", [0] * n_docs)
        self.counts = [0] * len(cum_weights)
        for i in range(n_docs):
            d = pick_weighted(doc_rng(seed, split, i), cum_weights)
            self.domain[i] = d
            self.slot[i] = self.counts[d]
            self.counts[d] += 1

    def __len__(self) -> int:
        return len(self.domain)


class Cycle(Generic[T]):
    """Slots -> chunks of ``items``; each pass over the items uses a fresh shuffle."""

    def __init__(self, items: Sequence[T], chunk: int, *seed_parts: object):
        self.items = list(items)
        self.n_chunks = max(1, math.ceil(len(self.items) / chunk))
        self.seed_parts = seed_parts
        self._perms: dict[int, list[T]] = {}

    def _perm(self, pass_: int) -> list[T]:
        if pass_ not in self._perms:
            self._perms[pass_] = shuffled(self.items, *self.seed_parts, pass_)
        return self._perms[pass_]

    def chunk(self, slot: int) -> tuple[list[T], int]:
        """(the items of ``slot``, its pass number)."""
        pass_, k = divmod(slot, self.n_chunks)
        n = len(self.items)
        lo, hi = k * n // self.n_chunks, (k + 1) * n // self.n_chunks
        return self._perm(pass_)[lo:hi], pass_

    def covered(self, n_slots: int) -> list[T]:
        """Items visited at least once by slots ``0 .. n_slots-1`` (in pass-0 order)."""
        if n_slots >= self.n_chunks:
            return list(self._perm(0))
        return self._perm(0)[: n_slots * len(self.items) // self.n_chunks]
