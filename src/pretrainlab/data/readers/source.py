"""``read_source``: turn a user path (a file or a folder tree) into a stream of documents.

A folder is walked recursively in sorted order (by path components, so the order is the same on every
machine); hidden files and folders (name starts with ".") are skipped, and files with other
extensions are counted in ``stats.ignored_files``. Path and argument problems (missing path, empty
folder, unknown format) always raise :class:`DataError`, before any document is read; problems in the
data itself follow ``on_error``.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pretrainlab.data.readers.errors import DataError, OnError, Policy, ReadStats
from pretrainlab.data.readers.formats import read_jsonl_file, read_text_file

SUFFIXES = {".txt": "text", ".md": "text", ".jsonl": "jsonl", ".jsonl.gz": "jsonl"}
"""Extensions read by ``fmt="auto"`` and the format of each."""
FORMATS = ("auto", "text", "jsonl")
_SUPPORTED = "Supported: .txt, .md (one document per file), .jsonl, .jsonl.gz (one document per line)"

# (absolute file, path relative to the source for meta, "text" | "jsonl")
_Entry = tuple[Path, str, str]


def read_source(path: str | os.PathLike, *, text_field: str = "text", on_error: OnError = "raise",
                stats: ReadStats | None = None, fmt: str = "auto",
                limit: int | None = None) -> Iterator[dict]:
    """Stream ``{"text": str, "meta": {...}}`` documents from a file or a folder tree.

    Args:
        path: A ``.txt``/``.md`` file (one document), a ``.jsonl``/``.jsonl.gz`` file (one document
            per line), or a folder read recursively.
        text_field: The JSONL key holding the text.
        on_error: ``"raise"`` stops at the first bad item; ``"skip"`` counts it in ``stats`` instead.
        stats: Filled in while reading (files, documents, skips by reason, example messages).
        fmt: ``"auto"`` picks by extension. For a file, ``"text"``/``"jsonl"`` read it as that format
            whatever its name; for a folder, they read only files of that format.
        limit: Stop after this many documents.

    Raises:
        DataError: Immediately for a missing path, an empty folder or a bad argument; while iterating
            for bad data when ``on_error="raise"``.

    Examples:
        >>> docs = read_source("corpus/", text_field="content", on_error="skip")  # doctest: +SKIP
        >>> next(docs)["meta"]  # doctest: +SKIP
        {'id': 7, 'file': 'web/part-0.jsonl', 'line': 1}
    """
    if fmt not in FORMATS:
        raise DataError(f"fmt={fmt!r} is not supported. Use fmt: auto, text or jsonl.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise DataError(f"limit={limit!r} must be a whole number >= 0, or None for no limit.")
    policy = Policy(on_error, stats if stats is not None else ReadStats())
    entries = _list_entries(Path(path), fmt, policy.stats)
    return _documents(entries, text_field, policy, limit)


def count_documents(path: str | os.PathLike, **kwargs) -> int:
    """Number of documents ``read_source(path, **kwargs)`` yields (reads the whole source)."""
    return sum(1 for _ in read_source(path, **kwargs))


def _documents(entries: list[_Entry], text_field: str, policy: Policy,
               limit: int | None) -> Iterator[dict]:
    yielded = 0
    for file, rel, kind in entries:
        if limit is not None and yielded >= limit:
            return
        policy.stats.files += 1
        if kind == "text":
            docs = read_text_file(file, rel, policy)
        else:
            docs = read_jsonl_file(file, rel, text_field, policy)
        with contextlib.closing(docs):  # closes the file at once when we stop early
            for doc in docs:
                if limit is not None and yielded >= limit:
                    return
                policy.stats.documents += 1
                yielded += 1
                yield doc


def _list_entries(root: Path, fmt: str, stats: ReadStats) -> list[_Entry]:
    """The files to read, in order, or a DataError if there are none."""
    if root.is_file():
        kind = fmt if fmt != "auto" else _kind(root.name)
        if kind is None:
            raise DataError(
                f"{root}: unsupported file type {_suffix(root.name)!r}. {_SUPPORTED}. Convert the "
                "file, or set fmt: text or fmt: jsonl in the source config to read it as that format."
            )
        return [(root, root.name, kind)]
    if root.is_dir():
        return _scan_folder(root, fmt, stats)
    if root.exists():
        raise DataError(f"{root}: not a regular file or folder. Point the source path at data files.")
    raise DataError(_missing_message(root))


def _scan_folder(root: Path, fmt: str, stats: ReadStats) -> list[_Entry]:
    entries: list[_Entry] = []
    ignored: Counter[str] = Counter()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            kind = _kind(name)
            if kind is not None and fmt in ("auto", kind):
                file = Path(folder) / name
                entries.append((file, file.relative_to(root).as_posix(), kind))
            else:
                ignored[_suffix(name) or "(no extension)"] += 1
    stats.ignored_files += sum(ignored.values())
    if not entries:
        found = ", ".join(f"{n} {ext}" for ext, n in sorted(ignored.items())) or "no files"
        wanted = "" if fmt == "auto" else f" with fmt: {fmt}"
        raise DataError(
            f"{root}: no readable files{wanted} (found {found}). {_SUPPORTED}. Add or convert data "
            "files, or point the source path at another folder."
        )
    entries.sort(key=lambda entry: entry[1].split("/"))
    return entries


def _kind(name: str) -> str | None:
    lower = name.lower()
    for suffix, kind in SUFFIXES.items():
        if lower.endswith(suffix):
            return kind
    return None


def _suffix(name: str) -> str:
    """``.jsonl.gz``-style double suffix if the name has one, else the last suffix ('' if none)."""
    suffixes = Path(name).suffixes
    return "".join(suffixes[-2:]).lower() if suffixes[-1:] == [".gz"] else "".join(suffixes[-1:]).lower()


def _missing_message(root: Path) -> str:
    message = f"{root}: no such file or folder."
    parent = root.parent
    if parent.is_dir():
        names = sorted(p.name for p in parent.iterdir())
        close = difflib.get_close_matches(root.name, names, n=3, cutoff=0.6)
        if close:
            message += " Did you mean " + " or ".join(repr(str(parent / c)) for c in close) + "?"
    else:
        message += f" Its parent folder {str(parent)!r} does not exist either."
    if not root.is_absolute():
        message += f" Relative paths are resolved from the current directory ({os.getcwd()})."
    return message + " Fix the path in the source config."
