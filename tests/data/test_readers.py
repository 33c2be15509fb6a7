"""Tests for pretrainlab.data.readers: text/JSONL files and folders -> documents, errors, skips."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pretrainlab.data.readers import DataError, ReadStats, count_documents, read_source


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# --- well-formed input --------------------------------------------------------------------------


def test_folder_of_text_files_nested_sorted(tmp_path):
    # Created out of order on purpose: the result must not depend on creation or listing order.
    write(tmp_path / "z.txt", "last")
    write(tmp_path / "b" / "deep" / "c.md", "# deep")
    write(tmp_path / "b" / "a.txt", "b-a")
    write(tmp_path / "a.md", "first\r\nline two\n")
    write(tmp_path / "notes.csv", "x,y")  # ignored extension
    write(tmp_path / ".hidden.txt", "hidden")  # hidden file
    write(tmp_path / ".git" / "README.md", "hidden folder")
    stats = ReadStats()
    docs = list(read_source(tmp_path, stats=stats))
    assert docs == [
        {"text": "first\r\nline two\n", "meta": {"file": "a.md"}},
        {"text": "b-a", "meta": {"file": "b/a.txt"}},
        {"text": "# deep", "meta": {"file": "b/deep/c.md"}},
        {"text": "last", "meta": {"file": "z.txt"}},
    ]
    assert (stats.files, stats.documents, stats.skipped, stats.ignored_files) == (4, 4, 0, 1)
    assert stats.skipped_reasons == {} and stats.examples == []


def test_jsonl_custom_text_field_and_meta(tmp_path):
    path = write(tmp_path / "web.jsonl", jsonl(
        {"id": 7, "content": "alpha", "url": "u1", "score": 0.5, "ok": True, "tags": ["x"],
         "meta": {"lang": "en", "url": "from-meta"}},
        {"content": "beta", "file": "spoofed", "nested": {"a": 1}},
    ) + "\n   \n" + jsonl({"content": "gamma", "text": "not this one"}))
    docs = list(read_source(path, text_field="content"))
    assert docs == [
        {"text": "alpha", "meta": {"id": 7, "url": "from-meta", "score": 0.5, "ok": True,
                                   "lang": "en", "file": "web.jsonl", "line": 1}},
        {"text": "beta", "meta": {"file": "web.jsonl", "line": 2}},
        {"text": "gamma", "meta": {"text": "not this one", "file": "web.jsonl", "line": 5}},
    ]


def test_gzip_jsonl_in_folder_and_by_magic_bytes(tmp_path):
    body = jsonl({"text": "one"}, {"text": "two"}).encode()
    write(tmp_path / "d" / "part.jsonl.gz", gzip.compress(body))
    write(tmp_path / "d" / "plain.jsonl", jsonl({"text": "three"}))
    docs = list(read_source(tmp_path / "d"))
    assert [(d["text"], d["meta"]["file"], d["meta"]["line"]) for d in docs] == [
        ("one", "part.jsonl.gz", 1), ("two", "part.jsonl.gz", 2), ("three", "plain.jsonl", 1)]
    odd_name = write(tmp_path / "dump.ndjson.gz", gzip.compress(body))
    assert [d["text"] for d in read_source(odd_name, fmt="jsonl")] == ["one", "two"]


def test_utf8_bom_is_stripped(tmp_path):
    bom = b"\xef\xbb\xbf"
    txt = write(tmp_path / "bom.txt", bom + "café".encode())
    lines = write(tmp_path / "bom.jsonl", bom + jsonl({"text": "ünï"}).encode())
    assert [d["text"] for d in read_source(txt)] == ["café"]
    assert [d["text"] for d in read_source(lines)] == ["ünï"]
    bad = write(tmp_path / "bad.txt", bom + b"ab\xff")  # offsets count the BOM: byte 5 of the file
    with pytest.raises(DataError, match=r"bad\.txt:1: invalid UTF-8 at byte 5 \(invalid start byte\)"):
        list(read_source(bad))


def test_fmt_override_and_filter(tmp_path):
    log = write(tmp_path / "run.log", "log text")
    assert list(read_source(log, fmt="text")) == [{"text": "log text", "meta": {"file": "run.log"}}]
    with pytest.raises(DataError, match=r"run\.log: unsupported file type '\.log'.*fmt: text"):
        read_source(log)
    write(tmp_path / "d" / "a.txt", "text doc")
    write(tmp_path / "d" / "b.jsonl", jsonl({"text": "json doc"}))
    stats = ReadStats()
    assert [d["text"] for d in read_source(tmp_path / "d", fmt="jsonl", stats=stats)] == ["json doc"]
    assert stats.ignored_files == 1
    assert [d["text"] for d in read_source(tmp_path / "d", fmt="text")] == ["text doc"]


def test_limit(tmp_path):
    write(tmp_path / "a.jsonl", jsonl({"text": "1"}, {"text": "2"}, {"text": "3"}))
    write(tmp_path / "b.txt", "4")
    stats = ReadStats()
    assert [d["text"] for d in read_source(tmp_path, limit=2, stats=stats)] == ["1", "2"]
    assert (stats.files, stats.documents) == (1, 2)
    stats = ReadStats()
    assert [d["text"] for d in read_source(tmp_path, limit=3, stats=stats)] == ["1", "2", "3"]
    assert stats.files == 1  # the next file is not opened once the limit is reached
    assert list(read_source(tmp_path, limit=0)) == []
    assert [d["text"] for d in read_source(tmp_path, limit=99)] == ["1", "2", "3", "4"]
    with pytest.raises(DataError, match="limit=-1"):
        read_source(tmp_path, limit=-1)


def test_count_documents(tmp_path):
    write(tmp_path / "a.jsonl", jsonl({"text": "1"}, {"text": " "}, {"text": "3"}))
    assert count_documents(tmp_path, on_error="skip") == 2
    assert count_documents(tmp_path, on_error="skip", limit=1) == 1


def test_streams_documents_before_a_later_error(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({"text": "ok"}) + "{broken\n")
    docs = read_source(path)
    assert next(docs)["text"] == "ok"
    with pytest.raises(DataError, match=r"a\.jsonl:2: invalid JSON"):
        next(docs)


# --- malformed input: raise and skip ---------------------------------------------------------------

GOOD = jsonl({"text": "good"})
# name, file content, reason, line (None: whole file), start of the problem after "file[:line]: "
BAD_CASES = [
    ("bad.jsonl", GOOD + "{\"text\": \"x\",}\n", "invalid_json", 2,
     "invalid JSON (Expecting property name enclosed in double quotes: column 14)"),
    ("bad.jsonl", GOOD + "[1, 2]\n", "not_an_object", 2, "expected a JSON object, got an array"),
    ("bad.jsonl", GOOD + jsonl({"content": "x", "id": 3}), "missing_field", 2,
     "no 'text' field (keys: 'content', 'id')"),
    ("bad.jsonl", GOOD + jsonl({"text": 5}), "not_a_string", 2,
     "field 'text' is a number, not a string"),
    ("bad.jsonl", GOOD + jsonl({"text": None}), "not_a_string", 2,
     "field 'text' is null, not a string"),
    ("bad.jsonl", GOOD + jsonl({"text": " \n\t"}), "empty_text", 2,
     "field 'text' is empty or whitespace"),
    ("bad.jsonl", GOOD.encode() + b'{"text": "caf\xe9"}\n', "invalid_utf8", 2,
     "invalid UTF-8 at byte 13 of the line (invalid continuation byte)"),
    ("bad.jsonl", b"", "empty_file", None, "file has no JSON lines"),
    ("bad.jsonl", b"\n  \n", "empty_file", None, "file has no JSON lines"),
    ("bad.txt", b"", "empty_file", None, "file is empty"),
    ("bad.txt", b"  \n\n", "empty_text", None, "file holds only whitespace"),
    ("bad.txt", b"ok\nbad \xff", "invalid_utf8", 2, "invalid UTF-8 at byte 7 (invalid start byte)"),
    ("bad.jsonl.gz", gzip.compress(GOOD.encode() * 50) + b"junk", "corrupt_gzip", 51,
     "gzip data is corrupt or truncated"),
]
IDS = [f"{case[2]}-{case[0]}-{i}" for i, case in enumerate(BAD_CASES)]


@pytest.mark.parametrize("name, data, reason, line, expected", BAD_CASES, ids=IDS)
def test_bad_input_raises_with_location_and_hint(tmp_path, name, data, reason, line, expected):
    path = write(tmp_path / name, data)
    where = str(path) if line is None else f"{path}:{line}"
    with pytest.raises(DataError) as info:
        list(read_source(path))
    message = str(info.value)
    assert message.startswith(f"{where}: {expected}")
    unit = "lines" if name == "bad.jsonl" and line else "files"  # a bad line, or a whole bad file
    assert message.endswith(f"or set on_error: skip in the source config to skip and count bad {unit}.")


@pytest.mark.parametrize("name, data, reason, line, expected", BAD_CASES, ids=IDS)
def test_bad_input_is_skipped_and_counted(tmp_path, name, data, reason, line, expected):
    write(tmp_path / "a_first.txt", "before")
    path = write(tmp_path / name, data)
    write(tmp_path / "z_last.jsonl", jsonl({"text": "after"}))
    stats = ReadStats()
    texts = [d["text"] for d in read_source(tmp_path, on_error="skip", stats=stats)]
    good_in_bad = {"bad.txt": 0, "bad.jsonl": 1 if line else 0, "bad.jsonl.gz": 50}[name]
    assert texts == ["before"] + ["good"] * good_in_bad + ["after"]
    assert (stats.files, stats.documents, stats.skipped) == (3, len(texts), 1)
    assert stats.skipped_reasons == {reason: 1}
    where = str(path) if line is None else f"{path}:{line}"
    assert len(stats.examples) == 1 and stats.examples[0].startswith(f"{where}: {expected}")
    assert "on_error" not in stats.examples[0]  # examples are for reports: no config hint


def test_missing_field_suggests_the_only_string_key(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({"body": "x", "id": 3}))
    with pytest.raises(DataError, match=r"a\.jsonl:1: no 'text' field \(keys: 'body', 'id'\)\. "
                       r"Set text_field: body in the source config if that field holds the text"):
        list(read_source(path))
    path = write(tmp_path / "b.jsonl", jsonl({}))
    with pytest.raises(DataError, match=r"keys: none, the object is empty\)\. Set text_field in"):
        list(read_source(path))


def test_truncated_gzip_keeps_what_was_readable(tmp_path):
    body = jsonl(*({"text": f"doc {i} " + "x" * (i % 97)} for i in range(2000))).encode()
    data = gzip.compress(body)
    path = write(tmp_path / "cut.jsonl.gz", data[: len(data) // 2])
    stats = ReadStats()
    texts = [d["text"] for d in read_source(path, on_error="skip", stats=stats)]
    assert 0 < len(texts) < 2000 and texts == [f"doc {i} " + "x" * (i % 97) for i in range(len(texts))]
    assert stats.skipped_reasons == {"corrupt_gzip": 1}
    assert stats.examples[0].startswith(f"{path}:{len(texts) + 1}: gzip data is corrupt or truncated")


def test_skip_examples_are_capped(tmp_path):
    path = write(tmp_path / "a.jsonl", "{bad\n" * 8 + jsonl({"text": "ok"}))
    stats = ReadStats()
    assert [d["text"] for d in read_source(path, on_error="skip", stats=stats)] == ["ok"]
    assert stats.skipped_reasons == {"invalid_json": 8}
    assert [e.split(": ")[0] for e in stats.examples] == [f"{path}:{n}" for n in range(1, 6)]


# --- path and argument errors ----------------------------------------------------------------------


def test_missing_path_suggests_close_names(tmp_path):
    write(tmp_path / "corpus.jsonl", GOOD)
    with pytest.raises(DataError) as info:
        read_source(tmp_path / "corpsu.jsonl")  # raised at call time, before iterating
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'corpsu.jsonl'}: no such file or folder.")
    assert f"Did you mean {str(tmp_path / 'corpus.jsonl')!r}?" in message


def test_missing_parent_is_named(tmp_path):
    with pytest.raises(DataError, match="parent folder .*nope' does not exist"):
        read_source(tmp_path / "nope" / "x.jsonl")


def test_empty_folder_lists_supported_extensions(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError) as info:
        read_source(tmp_path / "empty")
    assert str(info.value).startswith(f"{tmp_path / 'empty'}: no readable files (found no files). ")
    assert ".txt, .md" in str(info.value) and ".jsonl, .jsonl.gz" in str(info.value)
    write(tmp_path / "other" / "a.xlsx", b"PAR1")
    write(tmp_path / "other" / "b.csv", "x")
    write(tmp_path / "other" / "c.csv", "x")
    with pytest.raises(DataError, match=r"no readable files \(found 2 \.csv, 1 \.xlsx\)"):
        read_source(tmp_path / "other")


def test_bad_arguments(tmp_path):
    path = write(tmp_path / "a.txt", "x")
    with pytest.raises(DataError, match="fmt='csv' is not supported"):
        read_source(path, fmt="csv")
    with pytest.raises(DataError, match="on_error='ignore' is not supported"):
        read_source(path, on_error="ignore")
