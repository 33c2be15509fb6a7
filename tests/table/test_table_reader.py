"""Reading a user's CSV file: types, missing values, the target and its split, and every bad-input error
naming the file, line, column and the fix."""

import numpy as np
import pytest

from pretrainlab.worlds.table import CsvTableConfig, TableReadError, read_csv_table


def _csv(tmp_path, text: str, name: str = "people.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


GOOD = "age,region,income,churn\n" + "".join(
    f"{20 + i},{['north', 'south'][i % 2]},{'NA' if i == 3 else 1000 * i},{['no', 'yes'][i % 3 == 0]}\n"
    for i in range(12))


def test_reads_types_missing_target_and_split(tmp_path):
    t = read_csv_table(CsvTableConfig(_csv(tmp_path, GOOD), target="churn", test_frac=0.25))
    assert t.columns == ["age", "region", "income"] and t.kinds == ["numeric", "categorical", "numeric"]
    assert t.target == "churn" and set(t.y) == {0, 1} and t.n_rows == 12 and t.n_train == 9
    assert np.isnan(t.values[2]).sum() == 1
    cat = read_csv_table(CsvTableConfig(_csv(tmp_path, GOOD), target="churn", categorical=["age"]))
    assert cat.kinds[0] == "categorical" and cat.values[0][0] == "20"


def test_mixed_types_name_file_line_column_value_and_fix(tmp_path):
    path = _csv(tmp_path, GOOD.replace("\n23,", "\nforty,", 1))
    with pytest.raises(TableReadError) as e:
        read_csv_table(CsvTableConfig(path, target="churn"))
    msg = str(e.value)
    assert f"{path}:5" in msg and "column 'age'" in msg and "'forty'" in msg and "categorical: [age]" in msg


def test_ragged_row(tmp_path):
    path = _csv(tmp_path, GOOD.replace("\n25,", "\n25,extra,", 1))
    with pytest.raises(TableReadError, match=r"people.csv:7: 5 fields, but the header has 4 columns"):
        read_csv_table(CsvTableConfig(path, target="churn"))


def test_target_errors(tmp_path):
    path = _csv(tmp_path, GOOD)
    with pytest.raises(TableReadError, match="column 'chrun' is not in the header .did you mean 'churn'"):
        read_csv_table(CsvTableConfig(path, target="chrun"))
    with pytest.raises(TableReadError, match="no target column declared; set target"):
        read_csv_table(CsvTableConfig(path))
    with pytest.raises(TableReadError, match="'region' has 3 distinct values .'east', 'north', 'south'.; a classification target needs exactly 2"):
        read_csv_table(CsvTableConfig(_csv(tmp_path, GOOD.replace("south", "east", 1), "three.csv"), target="region"))
    with pytest.raises(TableReadError, match=r"gap.csv:2: target column 'churn' is missing a value"):
        read_csv_table(CsvTableConfig(_csv(tmp_path, GOOD.replace(",yes\n", ",\n", 1), "gap.csv"), target="churn"))


def test_file_errors(tmp_path):
    with pytest.raises(TableReadError, match="file not found"):
        read_csv_table(CsvTableConfig(str(tmp_path / "nope.csv"), target="y"))
    with pytest.raises(TableReadError, match="empty file"):
        read_csv_table(CsvTableConfig(_csv(tmp_path, ""), target="y"))
    with pytest.raises(TableReadError, match="duplicate column names \\['a'\\]"):
        read_csv_table(CsvTableConfig(_csv(tmp_path, "a,a,y\n" + "1,2,0\n1,2,1\n" * 3), target="y"))
    with pytest.raises(TableReadError, match="2 data rows; a table needs at least 4"):
        read_csv_table(CsvTableConfig(_csv(tmp_path, "a,y\n1,0\n2,1\n"), target="y"))
