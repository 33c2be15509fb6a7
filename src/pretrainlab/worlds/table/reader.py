"""Read a user's CSV file as a ``Table``, with errors that name the file, line, column and the fix.

Form: a header row of column names, then one row per line, comma-separated (quote values that contain
commas). Empty cells and ``NA``, ``N/A``, ``NaN``, ``null``, ``?`` are missing values. A column is
numeric when every present value parses as a number, categorical when none does; a column with both is
an error (``TableReadError``) naming the first value of the minority type, unless the column is listed in
``categorical`` (then every value is a category word). The ``target`` column must have exactly two
distinct values and none missing; it becomes ``y`` (the value sorting first is 0) and leaves the columns.
With ``test_frac`` every ``round(1 / test_frac)``-th row (deterministic) is a test row; rows are
reordered train first, so ``Table.n_train`` splits them.
"""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import numpy as np

from pretrainlab.worlds.table.table import CsvTableConfig, Table

MISSING_MARKERS = {"", "na", "n/a", "nan", "null", "none", "?"}
MIN_ROWS = 4


class TableReadError(ValueError):
    """A user's table file does not have the expected form; the message says where and how to fix it."""


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if np.isfinite(v) else None


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not path.is_file():
        raise TableReadError(f"{path}: file not found; expected a CSV file with a header row of column names")
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if not header or all(not h.strip() for h in header):
            raise TableReadError(f"{path}: empty file; expected a header row of column names, then one row per line")
        header = [h.strip() for h in header]
        rows = []
        for fields in reader:
            if not fields or all(not x.strip() for x in fields):
                continue  # blank line
            if len(fields) != len(header):
                raise TableReadError(
                    f"{path}:{reader.line_num}: {len(fields)} fields, but the header has {len(header)} columns "
                    f"({', '.join(header)}); give every row one value per column (leave a cell empty for a missing "
                    "value, quote values that contain commas)")
            rows.append((reader.line_num, [x.strip() for x in fields]))
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise TableReadError(f"{path}:1: column(s) {blank} of the header have no name; name every column")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise TableReadError(f"{path}:1: duplicate column names {dupes}; give every column a distinct name")
    if len(rows) < MIN_ROWS:
        raise TableReadError(f"{path}: {len(rows)} data rows; a table needs at least {MIN_ROWS}")
    return header, rows


def _column(path: Path, name: str, cells: list[tuple[int, str]], categorical: bool) -> tuple[str, np.ndarray]:
    """(kind, values) of one column; mixed numbers and words raise, naming the first minority value."""
    present = [(line, x) for line, x in cells if x.lower() not in MISSING_MARKERS]
    if categorical:
        return "categorical", np.array([None if x.lower() in MISSING_MARKERS else x for _, x in cells], dtype=object)
    nums = [(line, x) for line, x in present if _number(x) is not None]
    words = [(line, x) for line, x in present if _number(x) is None]
    if nums and words:
        odd, usual = (words, nums) if len(nums) >= len(words) else (nums, words)
        (line, value), (_, example) = odd[0], usual[0]
        kind = "numbers" if odd is words else "words"
        raise TableReadError(
            f"{path}:{line}: column '{name}' has mixed types: value {value!r} is not like the column's other "
            f"values, which are {kind} (e.g. {example!r}; {len(odd)} of {len(present)} values differ); fix the "
            f"value, leave the cell empty for a missing value, or read the column as categories with "
            f"categorical: [{name}]")
    if words or not present:
        return "categorical", np.array([None if x.lower() in MISSING_MARKERS else x for _, x in cells], dtype=object)
    return "numeric", np.array([np.nan if x.lower() in MISSING_MARKERS else float(x) for _, x in cells])


def _target(path: Path, name: str, cells: list[tuple[int, str]]) -> np.ndarray:
    gone = [line for line, x in cells if x.lower() in MISSING_MARKERS]
    if gone:
        raise TableReadError(f"{path}:{gone[0]}: target column '{name}' is missing a value ({len(gone)} rows in all); "
                             "every row needs a target value: fill it in or drop those rows")
    values = sorted({x for _, x in cells})
    if len(values) != 2:
        shown = values[:6] + (["..."] if len(values) > 6 else [])
        raise TableReadError(f"{path}: target column '{name}' has {len(values)} distinct values {shown}; a "
                             "classification target needs exactly 2 (e.g. yes/no, 0/1)")
    return np.array([values.index(x) for _, x in cells], dtype=np.int64)


def read_csv_table(cfg: CsvTableConfig, need_target: bool = True) -> Table:
    """The ``Table`` of a user's CSV file (see the module docstring for the form and the errors)."""
    path = Path(cfg.path).expanduser()
    header, rows = _read_rows(path)
    unknown = [c for c in [*cfg.categorical, *([cfg.target] if cfg.target else [])] if c not in header]
    if unknown:
        close = difflib.get_close_matches(unknown[0], header, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise TableReadError(f"{path}: column '{unknown[0]}' is not in the header{hint}; columns: {header}")
    if need_target and not cfg.target:
        raise TableReadError(f"{path}: no target column declared; set target: <column> (one of {header})")
    y, columns, kinds, values = None, [], [], []
    for j, name in enumerate(header):
        cells = [(line, fields[j]) for line, fields in rows]
        if name == cfg.target:
            y = _target(path, name, cells)
            continue
        kind, v = _column(path, name, cells, name in cfg.categorical)
        columns.append(name)
        kinds.append(kind)
        values.append(v)
    if not columns:
        raise TableReadError(f"{path}: no feature columns besides the target '{cfg.target}'")
    n_train = -1
    if cfg.target:
        every = max(2, round(1 / cfg.test_frac))
        test = np.arange(len(rows)) % every == every - 1
        order = np.concatenate([np.flatnonzero(~test), np.flatnonzero(test)])
        values, y, n_train = [v[order] for v in values], y[order], int((~test).sum())
        if len(np.unique(y[:n_train])) < 2 or len(np.unique(y[n_train:])) < 2:
            raise TableReadError(f"{path}: the train or test rows (test_frac={cfg.test_frac}) hold only one target "
                                 f"value of '{cfg.target}'; add rows of the rarer value or change test_frac")
    return Table(name=path.stem, columns=columns, kinds=kinds, values=values, y=y, target=cfg.target or None,
                 n_train=n_train)
