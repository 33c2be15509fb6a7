"""The CSV reader: a good file round-trips; every malformed file is an error naming file, line, column and
the fix."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.worlds.series import SeriesReadError, SeriesWorldConfig, build_series_world

GOOD = "date,AAA,BBB\n2020-01-02,10,20\n2020-01-03,11,19\n2020-01-06,12,21\n"


def _read(tmp_path, text: str, **cfg):
    path = tmp_path / "prices.csv"
    path.write_text(text)
    return build_series_world(SeriesWorldConfig(kind="csv", path=str(path), **cfg))


def test_good_file(tmp_path):
    d = _read(tmp_path, GOOD, sectors={"AAA": "tech"})
    assert d.names == ["AAA", "BBB"] and d.dates == ["2020-01-02", "2020-01-03", "2020-01-06"]
    np.testing.assert_array_equal(d.prices, [[10, 11, 12], [20, 19, 21]])
    assert d.sector_names == ["other", "tech"] and list(d.sectors) == [1, 0] and d.drift is None


def test_missing_price_raise_ffill_drop(tmp_path):
    text = "date,AAA,BBB\n2020-01-02,10,20\n2020-01-03,,19\n2020-01-06,12,21\n"
    with pytest.raises(SeriesReadError, match=r"prices.csv, line 3, column 'AAA' \(2020-01-03\): missing price.*"
                                              r"nan: ffill.*or drop"):
        _read(tmp_path, text)
    np.testing.assert_array_equal(_read(tmp_path, text, nan="ffill").prices[0], [10, 10, 12])
    dropped = _read(tmp_path, text, nan="drop")
    assert dropped.dates == ["2020-01-02", "2020-01-06"]
    with pytest.raises(SeriesReadError, match="line 2, column 'AAA': missing price on the first date"):
        _read(tmp_path, "date,AAA\n2020-01-02,nan\n2020-01-03,1\n", nan="ffill")


@pytest.mark.parametrize("text, message", [
    ("date,AAA\n2020-01-03,1\n2020-01-02,2\n", r"line 3: date 2020-01-02 is not after 2020-01-03 \(line 2\).*sort"),
    ("date,AAA\n2020-01-03,1\n2020-01-03,2\n", "line 3: date 2020-01-03 is not after"),
    ("date,AAA,BBB\n2020-01-02,1\n", "line 2: 2 fields, the header has 3"),
    ("day,AAA\n2020-01-02,1\n", r"line 1: no 'date' column in the header \['day', 'AAA'\]"),
    ("date\n2020-01-02\n", "line 1: only a date column"),
    ("date,AAA\n2020-01-02,abc\n", "line 2, column 2: 'abc' is not a number"),
    ("date,AAA\n2020-01-02,-3\n", "line 2, column 2: price -3 must be a positive.*convert them to prices"),
    ("date,AAA\n02/01/2020,1\n", "line 2: date '02/01/2020' is not YYYY-MM-DD"),
    ("", "empty file"),
    ("date,AAA,AAA\n2020-01-02,1,2\n", "series names must be unique"),
])
def test_bad_files(tmp_path, text, message):
    with pytest.raises(SeriesReadError, match=message) as e:
        _read(tmp_path, text)
    assert "prices.csv" in str(e.value)


def test_missing_file_and_unknown_sector(tmp_path):
    with pytest.raises(SeriesReadError, match="nope.csv: no such file; data.world.path must be a CSV"):
        build_series_world(SeriesWorldConfig(kind="csv", path=str(tmp_path / "nope.csv")))
    with pytest.raises(SeriesReadError, match=r"data.world.sectors: series \['ZZZ'\] are not columns"):
        _read(tmp_path, GOOD, sectors={"ZZZ": "x"})
