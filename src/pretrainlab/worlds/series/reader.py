"""Your prices as a series world: a CSV file with a date column and one column of prices per series.

    date,AAA,BBB,CCC
    2020-01-02,10.50,20.10,5.02
    2020-01-03,10.61,19.95,5.10

Dates are ISO (``YYYY-MM-DD``) and strictly increasing; prices are positive numbers; an empty cell or
``nan``/``NA`` is a missing price, which stops the run unless ``data.world.nan`` says ``ffill`` (carry the
last price forward) or ``drop`` (drop every date on which any series is missing). Every error names the
file, the line (1 = the header) and the column, and says how to fix it (``SeriesReadError``).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np

from .config import SeriesData, SeriesWorldConfig

MISSING = {"", "nan", "na", "n/a", "null", "none"}
FORM = "a header 'date,<series>,...' then one row per date: '2020-01-02,10.5,20.1'"


class SeriesReadError(ValueError):
    """A user's price file is malformed; the message names the file, line and column and the fix."""


def _parse_value(text: str, where: str) -> float:
    if text.strip().lower() in MISSING:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise SeriesReadError(f"{where}: '{text}' is not a number; prices must be numbers (missing: leave the "
                              "cell empty)") from None
    if not math.isfinite(value) or value <= 0:
        raise SeriesReadError(f"{where}: price {text} must be a positive finite number (if the file holds returns, "
                              "convert them to prices: P_t = P_0 * prod(1 + r))")
    return value


def _header(rows: list[list[str]], path: Path, date_column: str) -> tuple[int, list[str]]:
    if not rows:
        raise SeriesReadError(f"{path}: empty file; expected {FORM}")
    head = [h.strip() for h in rows[0]]
    if date_column not in head:
        raise SeriesReadError(f"{path}, line 1: no '{date_column}' column in the header {head}; expected {FORM} "
                              "(or set data.world.date_column)")
    names = [h for h in head if h != date_column]
    if not names:
        raise SeriesReadError(f"{path}, line 1: only a date column; expected {FORM}")
    if len(set(names)) != len(names) or any(not n for n in names):
        raise SeriesReadError(f"{path}, line 1: series names must be unique and non-empty, got {names}")
    return head.index(date_column), names


def _parse_rows(rows: list[list[str]], path: Path, di: int, head_len: int) -> tuple[list[str], np.ndarray]:
    dates, values, last = [], [], None
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != head_len:
            raise SeriesReadError(f"{path}, line {line}: {len(row)} fields, the header has {head_len}; every row "
                                  f"needs a date and one price per series ({FORM})")
        try:
            day = dt.date.fromisoformat(row[di].strip())
        except ValueError:
            raise SeriesReadError(f"{path}, line {line}: date '{row[di]}' is not YYYY-MM-DD") from None
        if last is not None and day <= last:
            raise SeriesReadError(f"{path}, line {line}: date {day} is not after {last} (line {line - 1}); dates "
                                  "must be strictly increasing: sort the file by date and remove duplicate dates")
        last = day
        dates.append(day.isoformat())
        values.append([_parse_value(c, f"{path}, line {line}, column {j + 1}") for j, c in enumerate(row) if j != di])
    return dates, np.array(values, dtype=np.float64).reshape(len(values), head_len - 1)


def _fill(x: np.ndarray, dates: list[str], names: list[str], path: Path, how: str, lines: np.ndarray):
    """Missing prices: raise (naming the first), forward-fill, or drop the dates with any gap."""
    gaps = np.isnan(x)
    if not gaps.any():
        return x, dates
    r, c = map(int, np.argwhere(gaps)[0])
    where = f"{path}, line {lines[r]}, column '{names[c]}' ({dates[r]})"
    if how == "raise":
        raise SeriesReadError(f"{where}: missing price ({int(gaps.sum())} missing in all); set data.world.nan: ffill "
                              "(carry the last price forward) or drop (drop dates with any missing price), "
                              "or fill the file")
    if how == "drop":
        keep = ~gaps.any(axis=1)
        return x[keep], [d for d, k in zip(dates, keep) if k]
    first = np.isnan(x[0])
    if first.any():
        col = names[int(np.argmax(first))]
        raise SeriesReadError(f"{path}, line {lines[0]}, column '{col}': missing price on the first date, nothing "
                              "to carry forward; use data.world.nan: drop or start the file later")
    for t in range(1, len(x)):
        x[t] = np.where(np.isnan(x[t]), x[t - 1], x[t])
    return x, dates


def read_csv(cfg: SeriesWorldConfig) -> SeriesData:
    """The price file at ``cfg.path`` as ``SeriesData`` (series = columns, sectors from ``cfg.sectors``)."""
    path = Path(cfg.path).expanduser()
    if not path.is_file():
        raise SeriesReadError(f"{path}: no such file; data.world.path must be a CSV file ({FORM})")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    di, names = _header(rows, path, cfg.date_column)
    dates, x = _parse_rows(rows, path, di, len(names) + 1)
    lines = np.array([i for i, row in enumerate(rows[1:], start=2) if row and any(c.strip() for c in row)])
    x, dates = _fill(x, dates, names, path, cfg.nan, lines)
    unknown = sorted(set(cfg.sectors) - set(names))
    if unknown:
        raise SeriesReadError(f"data.world.sectors: series {unknown} are not columns of {path} ({names})")
    sector_of = [cfg.sectors.get(n, "other") for n in names] if cfg.sectors else ["all"] * len(names)
    sector_names = sorted(set(sector_of))
    return SeriesData(prices=x.T.copy(), names=names, sectors=np.array([sector_names.index(s) for s in sector_of]),
                      sector_names=sector_names, dates=dates, source=str(path))


def source_stamp(cfg: SeriesWorldConfig) -> list:
    """What the cache fingerprint adds for a file: its path, size and modification time."""
    p = Path(cfg.path).expanduser()
    st = p.stat() if p.exists() else None
    return [str(p.resolve()), st.st_size if st else None, st.st_mtime_ns if st else None]
