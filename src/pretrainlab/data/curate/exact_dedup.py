"""``exact_dedup``: drop documents whose normalized text was seen before (keep the first).

The key is an 8-byte blake2b digest of the text after NFKC normalization, lowercasing (unless
``lowercase: false``) and collapsing all whitespace runs to one space, so copies that differ only in
case or spacing are caught (datatrove's ``ExactDedupSignature`` hashes a similar simplified text).
Drop reason: ``exact_duplicate``. A *global* step: it must see every document, so the runner runs
it in its single-process second phase; the first occurrence in shard order is kept.

:class:`DedupStep` (shared with ``minhash_dedup``) also scores decisions against the world's
duplicate clusters (``meta.dup_of`` or else ``meta.id``), independent of which copy comes first:
``gt_redundant`` counts documents whose cluster was already seen, ``gt_dropped_redundant`` and
``gt_dropped_unique`` split the drops; the report turns them into cluster precision and recall.
"""

from __future__ import annotations

import abc

import hashlib
import unicodedata
from dataclasses import dataclass

from pretrainlab.data.curate.base import Step, StepConfig, StepStats


@dataclass
class ExactDedupConfig(StepConfig):
    lowercase: bool = True
    """Compare texts case-insensitively."""


def text_key(text: str, lowercase: bool = True) -> bytes:
    """Digest of the normalized text."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if lowercase:
        text = text.lower()
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


class DedupStep(Step):
    """A global step that drops duplicates; ``is_duplicate`` decides, ``apply`` keeps the score."""

    target = "dup"
    scope = "global"

    def __init__(self, cfg: StepConfig | None = None):
        super().__init__(cfg)
        self._clusters: set[str] = set()

    @abc.abstractmethod
    def is_duplicate(self, doc: dict, stats: StepStats) -> bool:
        """True if ``doc`` duplicates a document seen earlier (and remember it otherwise)."""

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        dup = self.is_duplicate(doc, stats)
        meta = doc["meta"]
        if "dup_of" in meta and meta.get("id") is not None:
            cluster = str(meta["dup_of"] if meta["dup_of"] is not None else meta["id"])
            redundant = cluster in self._clusters
            self._clusters.add(cluster)
            if redundant:
                stats.count("gt_redundant")
            if dup:
                stats.count("gt_dropped_redundant" if redundant else "gt_dropped_unique")
        return self.reason if dup else None

    reason = "duplicate"


class ExactDedup(DedupStep):
    """Keep the first document of each normalized-text hash."""

    name = "exact_dedup"
    Config = ExactDedupConfig
    reason = "exact_duplicate"

    def __init__(self, cfg: ExactDedupConfig | None = None):
        super().__init__(cfg)
        self.seen: set[bytes] = set()

    def is_duplicate(self, doc: dict, stats: StepStats) -> bool:
        key = text_key(doc["text"], self.cfg.lowercase)
        if key in self.seen:
            return True
        self.seen.add(key)
        return False
