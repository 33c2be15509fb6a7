"""Token store: tokenized documents packed into memory-mapped shards plus a document index.

Layout of a store directory::

    store.json                      # dtype, eos id, per split/source: tokens, docs, bytes, shards
    <split>/<source>_<k>.bin        # tokens of whole documents, each followed by <|endoftext|>
    <split>/index.npy               # int64 rows (source_id, shard, start, length), one per document

Shards are uint16 when the vocabulary fits, else uint32. The store is built in ``<dir>.tmp`` and renamed
into place at the end, so a half-written store never looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from pretrainlab.data.tokenizer import Tokenizer

ENCODE_BATCH = 512


def _dtype_for(vocab_size: int) -> np.dtype:
    return np.dtype(np.uint16 if vocab_size <= np.iinfo(np.uint16).max + 1 else np.uint32)


class _ShardWriter:
    """Appends documents to ``<source>_<k>.bin`` files, starting a new shard past ``shard_tokens``."""

    def __init__(self, folder: Path, source: str, dtype: np.dtype, shard_tokens: int):
        self.folder, self.source, self.dtype, self.shard_tokens = folder, source, dtype, shard_tokens
        self.shard, self.pos, self.fh = -1, 0, None
        self.shards: list[int] = []  # token count per shard
        self._next_shard()

    def _next_shard(self) -> None:
        if self.fh:
            self.fh.close()
            self.shards.append(self.pos)
        self.shard, self.pos = self.shard + 1, 0
        self.fh = open(self.folder / f"{self.source}_{self.shard:05d}.bin", "wb")

    def add(self, ids: np.ndarray) -> tuple[int, int]:
        if self.pos and self.pos + len(ids) > self.shard_tokens:
            self._next_shard()
        start = self.pos
        self.fh.write(ids.astype(self.dtype, copy=False).tobytes())
        self.pos += len(ids)
        return self.shard, start

    def close(self) -> None:
        self.fh.close()
        self.shards.append(self.pos)


def build_store(
    root: str | Path,
    splits: dict[str, dict[str, Iterable[dict]]],
    tokenizer: Tokenizer,
    shard_tokens: int = 1 << 26,
    progress: Callable[[str, int], None] | None = None,
) -> "TokenStore":
    """Tokenize ``splits[split][source]`` document streams into a store at ``root`` (atomically)."""
    root = Path(root)
    tmp = root.with_name(root.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    dtype = _dtype_for(tokenizer.vocab_size)
    meta = {"version": 1, "dtype": dtype.name, "eos_id": tokenizer.eos_id,
            "vocab_size": tokenizer.vocab_size, "splits": {}}
    for split, sources in splits.items():
        (tmp / split).mkdir()
        rows: list[tuple[int, int, int, int]] = []
        info = {}
        for source_id, (name, docs) in enumerate(sources.items()):
            writer = _ShardWriter(tmp / split, name, dtype, shard_tokens)
            n_docs = n_bytes = 0
            for batch in _batches(docs, ENCODE_BATCH):
                texts = [d["text"] for d in batch]
                for ids in tokenizer.encode_batch(texts):
                    arr = np.asarray(ids + [tokenizer.eos_id], dtype=np.int64)
                    shard, start = writer.add(arr)
                    rows.append((source_id, shard, start, len(arr)))
                n_docs += len(texts)
                n_bytes += sum(len(t.encode("utf-8")) for t in texts)
                if progress:
                    progress(f"{split}/{name}", len(texts))
            writer.close()
            info[name] = {"id": source_id, "docs": n_docs, "bytes": n_bytes,
                          "tokens": int(sum(writer.shards)), "shards": writer.shards}
        np.save(tmp / split / "index.npy", np.asarray(rows, dtype=np.int64).reshape(-1, 4))
        meta["splits"][split] = info
    (tmp / "store.json").write_text(json.dumps(meta, indent=1))
    if root.exists():
        shutil.rmtree(root)
    os.replace(tmp, root)
    return TokenStore(root)


def _batches(items: Iterable[dict], n: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


class TokenStore:
    """Read side: memory-mapped shards per (split, source)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        meta_path = self.root / "store.json"
        if not meta_path.exists():
            raise FileNotFoundError(f"{self.root}: not a token store (no store.json); build it with "
                                    "`pretrainlab data prepare`")
        self.meta = json.loads(meta_path.read_text())
        self.dtype = np.dtype(self.meta["dtype"])
        self.eos_id = self.meta["eos_id"]
        self._maps: dict[tuple[str, str], list[np.memmap]] = {}

    def splits(self) -> list[str]:
        return list(self.meta["splits"])

    def sources(self, split: str) -> list[str]:
        return list(self.meta["splits"].get(split, {}))

    def info(self, split: str, source: str) -> dict:
        return self.meta["splits"][split][source]

    def shards(self, split: str, source: str) -> list[np.memmap]:
        key = (split, source)
        if key not in self._maps:
            counts = self.info(split, source)["shards"]
            self._maps[key] = [
                np.memmap(self.root / split / f"{source}_{k:05d}.bin", dtype=self.dtype, mode="r", shape=(n,))
                if n else np.zeros(0, dtype=self.dtype)
                for k, n in enumerate(counts)
            ]
        return self._maps[key]

    def index(self, split: str) -> np.ndarray:
        """(n_docs, 4) int64: source_id, shard, start, length."""
        return np.load(self.root / split / "index.npy")

    def summary(self) -> dict:
        return {split: {name: {k: v for k, v in info.items() if k != "shards"} | {"shards": len(info["shards"])}
                        for name, info in sources.items()}
                for split, sources in self.meta["splits"].items()}
