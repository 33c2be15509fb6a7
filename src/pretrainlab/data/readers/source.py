"""``read_source``: turn a user path (a file or a folder tree) into a stream of documents.

A folder is walked recursively in sorted order (by path components, so the order is the same on every
machine); hidden files and folders (name starts with ".") are skipped, and files with other
extensions are counted in ``stats.ignored_files``. A folder written by ``datasets``' ``save_to_disk``
(found by its marker files, see :mod:`.columnar`) is read as one dataset, not walked into, whether it
is the source path itself or a folder inside it. Path and argument problems (missing path, empty
folder, unknown format or split, a missing optional library) always raise :class:`DataError`, before
any document is read; problems in the data itself follow ``on_error``.

A ``DatasetDict`` folder is read from its ``train`` split; ``path::split`` (e.g. ``"wiki::validation"``)
reads another one. The suffix is only parsed when ``path`` itself does not exist.
"""

from __future__ import annotations

import contextlib
import difflib
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from pretrainlab.data.readers.columnar import (
    DATASET,
    dataset_dict_splits,
    dataset_folder_kind,
    import_datasets,
    import_pyarrow,
    read_hf_dataset,
    read_parquet_file,
)
from pretrainlab.data.readers.errors import DataError, OnError, Policy, ReadStats
from pretrainlab.data.readers.formats import read_jsonl_file, read_text_file

SUFFIXES = {".txt": "text", ".md": "text", ".jsonl": "jsonl", ".jsonl.gz": "jsonl",
            ".parquet": "parquet"}
"""Extensions read by ``fmt="auto"`` and the format of each (``"hf"`` folders go by marker files)."""
FORMATS = ("auto", "text", "jsonl", "parquet", "hf")
_SUPPORTED = ("Supported: .txt, .md (one document per file), .jsonl, .jsonl.gz (one document per line), "
              ".parquet and Hugging Face save_to_disk folders (one document per row)")
_DEFAULT_SPLIT = "train"
_SPLIT_SEP = "::"

# (absolute file or dataset folder, path relative to the source for meta, "text"|"jsonl"|"parquet"|"hf")
_Entry = tuple[Path, str, str]


