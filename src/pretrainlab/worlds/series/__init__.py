"""Series worlds: many price series on one calendar (a seeded stock market, or your CSV of prices).

Public interface::

    from pretrainlab.worlds.series import SeriesWorldConfig, build_series_world

    data = build_series_world(SeriesWorldConfig(n_stocks=30), seed=0, cache_dir=Path("cache"))
    data.prices          # (N, T) float64 prices;  data.sectors (N,) int;  data.drift (N, T) the oracle or None
    cfg.boundaries(T)    # {"pretrain": (0, a), "train": (0, b), "val": (b, c), "test": (c, T)}

Kinds: ``market`` (market.py, after SSPT's G-TS simulator) and ``csv`` (reader.py). A built world is a
pure function of (config, seed) and is cached as ``series_<kind>_<fingerprint>.npz`` under ``cache_dir``
(written to a temporary file and renamed: a reader never sees half a file; no pickle).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ...config import to_dict
from . import market, reader
from .config import SeriesData, SeriesWorldConfig
from .reader import SeriesReadError

WORLD_VERSION = 1
"""Bump when a generator's output changes, so stale caches are not reused."""


def world_fingerprint(cfg: SeriesWorldConfig, seed: int) -> str:
    """16 hex digits over the config, the seed (market) or the file's stamp (csv)."""
    d = to_dict(cfg)
    d["seed"] = int(seed) if cfg.kind == "market" else None
    source = reader.source_stamp(cfg) if cfg.kind == "csv" else []
    blob = json.dumps({"v": WORLD_VERSION, "cfg": d, "source": source}, sort_keys=True, default=str)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()


def _save(data: SeriesData, path: Path) -> None:
    info = {"names": data.names, "sector_names": data.sector_names, "dates": data.dates,
            "fingerprint": data.fingerprint, "source": data.source}
    arrays = {"prices": data.prices, "sectors": data.sectors,
              "__info__": np.frombuffer(json.dumps(info).encode("utf-8"), dtype=np.uint8)}
    if data.drift is not None:
        arrays["drift"] = data.drift
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)


def _load(path: Path) -> SeriesData:
    with np.load(path, allow_pickle=False) as z:
        info = json.loads(z["__info__"].tobytes().decode("utf-8"))
        drift = z["drift"] if "drift" in z.files else None
        return SeriesData(prices=z["prices"], names=info["names"], sectors=z["sectors"],
                          sector_names=info["sector_names"], dates=info["dates"], drift=drift,
                          fingerprint=info["fingerprint"], source=info["source"])


def build_series_world(cfg: SeriesWorldConfig, seed: int = 0, cache_dir: Path | None = None) -> SeriesData:
    """Build (or load from ``cache_dir``) the world; ``cfg.seed`` (when set) overrides ``seed``."""
    cfg.validate()
    seed = cfg.seed if cfg.seed is not None else seed
    fp = world_fingerprint(cfg, seed)
    path = Path(cache_dir) / f"series_{cfg.kind}_{fp}.npz" if cache_dir is not None else None
    if path is not None and path.exists():
        return _load(path)
    data = market.generate(cfg, seed) if cfg.kind == "market" else reader.read_csv(cfg)
    data.fingerprint = fp
    if path is not None:
        _save(data, path)
    return data


__all__ = ["SeriesData", "SeriesReadError", "SeriesWorldConfig", "build_series_world", "world_fingerprint"]
