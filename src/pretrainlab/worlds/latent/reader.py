"""Your own vectors as a latent world (``data.world.kind: file``): an unlabeled matrix for pretraining and a
labeled matrix for the downstream fits, each a ``.npy`` (2-D numeric array, no pickle) or a ``.csv`` (one row
per line, comma-separated numbers, an optional header line of column names).

    path           (rows, d)       unlabeled x
    labeled_path   (rows, d + 1)   x, then the class as an integer 0..C-1 in the last column

The labeled rows are split once (seeded) into a held-out test set (``test_frac``) and a pool; labeled
draw r is the first ``n_labeled`` rows of the r-th seeded permutation of the pool. Errors name the file,
the row (1-based, as an editor shows it) and the expected form.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .config import LatentWorldConfig


class LatentDataError(ValueError):
    """A user matrix cannot be read as asked; the message names the file, the row and the fix."""


def _read_csv(path: Path) -> tuple[np.ndarray, list[int]]:
    """(matrix, line number of each row); an empty cell reads as NaN (reported by row below)."""
    rows, lines, width = [], [], None
    with open(path, newline="") as f:
        for line_no, row in enumerate(csv.reader(f), start=1):
            if not row or all(not c.strip() for c in row):
                continue
            try:
                values = [float(c) if c.strip() else float("nan") for c in row]
            except ValueError:
                if line_no == 1 and not rows:  # a header of column names
                    continue
                bad = next(c for c in row if not _is_float(c))
                raise LatentDataError(f"{path}: line {line_no}: '{bad}' is not a number; every cell must be numeric "
                                      "(only the first line may be a header of column names)") from None
            if width is not None and len(values) != width:
                raise LatentDataError(f"{path}: line {line_no} has {len(values)} columns, the rows before it {width}; "
                                      "every row needs the same number of columns")
            width = len(values)
            rows.append(values)
            lines.append(line_no)
    if not rows:
        raise LatentDataError(f"{path}: no data rows; expected a (rows, d) matrix of numbers")
    return np.asarray(rows, dtype=np.float64), lines


def _is_float(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def read_matrix(path: str | Path, columns: int | None = None, what: str | None = None) -> np.ndarray:
    """A 2-D float matrix from ``path`` (.npy or .csv); ``columns``: the width it must have; ``what``: the
    expected shape as the error messages print it."""
    what = what or (f"(rows, {columns})" if columns else "(rows, d)")
    path, lines = Path(path).expanduser(), None
    if not path.exists():
        raise LatentDataError(f"{path}: no such file; expected a .npy or .csv matrix of shape {what}")
    if path.suffix == ".npy":
        try:
            m = np.load(path, allow_pickle=False)
        except ValueError as e:
            raise LatentDataError(f"{path}: not a plain numeric .npy array ({e}); save it with np.save(path, "
                                  "x.astype('float32'))") from None
        if not np.issubdtype(m.dtype, np.number):
            raise LatentDataError(f"{path}: dtype {m.dtype} is not numeric; expected a float matrix of shape {what}")
    elif path.suffix == ".csv":
        m, lines = _read_csv(path)
    else:
        raise LatentDataError(f"{path}: unknown file type '{path.suffix}'; use .npy or .csv")
    if m.ndim != 2:
        raise LatentDataError(f"{path}: expected a matrix of shape {what}, got shape {tuple(m.shape)}")
    if columns is not None and m.shape[1] != columns:
        raise LatentDataError(f"{path}: expected shape {what}, got shape {tuple(m.shape)}")
    bad = np.flatnonzero(~np.isfinite(m).all(axis=1))
    if len(bad):
        row = int(bad[0])
        line = f" (line {lines[row]})" if lines else ""
        raise LatentDataError(f"{path}: row {row + 1}{line} has a NaN or infinite value ({len(bad)} such rows); "
                              "drop or impute them first")
    return m


def build_file_world(cfg: LatentWorldConfig, seed: int) -> dict:
    """The arrays of a user world (no truth: no Bayes risk, no clustering accuracy)."""
    unlabeled = read_matrix(cfg.path, what="(rows, d)")
    d = unlabeled.shape[1]
    labeled = read_matrix(cfg.labeled_path, columns=d + 1, what=f"(rows, d + 1) = (rows, {d + 1}) with the class last")
    y = labeled[:, -1]
    bad = np.flatnonzero((y != np.round(y)) | (y < 0))
    if len(bad):
        raise LatentDataError(f"{cfg.labeled_path}: row {int(bad[0]) + 1}: class {y[bad[0]]:g} in the last column is "
                              "not an integer >= 0; the last column must hold classes 0..C-1")
    x, y = labeled[:, :-1].astype(np.float32), y.astype(np.int64)
    classes = int(y.max()) + 1
    if len(np.unique(y)) < 2:
        raise LatentDataError(f"{cfg.labeled_path}: every row has class {int(y[0])}; need at least 2 classes")
    rng = np.random.default_rng([seed, 0])
    order = rng.permutation(len(y))
    n_test = int(round(cfg.test_frac * len(y)))
    test, pool = order[:n_test], order[n_test:]
    if len(pool) < cfg.n_labeled or n_test < 1:
        raise LatentDataError(f"{cfg.labeled_path}: {len(y)} labeled rows give a pool of {len(pool)} and a test set of "
                              f"{n_test} (test_frac={cfg.test_frac}); data.world.n_labeled={cfg.n_labeled} needs a "
                              "pool at least that large: lower n_labeled or add rows")
    draws = [pool[np.random.default_rng([seed, 1, r]).permutation(len(pool))[:cfg.n_labeled]]
             for r in range(cfg.label_draws)]
    return {"unlabeled": unlabeled.astype(np.float32), "pool_x": np.stack([x[i] for i in draws]),
            "pool_y": np.stack([y[i] for i in draws]), "test_x": x[test], "test_y": y[test], "num_classes": classes}