def read_source(path: str | os.PathLike, *, text_field: str = "text", on_error: OnError = "raise",
                stats: ReadStats | None = None, fmt: str = "auto",
                limit: int | None = None) -> Iterator[dict]:
    """Stream ``{"text": str, "meta": {...}}`` documents from a file or a folder tree.

    Args:
        path: A ``.txt``/``.md`` file (one document), a ``.jsonl``/``.jsonl.gz`` file (one document
            per line), a ``.parquet`` file (one document per row), a Hugging Face ``save_to_disk``
            folder (one document per row; ``"folder::split"`` picks a DatasetDict split, default
            ``train``), or a folder read recursively. Parquet needs ``pretrainlab[parquet]``, dataset
            folders ``pretrainlab[hf-datasets]``.
        text_field: The JSONL key or the Parquet/dataset column holding the text.
        on_error: ``"raise"`` stops at the first bad item; ``"skip"`` counts it in ``stats`` instead.
        stats: Filled in while reading (files, documents, skips by reason, example messages).
        fmt: ``"auto"`` picks by extension (and dataset folders by their marker files). For a file,
            ``"text"``/``"jsonl"``/``"parquet"`` read it as that format whatever its name; for a
            folder, they read only files of that format, and ``"hf"`` only dataset folders.
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
        raise DataError(f"fmt={fmt!r} is not supported. Use fmt: auto, text, jsonl, parquet or hf.")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise DataError(f"limit={limit!r} must be a whole number >= 0, or None for no limit.")
    policy = Policy(on_error, stats if stats is not None else ReadStats())
    root, split = _split_suffix(path)
    entries = _list_entries(root, fmt, policy.stats, split)
    kinds = {kind for _, _, kind in entries}
    if kinds & {"parquet", "hf"}:
        import_pyarrow()  # a missing optional library is reported now, not after other files
    if "hf" in kinds:
        import_datasets()
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
        elif kind == "jsonl":
            docs = read_jsonl_file(file, rel, text_field, policy)
        elif kind == "parquet":
            docs = read_parquet_file(file, rel, text_field, policy)
        else:
            docs = read_hf_dataset(file, rel, text_field, policy)
        with contextlib.closing(docs):  # closes the file at once when we stop early
            for doc in docs:
                if limit is not None and yielded >= limit:
                    return
                policy.stats.documents += 1
                yielded += 1
                yield doc


def _split_suffix(path: str | os.PathLike) -> tuple[Path, str | None]:
    """``"folder::split"`` -> ``(Path("folder"), "split")`` unless the whole path exists."""
    text = os.fspath(path)
    if isinstance(text, str) and _SPLIT_SEP in text and not Path(text).exists():
        base, _, split = text.rpartition(_SPLIT_SEP)
        return Path(base), split
    return Path(text), None


def _list_entries(root: Path, fmt: str, stats: ReadStats, split: str | None = None) -> list[_Entry]:
    """The files (and dataset folders) to read, in order, or a DataError if there are none."""
    if split is not None:
        if not root.exists():
            raise DataError(_missing_message(root))
        is_dict = root.is_dir() and dataset_folder_kind(root) not in (None, DATASET)
        if not is_dict or fmt not in ("auto", "hf"):
            raise DataError(
                f"{root}{_SPLIT_SEP}{split}: '{_SPLIT_SEP}{split}' selects a split of a Hugging Face "
                f"DatasetDict folder (one holding dataset_dict.json) read with fmt: auto or hf. Drop "
                f"'{_SPLIT_SEP}{split}' from the source path, or point it at a DatasetDict folder."
            )
    if root.is_file():
        if fmt == "hf":
            raise DataError(f"{root}: fmt: hf reads a Hugging Face save_to_disk folder, not a file. "
                            "Point the source path at the dataset folder, or set fmt: auto.")
        kind = fmt if fmt != "auto" else _kind(root.name)
        if kind is None:
            raise DataError(
                f"{root}: unsupported file type {_suffix(root.name)!r}. {_SUPPORTED}. Convert the "
                "file, or set fmt: text, jsonl or parquet in the source config to read it as that "
                "format."
            )
        return [(root, root.name, kind)]
    if root.is_dir():
        if fmt in ("auto", "hf") and dataset_folder_kind(root) is not None:
            return _dataset_entries(root, root.resolve().name, split)  # resolve: '.' has no name
        return _scan_folder(root, fmt, stats)
    if root.exists():
        raise DataError(f"{root}: not a regular file or folder. Point the source path at data files.")
    raise DataError(_missing_message(root))


def _scan_folder(root: Path, fmt: str, stats: ReadStats) -> list[_Entry]:
    entries: list[_Entry] = []
    ignored: Counter[str] = Counter()
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in list(subfolders):
            sub = Path(folder) / name
            if dataset_folder_kind(sub) is None:
                continue
            subfolders.remove(name)  # read as one dataset, never walked into
            if fmt in ("auto", "hf"):
                entries.extend(_dataset_entries(sub, sub.relative_to(root).as_posix(), None))
            else:
                ignored["(dataset folder)"] += 1
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
        hint = (" It is a Hugging Face dataset folder: set fmt: hf or auto."
                if dataset_folder_kind(root) is not None else "")
        raise DataError(
            f"{root}: no readable files{wanted} (found {found}). {_SUPPORTED}. Add or convert data "
            f"files, or point the source path at another folder.{hint}"
        )
    entries.sort(key=lambda entry: entry[1].split("/"))
    return entries


def _dataset_entries(folder: Path, rel: str, split: str | None) -> list[_Entry]:
    """The one Dataset folder to read: ``folder`` itself, or the chosen split of a DatasetDict."""
    if dataset_folder_kind(folder) == DATASET:
        return [(folder, rel, "hf")]
    splits = dataset_dict_splits(folder)
    wanted = _DEFAULT_SPLIT if split is None else split
    if wanted not in splits:
        shown = ", ".join(repr(s) for s in splits) or "none"
        example = next((s for s in splits if s != wanted), "validation")
        raise DataError(
            f"{folder}: the DatasetDict has no {wanted!r} split (splits: {shown}). Point the source "
            f"path at '{folder}{_SPLIT_SEP}{example}' to read another split."
        )
    split_folder = folder / wanted
    if dataset_folder_kind(split_folder) != DATASET:
        raise DataError(f"{split_folder}: the {wanted!r} split folder is missing or has no state.json "
                        "and dataset_info.json. Re-save the dataset with save_to_disk.")
    return [(split_folder, f"{rel}/{wanted}", "hf")]


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
