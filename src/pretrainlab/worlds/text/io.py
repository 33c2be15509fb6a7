"""Write a text world to disk as JSONL shards, eval sets and a ``world.json`` manifest.

Layout under ``out_dir``::

    train/shard_00000.jsonl ...   # docs_per_shard documents each, canonical JSON per line
    val/shard_00000.jsonl ...
    eval/fact_qa.jsonl, eval/arithmetic.jsonl, eval/code_exec.jsonl
    world.json                    # {"config", "fingerprint", "summary"}

Every file is written to ``<name>.tmp`` and then moved into place with ``os.replace``, so a reader
never sees a half-written file and an interrupted run leaves no truncated shard behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Callable, Iterable

from .config import TextWorldConfig
from .world import SPLITS, TextWorld, canonical_json, world_fingerprint


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="ascii", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")
    os.replace(tmp, path)


def write_world(
    cfg: TextWorldConfig,
    out_dir: str | os.PathLike,
    docs_per_shard: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Generate the world of ``cfg`` into ``out_dir``; return its summary.

    ``progress(n_done, n_total)`` is called after each shard (documents of both splits).
    The returned summary also has ``eval_sets`` (items per set) and ``fingerprint``.
    """
    if docs_per_shard < 1:
        raise ValueError(f"docs_per_shard must be >= 1, got {docs_per_shard}")
    out = Path(out_dir)
    world = TextWorld(cfg)
    total, done = sum(world.n_docs.values()), 0
    for split in SPLITS:
        n = world.n_docs[split]
        for shard, start in enumerate(range(0, n, docs_per_shard)):
            docs = world.documents(split, start, start + docs_per_shard)
            _write_atomic(out / split / f"shard_{shard:05d}.jsonl", map(canonical_json, docs))
            done += min(docs_per_shard, n - start)
            if progress is not None:
                progress(done, total)
    eval_sets = world.eval_sets()
    for name, items in eval_sets.items():
        _write_atomic(out / "eval" / f"{name}.jsonl", map(canonical_json, items))
    summary = world.summary()
    summary["eval_sets"] = {name: len(items) for name, items in eval_sets.items()}
    summary["fingerprint"] = world_fingerprint(world)
    manifest = {"config": dataclasses.asdict(cfg), "fingerprint": summary["fingerprint"],
                "summary": summary}
    _write_atomic(out / "world.json", [json.dumps(manifest, indent=2, sort_keys=True)])
    return summary
