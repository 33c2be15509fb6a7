"""One built world per ``.npz`` file: arrays plus an ``__info__`` JSON blob, written atomically, read without pickle.

Every world cache (image, graph, latent …) stores its arrays with ``write_npz`` and reads them with
``read_npz``: the file is written to ``<name>.<pid>.tmp`` and moved into place with ``os.replace``, so a
reader never sees half a file and two processes building the same world never share a temporary file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


def write_npz(path: Path, arrays: dict[str, np.ndarray], info: dict) -> None:
    out = dict(arrays)
    out["__info__"] = np.frombuffer(json.dumps(info).encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        np.savez(f, **out)
    os.replace(tmp, path)


def read_npz(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays by name, info) of a file ``write_npz`` wrote."""
    with np.load(path, allow_pickle=False) as z:
        info = json.loads(z["__info__"].tobytes().decode("utf-8"))
        return {k: z[k] for k in z.files if k != "__info__"}, info
