"""The table world: many seeded tables over shared concepts, and readers for a user's CSV files.

Public interface::

    from pretrainlab.worlds.table import TableWorldConfig, build_table_world

    data = build_table_world(TableWorldConfig(n_pretrain_tables=60), cache_dir=Path("cache"))
    data.pretrain            # EncodedTables of the pretraining pool (encode.py: names, kinds, num, cat, miss ...)
    data.downstream          # EncodedTables of the held-out tables (y = target, test = test row)
    data.vocab, data.info    # the word vocabulary; table names, columns and targets

``concepts.py`` (the shared vocabulary of concepts), ``generate.py`` (the latent generator),
``reader.py`` (CSV files, ``TableReadError``), ``encode.py`` (tokens and padded arrays). A built world
is cached under ``cache_dir`` as ``table_<fingerprint>.npz`` (written atomically, read without pickle);
the fingerprint covers the configs and, for CSV files, their size and modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pretrainlab.config import to_dict
from pretrainlab.worlds.table.encode import EncodedTables, Vocab, encode
from pretrainlab.worlds.table.generate import generate
from pretrainlab.worlds.table.reader import TableReadError, read_csv_table
from pretrainlab.worlds.table.table import CsvTableConfig, Table, TableWorldConfig

WORLD_VERSION = 1
"""Bump when the generator's or the encoding's output changes, so stale caches are not reused."""


@dataclass
class TableData:
    pretrain: EncodedTables
    downstream: EncodedTables
    vocab: Vocab
    info: dict
    """``pretrain`` / ``downstream``: [{name, columns, kinds, target}] per table; ``fingerprint``."""

    @property
    def fingerprint(self) -> str:
        return self.info["fingerprint"]


def _stamp(csv: CsvTableConfig) -> list:
    p = Path(csv.path).expanduser()
    st = p.stat() if p.is_file() else None
    return [str(p), st.st_size if st else -1, st.st_mtime_ns if st else -1]


def fingerprint(world: TableWorldConfig, pretrain_csv: list[CsvTableConfig],
                downstream_csv: CsvTableConfig | None) -> str:
    csvs = [*pretrain_csv, *([downstream_csv] if downstream_csv else [])]
    blob = json.dumps({"v": WORLD_VERSION, "world": to_dict(world), "csv": [to_dict(c) for c in csvs],
                       "stamps": [_stamp(c) for c in csvs]}, sort_keys=True)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()


def _describe(tables: list[Table]) -> list[dict]:
    return [{"name": t.name, "columns": t.columns, "kinds": t.kinds, "target": t.target, "rows": t.n_rows,
             "train_rows": t.train_rows()} for t in tables]


def build_tables(world: TableWorldConfig, pretrain_csv: list[CsvTableConfig] = (),
                 downstream_csv: CsvTableConfig | None = None) -> tuple[list[Table], list[Table]]:
    """(pretraining tables, downstream tables): the world's, plus the user's CSV files (a downstream file
    replaces the world's downstream tables)."""
    pretrain, downstream = generate(world)
    pretrain = pretrain + [read_csv_table(c, need_target=False) for c in pretrain_csv]
    if downstream_csv is not None:
        downstream = [read_csv_table(downstream_csv, need_target=True)]
    return pretrain, downstream


def build_table_world(world: TableWorldConfig, cache_dir: Path | None = None, pretrain_csv: list[CsvTableConfig] = (),
                      downstream_csv: CsvTableConfig | None = None) -> TableData:
    """Build (or load from ``cache_dir``) the encoded pretraining and downstream tables."""
    fp = fingerprint(world, list(pretrain_csv), downstream_csv)
    path = Path(cache_dir) / f"table_{fp}.npz" if cache_dir is not None else None
    if path is not None and path.exists():
        return load(path)
    pretrain, downstream = build_tables(world, list(pretrain_csv), downstream_csv)
    vocab = Vocab.world()
    info = {"pretrain": _describe(pretrain), "downstream": _describe(downstream), "fingerprint": fp,
            "vocab": vocab.to_json()}
    data = TableData(encode(pretrain, vocab), encode(downstream, vocab), vocab, info)
    if path is not None:
        save(data, path)
    return data


def save(data: TableData, path: Path) -> None:
    arrays = {**data.pretrain.arrays("pretrain"), **data.downstream.arrays("downstream"),
              "__info__": np.frombuffer(json.dumps(data.info).encode("utf-8"), dtype=np.uint8)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def load(path: Path) -> TableData:
    with np.load(path, allow_pickle=False) as z:
        info = json.loads(z["__info__"].tobytes().decode("utf-8"))
        pre, down = EncodedTables.from_arrays(z, "pretrain"), EncodedTables.from_arrays(z, "downstream")
    v = info["vocab"]
    return TableData(pre, down, Vocab(v["words"], v["buckets"]), info)


__all__ = ["CsvTableConfig", "EncodedTables", "Table", "TableData", "TableReadError", "TableWorldConfig", "Vocab",
           "build_table_world", "build_tables", "encode", "generate", "read_csv_table"]
