"""Per-file readers: a plain text file is one document, a JSONL file is one document per line.

Both stream: a text file is read once (it *is* one document), a JSONL file (plain or gzip, detected by
its magic bytes, not its name) is read one line at a time. Problems go to a :class:`Policy`, which
raises or counts them; reason keys: ``empty_file``, ``empty_text``, ``invalid_utf8``,
``invalid_json``, ``not_an_object``, ``missing_field``, ``not_a_string``, ``unreadable_file``,
``corrupt_gzip``.

A JSONL document's ``meta`` holds the record's other scalar fields, then the entries of its ``"meta"``
object if it has one, then ``file`` and ``line`` (provenance always wins a name clash).
"""

from __future__ import annotations

import codecs
import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pretrainlab.data.readers.errors import Policy

_GZIP_MAGIC = b"\x1f\x8b"
_REENCODE = "Re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 in > out)"


def read_text_file(path: Path, rel: str, policy: Policy) -> Iterator[dict]:
    """Yield the whole file as one document ``{"text", "meta": {"file": rel}}`` (UTF-8, BOM dropped)."""
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        policy.report("unreadable_file", where, f"cannot read file ({e.strerror})",
                      "Fix the file's permissions", unit="files")
        return
    if not data:
        policy.report("empty_file", where, "file is empty", "Delete the file or add text", unit="files")
        return
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as e:
        offset = bom + e.start
        line = data.count(b"\n", 0, offset) + 1
        policy.report("invalid_utf8", f"{where}:{line}", f"invalid UTF-8 at byte {offset} ({e.reason})",
                      _REENCODE, unit="files")
        return
    if not text.strip():
        policy.report("empty_text", where, "file holds only whitespace", "Delete the file or add text",
                      unit="files")
        return
    yield {"text": text, "meta": {"file": rel}}


def read_jsonl_file(path: Path, rel: str, text_field: str, policy: Policy) -> Iterator[dict]:
    """Yield one document per non-blank line of a JSONL file (gzip-compressed or not)."""
    where = str(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, after the gzip check
    except OSError as e:
        policy.report("unreadable_file", where, f"cannot open file ({e.strerror})",
                      "Fix the file's permissions", unit="files")
        return
    with raw:
        compressed = raw.peek(2)[:2] == _GZIP_MAGIC
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        counts = {"line": 0, "records": 0}
        try:
            with stream:
                yield from _read_lines(stream, where, rel, text_field, policy, counts)
        except (OSError, EOFError, zlib.error) as e:
            reason, what = ("corrupt_gzip", "gzip data is corrupt or truncated") if compressed else (
                "unreadable_file", "read error")
            policy.report(reason, f"{where}:{counts['line'] + 1}", f"{what} ({e})",
                          "Re-create the file (gzip -t checks a .gz file)", unit="files")
            return
    if counts["records"] == 0:
        policy.report("empty_file", where, "file has no JSON lines", "Delete the file or add lines",
                      unit="files")


def _read_lines(stream: IO[bytes], where: str, rel: str, text_field: str, policy: Policy,
                counts: dict[str, int]) -> Iterator[dict]:
    """Parse each line, keeping ``counts`` (lines read, non-blank lines) current for the caller."""
    for n, line in enumerate(stream, 1):
        counts["line"] = n
        if n == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        if not line.strip():
            continue  # blank lines are allowed, e.g. a trailing newline
        counts["records"] += 1
        doc = _parse_line(line, f"{where}:{n}", text_field, policy)
        if doc is not None:
            doc["meta"].update(file=rel, line=n)
            yield doc


def _parse_line(line: bytes, at: str, text_field: str, policy: Policy) -> dict | None:
    """Turn one JSONL line into a document, or report why it cannot be one and return None."""
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as e:
        policy.report("invalid_utf8", at, f"invalid UTF-8 at byte {e.start} of the line ({e.reason})",
                      _REENCODE)
        return None
    except json.JSONDecodeError as e:
        policy.report("invalid_json", at, f"invalid JSON ({e.msg}: column {e.colno})", "Fix the line")
        return None
    if not isinstance(record, dict):
        policy.report("not_an_object", at, f"expected a JSON object, got {_json_type(record)}",
                      'Write one object per line, e.g. {"text": "..."}')
        return None
    if text_field not in record:
        policy.report("missing_field", at, _missing_field_problem(record, text_field),
                      _missing_field_fix(record, text_field))
        return None
    text = record[text_field]
    if not isinstance(text, str):
        policy.report("not_a_string", at, f"field {text_field!r} is {_json_type(text)}, not a string",
                      "Store the text as a JSON string")
        return None
    if not text.strip():
        policy.report("empty_text", at, f"field {text_field!r} is empty or whitespace",
                      "Drop the line or fill in the text")
        return None
    return {"text": text, "meta": _record_meta(record, text_field)}


def _record_meta(record: dict, text_field: str) -> dict:
    """Scalar top-level fields (except the text), then the record's own ``"meta"`` object."""
    meta = {k: v for k, v in record.items() if k != text_field and _is_scalar(v)}
    if text_field != "meta" and isinstance(record.get("meta"), dict):
        meta.update(record["meta"])
    return meta


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, with an article: 'an array', 'a number'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {dict: "an object", list: "an array", str: "a string"}[type(value)]


def _missing_field_problem(record: dict, text_field: str) -> str:
    keys = ", ".join(repr(k) for k in record) or "none, the object is empty"
    return f"no {text_field!r} field (keys: {keys})"


def _missing_field_fix(record: dict, text_field: str) -> str:
    """Suggest the key to use as ``text_field`` when exactly one field holds a string."""
    strings = [k for k, v in record.items() if isinstance(v, str)]
    if len(strings) == 1:
        return f"Set text_field: {strings[0]} in the source config if that field holds the text"
    return "Set text_field in the source config to the key that holds the text"
