"""``minhash_dedup``: near-duplicate removal with MinHash LSH (``datasketch``, optional extra).

Each document becomes the set of its word 5-grams (lowercase ``\\w+`` words; a document shorter
than ``n_grams`` words is one shingle), hashed with CRC32 (``hash_fn: sha1`` for datasketch's
default; datasketch 2's ``affine32`` scheme pre-mixes the input hash, so CRC32 is enough and 3x
faster) into a MinHash of ``num_buckets * hashes_per_bucket`` permutations. Defaults are datatrove's
``MinhashConfig``: 14 bands x 8 rows = 112 permutations, seed 1; two documents become candidates
with probability 1-(1-s^8)^14 (0.57 at Jaccard 0.7, 0.92 at 0.8).

Documents are processed in order: each is queried against the LSH index of all earlier documents,
then inserted (dropped ones too, so clusters are transitive, as datatrove's union-find over bucket
matches). A document with a candidate is dropped with reason ``minhash_duplicate``, so the first of
each cluster is kept. ``jaccard_threshold`` optionally requires the estimated Jaccard with some
candidate to reach it (fewer false positives, more memory). A *global* step (second phase).

Needs ``pip install 'pretrainlab[dedup]'`` (``datasketch>=2``); imported when the step is built.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Literal

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import StepConfig, StepStats
from pretrainlab.data.curate.exact_dedup import DedupStep

_WORD = re.compile(r"\w+")


@dataclass
class MinHashDedupConfig(StepConfig):
    n_grams: int = 5
    num_buckets: int = 14
    """LSH bands."""
    hashes_per_bucket: int = 8
    """Rows per band."""
    seed: int = 1
    hash_fn: Literal["crc32", "sha1"] = "crc32"
    jaccard_threshold: float | None = None
    """If set, a candidate only counts when its estimated Jaccard is at least this."""

    def validate(self) -> None:
        if min(self.n_grams, self.num_buckets, self.hashes_per_bucket) < 1:
            raise ConfigError("minhash_dedup: n_grams, num_buckets and hashes_per_bucket must be >= 1")


def import_datasketch():
    try:
        import datasketch
    except ImportError:
        raise ConfigError("minhash_dedup needs datasketch: pip install 'pretrainlab[dedup]' "
                          "(or pip install 'datasketch>=2')") from None
    return datasketch


def shingles(text: str, n: int) -> set[bytes]:
    """Word ``n``-gram shingles of ``text`` (lowercase), as UTF-8 bytes."""
    ws = _WORD.findall(text.lower())
    return {" ".join(ws[i:i + n]).encode("utf-8") for i in range(max(1, len(ws) - n + 1))}


class MinHashDedup(DedupStep):
    """Drop near-duplicates of earlier documents (see the module docstring)."""

    name = "minhash_dedup"
    Config = MinHashDedupConfig
    reason = "minhash_duplicate"

    def __init__(self, cfg: MinHashDedupConfig | None = None):
        super().__init__(cfg)
        ds = import_datasketch()
        cfg = self.cfg
        self._ds = ds
        self.num_perm = cfg.num_buckets * cfg.hashes_per_bucket
        self._perms = ds.MinHash(num_perm=self.num_perm, seed=cfg.seed).permutations
        self._hash = zlib.crc32 if cfg.hash_fn == "crc32" else ds.hashfunc.sha1_hash32
        self.lsh = ds.MinHashLSH(num_perm=self.num_perm,
                                 params=(cfg.num_buckets, cfg.hashes_per_bucket))
        self._sketches: list = []
        self._n = 0

    def minhash(self, text: str):
        m = self._ds.MinHash(num_perm=self.num_perm, seed=self.cfg.seed, hashfunc=self._hash,
                             permutations=self._perms, scheme="affine32")
        m.update_batch(list(shingles(text, self.cfg.n_grams)))
        return m

    def is_duplicate(self, doc: dict, stats: StepStats) -> bool:
        m = self.minhash(doc["text"])
        candidates = self.lsh.query(m)
        thr = self.cfg.jaccard_threshold
        if thr is not None:
            candidates = [c for c in candidates if self._sketches[c].jaccard(m) >= thr]
            self._sketches.append(m)
        self.lsh.insert(self._n, m, check_duplication=False)
        self._n += 1
        if candidates:
            stats.count("candidates", len(candidates))
        return bool(candidates)
