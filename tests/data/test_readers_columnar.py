"""Tests for pretrainlab.data.readers on Parquet files and Hugging Face save_to_disk folders."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pretrainlab.data.readers import DataError, ReadStats, read_source
from pretrainlab.data.readers import columnar

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SKIP_HINT = "or set on_error: skip in the source config to skip and count bad {unit}."


def write_parquet(path: Path, columns: dict, **kwargs) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path, **kwargs)
    return path


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.fixture
def hf():
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    return datasets


# --- Parquet -------------------------------------------------------------------------------------


def test_parquet_text_field_and_meta_columns(tmp_path):
    path = write_parquet(tmp_path / "web.parquet", {
        "id": [7, 8],
        "content": ["alpha", "beta"],
        "score": [0.5, None],
        "ok": [True, False],
        "file": ["spoofed", "spoofed"],  # provenance wins the clash
        "tags": [["x"], []],  # not a scalar: left out, as in JSONL
        "blob": [b"\x00", b"\x01"],
        "meta": [{"lang": "en", "id": 70}, None],  # a struct column is merged, as a JSONL "meta" object
    })
    assert list(read_source(path, text_field="content")) == [
        {"text": "alpha", "meta": {"id": 70, "score": 0.5, "ok": True, "file": "web.parquet", "row": 0,
                                   "lang": "en"}},
        {"text": "beta", "meta": {"id": 8, "score": None, "ok": False, "file": "web.parquet", "row": 1}},
    ]


def test_parquet_folder_sorted_with_other_formats(tmp_path):
    write_parquet(tmp_path / "z" / "part-1.parquet", {"text": ["z0"]})
    write_parquet(tmp_path / "a.parquet", {"text": ["a0", "a1"], "n": [1, 2]})
    write(tmp_path / "m.jsonl", json.dumps({"text": "m"}) + "\n")
    write(tmp_path / "z" / "_SUCCESS", "")
    stats = ReadStats()
    docs = list(read_source(tmp_path, stats=stats))
    assert [(d["text"], d["meta"]) for d in docs] == [
        ("a0", {"n": 1, "file": "a.parquet", "row": 0}),
        ("a1", {"n": 2, "file": "a.parquet", "row": 1}),
        ("m", {"file": "m.jsonl", "line": 1}),
        ("z0", {"file": "z/part-1.parquet", "row": 0}),
    ]
    assert (stats.files, stats.documents, stats.ignored_files) == (3, 4, 1)


def test_parquet_streams_row_groups_in_order_and_limit_stops_early(tmp_path, monkeypatch):
    path = write_parquet(tmp_path / "big.parquet", {"text": [f"doc {i}" for i in range(12)]},
                         row_group_size=4)
    assert pq.ParquetFile(path).num_row_groups == 3
    monkeypatch.setattr(columnar, "BATCH_ROWS", 2)
    pulled = []
    original = pq.ParquetFile.iter_batches

    def spy(self, *args, **kwargs):
        for batch in original(self, *args, **kwargs):
            pulled.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    docs = list(read_source(path))
    assert [(d["text"], d["meta"]["row"]) for d in docs] == [(f"doc {i}", i) for i in range(12)]
    assert pulled == [2] * 6
    pulled.clear()
    stats = ReadStats()
    assert [d["text"] for d in read_source(path, limit=3, stats=stats)] == ["doc 0", "doc 1", "doc 2"]
    assert pulled == [2, 2] and stats.documents == 3  # the rest of the file is never decoded


def test_missing_column_lists_columns(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"body": ["x"], "id": [3]})
    with pytest.raises(DataError) as info:
        list(read_source(path))
    assert str(info.value) == (
        f"{path}: no 'text' column (columns: 'body', 'id'). Set text_field: body in the source config "
        f"if that column holds the text, " + SKIP_HINT.format(unit="files"))
    stats = ReadStats()
    assert list(read_source(path, on_error="skip", stats=stats)) == []
    assert stats.skipped_reasons == {"missing_field": 1}


def test_null_and_empty_text_raise_or_skip_per_row(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": ["ok", None, " \n", "ok2"]})
    with pytest.raises(DataError) as info:
        list(read_source(path))
    assert str(info.value).startswith(f"{path} row 1: column 'text' is null, not a string. ")
    assert str(info.value).endswith(SKIP_HINT.format(unit="rows"))
    stats = ReadStats()
    docs = list(read_source(path, on_error="skip", stats=stats))
    assert [(d["text"], d["meta"]["row"]) for d in docs] == [("ok", 0), ("ok2", 3)]
    assert stats.skipped_reasons == {"not_a_string": 1, "empty_text": 1}
    assert stats.examples == [f"{path} row 1: column 'text' is null, not a string",
                              f"{path} row 2: column 'text' is empty or whitespace"]


def test_non_string_text_column_is_a_file_error(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": [1, 2]})
    with pytest.raises(DataError, match=r"a\.parquet: column 'text' has type int64, not string\. Cast"):
        list(read_source(path))


def _truncated_parquet(path: Path) -> bytes:
    data = write_parquet(path, {"text": ["good"] * 10}).read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize("make", [lambda p: b"PAR1 not really parquet", _truncated_parquet],
                         ids=["garbage", "truncated"])
def test_corrupt_parquet_raises_or_is_skipped(tmp_path, make):
    path = write(tmp_path / "d" / "bad.parquet", make(tmp_path / "tmp.parquet"))
    with pytest.raises(DataError) as info:
        list(read_source(path))
    assert str(info.value).startswith(f"{path}: not a readable Parquet file (")
    assert str(info.value).endswith(SKIP_HINT.format(unit="files"))
    write_parquet(tmp_path / "d" / "a.parquet", {"text": ["before"]})
    write_parquet(tmp_path / "d" / "c.parquet", {"text": ["after"]})
    stats = ReadStats()
    assert [d["text"] for d in read_source(tmp_path / "d", on_error="skip", stats=stats)] == [
        "before", "after"]
    assert (stats.files, stats.skipped_reasons) == (3, {"corrupt_parquet": 1})


def test_empty_parquet_file(tmp_path):
    path = write_parquet(tmp_path / "a.parquet", {"text": pa.array([], pa.string())})
    with pytest.raises(DataError, match=r"a\.parquet: file has no rows\. Delete the file or add rows"):
        list(read_source(path))


def test_missing_pyarrow_names_the_extra(tmp_path, monkeypatch):
    path = write_parquet(tmp_path / "a.parquet", {"text": ["x"]})
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(DataError) as info:
        read_source(path)  # at call time, before anything is read
    assert str(info.value) == "reading .parquet needs pyarrow: pip install 'pretrainlab[parquet]'"


# --- Hugging Face save_to_disk folders ------------------------------------------------------------


def test_hf_dataset_folder_alone_and_inside_a_folder(tmp_path, hf):
    ds = hf.Dataset.from_dict({"text": ["d0", "d1", "d2"], "id": [1, 2, 3], "tags": [["x"], [], []]})
    ds.save_to_disk(str(tmp_path / "src" / "wiki"))
    assert list(read_source(tmp_path / "src" / "wiki")) == [
        {"text": f"d{i}", "meta": {"id": i + 1, "file": "wiki", "row": i}} for i in range(3)]
    write(tmp_path / "src" / "a.txt", "first")
    stats = ReadStats()
    docs = list(read_source(tmp_path / "src", stats=stats, limit=3))
    assert [(d["text"], d["meta"]["file"]) for d in docs] == [("first", "a.txt"), ("d0", "wiki"),
                                                              ("d1", "wiki")]
    assert (stats.files, stats.ignored_files) == (2, 0)  # the dataset's own files are not walked


def test_hf_dataset_dict_default_split_and_split_suffix(tmp_path, hf):
    dd = hf.DatasetDict({"train": hf.Dataset.from_dict({"text": ["t0", "t1"]}),
                         "validation": hf.Dataset.from_dict({"text": ["v0"]})})
    dd.save_to_disk(str(tmp_path / "dd"))
    assert [(d["text"], d["meta"]) for d in read_source(tmp_path / "dd")] == [
        ("t0", {"file": "dd/train", "row": 0}), ("t1", {"file": "dd/train", "row": 1})]
    assert [d["text"] for d in read_source(f"{tmp_path / 'dd'}::validation")] == ["v0"]
    with pytest.raises(DataError, match=r"dd: the DatasetDict has no 'test' split \(splits: 'train', "
                       r"'validation'\)\. Point the source path at '.*dd::train'"):
        read_source(f"{tmp_path / 'dd'}::test")
    write(tmp_path / "a.txt", "x")
    with pytest.raises(DataError, match=r"'::train' selects a split of a Hugging Face DatasetDict"):
        read_source(f"{tmp_path / 'a.txt'}::train")


def test_hf_dataset_dict_without_train_needs_a_split(tmp_path, hf):
    hf.DatasetDict({"test": hf.Dataset.from_dict({"text": ["x"]})}).save_to_disk(str(tmp_path / "dd"))
    with pytest.raises(DataError, match=r"no 'train' split \(splits: 'test'\)\. .*dd::test'"):
        read_source(tmp_path / "dd")


def test_hf_null_text_and_missing_column(tmp_path, hf):
    hf.Dataset.from_dict({"text": ["a", None, "c"]}).save_to_disk(str(tmp_path / "ds"))
    with pytest.raises(DataError, match=r"ds row 1: column 'text' is null, not a string"):
        list(read_source(tmp_path / "ds"))
    stats = ReadStats()
    assert [d["text"] for d in read_source(tmp_path / "ds", on_error="skip", stats=stats)] == ["a", "c"]
    assert stats.skipped_reasons == {"not_a_string": 1}
    with pytest.raises(DataError,
                       match=r"ds: no 'body' column \(columns: 'text'\)\. Set text_field: text"):
        list(read_source(tmp_path / "ds", text_field="body"))


def test_missing_datasets_names_the_extra(tmp_path, hf, monkeypatch):
    hf.Dataset.from_dict({"text": ["a"]}).save_to_disk(str(tmp_path / "ds"))
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(DataError, match=r"needs datasets: pip install 'pretrainlab\[hf-datasets\]'"):
        read_source(tmp_path / "ds")


# --- fmt -----------------------------------------------------------------------------------------


def test_fmt_override_and_filter(tmp_path, hf):
    odd = write_parquet(tmp_path / "dump.bin", {"text": ["p"]})
    assert [d["text"] for d in read_source(odd, fmt="parquet")] == ["p"]
    with pytest.raises(DataError, match=r"dump\.bin: unsupported file type '\.bin'.*fmt: text, jsonl or "
                       "parquet"):
        read_source(odd)
    with pytest.raises(DataError, match=r"fmt: hf reads a Hugging Face save_to_disk folder, not a file"):
        read_source(odd, fmt="hf")
    mixed = tmp_path / "mixed"
    write_parquet(mixed / "p.parquet", {"text": ["p"]})
    write(mixed / "t.txt", "t")
    hf.Dataset.from_dict({"text": ["h"]}).save_to_disk(str(mixed / "ds"))
    assert [d["text"] for d in read_source(mixed)] == ["h", "p", "t"]
    assert [d["text"] for d in read_source(mixed, fmt="hf")] == ["h"]
    stats = ReadStats()
    assert [d["text"] for d in read_source(mixed, fmt="parquet", stats=stats)] == ["p"]
    assert stats.ignored_files == 2  # t.txt and the dataset folder
    with pytest.raises(DataError, match=r"no readable files with fmt: jsonl .*It is a Hugging Face "
                       "dataset folder: set fmt: hf or auto"):
        read_source(mixed / "ds", fmt="jsonl")
