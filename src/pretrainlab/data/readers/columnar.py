"""Columnar readers: a Parquet file or a Hugging Face ``save_to_disk`` folder is one document per row.

Both stream in batches of :data:`BATCH_ROWS` rows and never hold a whole file: Parquet through
``pyarrow.parquet.ParquetFile.iter_batches`` (row group by row group), a dataset folder through
``datasets.load_from_disk``, whose Arrow table is memory-mapped, iterated in Arrow batches. Only the
columns that end up in a document are read.

A document's ``meta`` holds the row's other scalar columns (strings, numbers, booleans) in schema
order, then the entries of a struct column named ``meta`` if there is one, then ``file`` and ``row``
(provenance always wins a name clash), as for JSONL. ``row`` counts from 0 in the file (or dataset
split), like ``table[row]`` / ``dataset[row]``; messages name a row as ``"path row N"``.

Both libraries are optional (extras ``parquet`` and ``hf-datasets``) and imported only when such data
is read. Problems go to a :class:`Policy`; reason keys: ``missing_field``, ``not_a_string``,
``empty_text``, ``empty_file``, ``unreadable_file``, ``corrupt_parquet``, ``corrupt_dataset``.

A *dataset folder* holds ``dataset_info.json`` and ``state.json`` (a ``Dataset``) or
``dataset_dict.json`` (a ``DatasetDict``, whose splits are subfolders that are ``Dataset`` folders).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pretrainlab.data.readers.errors import DataError, Policy

BATCH_ROWS = 256
"""Rows decoded at a time: bounds memory whatever the size of a file or a row group."""

DATASET = "dataset"
DATASET_DICT = "dataset_dict"
_RECREATE = "Re-create the file"


# --- optional dependencies ---------------------------------------------------------------------


def import_pyarrow() -> Any:
    """``pyarrow`` (with ``pyarrow.parquet`` loaded), or a DataError saying how to install it."""
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401 - loads pyarrow.parquet as an attribute of pyarrow
    except ImportError:
        raise DataError("reading .parquet needs pyarrow: pip install 'pretrainlab[parquet]'") from None
    return pyarrow


def import_datasets() -> Any:
    """``datasets``, or a DataError saying how to install it."""
    try:
        import datasets
    except ImportError:
        raise DataError("reading a Hugging Face dataset folder (save_to_disk) needs datasets: "
                        "pip install 'pretrainlab[hf-datasets]'") from None
    return datasets


# --- dataset folders ---------------------------------------------------------------------------


def dataset_folder_kind(folder: Path) -> str | None:
    """:data:`DATASET` or :data:`DATASET_DICT` if ``folder`` was written by ``save_to_disk``."""
    if (folder / "dataset_dict.json").is_file():
        return DATASET_DICT
    if (folder / "state.json").is_file() and (folder / "dataset_info.json").is_file():
        return DATASET
    return None


def dataset_dict_splits(folder: Path) -> list[str]:
    """The split names listed in a DatasetDict folder's ``dataset_dict.json``.

    Raises:
        DataError: The file cannot be read or does not list splits.
    """
    marker = folder / "dataset_dict.json"
    try:
        splits = json.loads(marker.read_text(encoding="utf-8"))["splits"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DataError(f"{marker}: cannot read the DatasetDict's split list ({type(e).__name__}: {e}). "
                        "Re-save the dataset with save_to_disk.") from None
    if not isinstance(splits, list) or not all(isinstance(s, str) for s in splits):
        raise DataError(f"{marker}: 'splits' is not a list of names. Re-save the dataset with "
                        "save_to_disk.")
    return splits


# --- readers -----------------------------------------------------------------------------------


def read_parquet_file(path: Path, rel: str, text_field: str, policy: Policy) -> Iterator[dict]:
    """Yield one document per row of a Parquet file, a batch at a time."""
    pa = import_pyarrow()
    where = str(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as e:
        policy.report("unreadable_file", where, f"cannot open file ({e.strerror})",
                      "Fix the file's permissions", unit="files")
        return
    with raw:
        try:
            parquet = pa.parquet.ParquetFile(raw)
            schema = parquet.schema_arrow
        except (OSError, pa.ArrowException) as e:
            policy.report("corrupt_parquet", where, f"not a readable Parquet file ({_oneline(e)})",
                          f"{_RECREATE} (pyarrow.parquet.read_metadata checks it)", unit="files")
            return
        plan = _plan(pa, schema, where, text_field, policy)
        if plan is None:
            return
        if parquet.metadata.num_rows == 0:
            policy.report("empty_file", where, "file has no rows", "Delete the file or add rows",
                          unit="files")
            return
        row = 0
        try:
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=plan.columns):
                yield from plan.documents(batch, row, where, rel, policy)
                row += batch.num_rows
        except (OSError, pa.ArrowException) as e:
            policy.report("corrupt_parquet", where,
                          f"Parquet data is corrupt or truncated after {row} rows ({_oneline(e)})",
                          _RECREATE, unit="files")


def read_hf_dataset(folder: Path, rel: str, text_field: str, policy: Policy) -> Iterator[dict]:
    """Yield one document per row of a ``save_to_disk`` Dataset folder, a batch at a time."""
    datasets = import_datasets()
    pa = import_pyarrow()
    where = str(folder)
    fix = "Re-save the dataset with save_to_disk"
    try:
        dataset = datasets.load_from_disk(where)
    except (OSError, ValueError, KeyError, pa.ArrowException) as e:
        policy.report("corrupt_dataset", where,
                      f"cannot load the dataset ({type(e).__name__}: {_oneline(e)})", fix, unit="files")
        return
    if not isinstance(dataset, datasets.Dataset):  # a DatasetDict: source.py passes split folders
        raise DataError(f"{where}: expected a single Dataset, got {type(dataset).__name__}. Point the "
                        "source path at one split.")
    plan = _plan(pa, dataset.data.schema, where, text_field, policy)
    if plan is None:
        return
    if len(dataset) == 0:
        policy.report("empty_file", where, "dataset has no rows", "Drop the source or add rows",
                      unit="files")
        return
    batches = dataset.select_columns(plan.columns).with_format("arrow").iter(batch_size=BATCH_ROWS)
    row = 0
    try:
        for batch in batches:
            yield from plan.documents(batch, row, where, rel, policy)
            row += batch.num_rows
    except (OSError, pa.ArrowException) as e:
        policy.report("corrupt_dataset", where,
                      f"Arrow data is corrupt or truncated after {row} rows ({_oneline(e)})", fix,
                      unit="files")


# --- rows -> documents -------------------------------------------------------------------------


class _Plan:
    """Which columns to read from a schema, and how to turn a batch of them into documents."""

    def __init__(self, text_field: str, meta_columns: list[str], meta_struct: bool) -> None:
        self.text_field = text_field
        self.meta_columns = meta_columns
        self.meta_struct = meta_struct
        self.columns = [text_field, *meta_columns] + (["meta"] if meta_struct else [])

    def documents(self, batch: Any, first_row: int, where: str, rel: str,
                  policy: Policy) -> Iterator[dict]:
        """Documents for the rows of one Arrow batch (RecordBatch or Table) starting at ``first_row``."""
        texts = batch.column(self.text_field).to_pylist()
        metas = [batch.column(c).to_pylist() for c in self.meta_columns]
        structs = batch.column("meta").to_pylist() if self.meta_struct else None
        for i, text in enumerate(texts):
            row = first_row + i
            if text is None:
                policy.report("not_a_string", f"{where} row {row}",
                              f"column {self.text_field!r} is null, not a string",
                              "Drop the row or fill in the text", unit="rows")
                continue
            if not text.strip():
                policy.report("empty_text", f"{where} row {row}",
                              f"column {self.text_field!r} is empty or whitespace",
                              "Drop the row or fill in the text", unit="rows")
                continue
            meta = {c: values[i] for c, values in zip(self.meta_columns, metas)}
            if structs is not None and structs[i] is not None:
                meta.update(structs[i])
            meta.update(file=rel, row=row)
            yield {"text": text, "meta": meta}


def _plan(pa: Any, schema: Any, where: str, text_field: str, policy: Policy) -> _Plan | None:
    """Check the text column (present, string-typed) and pick the meta columns, or report and None."""
    names = list(schema.names)
    if text_field not in names:
        shown = ", ".join(repr(n) for n in names) or "none"
        policy.report("missing_field", where, f"no {text_field!r} column (columns: {shown})",
                      _missing_column_fix(pa, schema, text_field), unit="files")
        return None
    text_type = schema.field(text_field).type
    if not (_is_string(pa, text_type) or pa.types.is_null(text_type)):
        policy.report("not_a_string", where, f"column {text_field!r} has type {text_type}, not string",
                      "Cast the column to string, or set text_field in the source config to the "
                      "column that holds the text", unit="files")
        return None
    meta_columns, meta_struct = [], False
    for name in names:
        if name == text_field or names.count(name) > 1:  # a duplicated name is ambiguous: left out
            continue
        arrow_type = schema.field(name).type
        if name == "meta" and pa.types.is_struct(arrow_type):
            meta_struct = True  # merged after the scalar columns, as a JSONL record's "meta" object
        elif _is_scalar_type(pa, arrow_type):
            meta_columns.append(name)
    return _Plan(text_field, meta_columns, meta_struct)


def _is_string(pa: Any, arrow_type: Any) -> bool:
    """String, large string, string view, or a dictionary of strings (e.g. a pandas categorical)."""
    if pa.types.is_dictionary(arrow_type):
        return _is_string(pa, arrow_type.value_type)
    is_view = getattr(pa.types, "is_string_view", None)
    return (pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
            or (is_view is not None and is_view(arrow_type)))


def _is_scalar_type(pa: Any, arrow_type: Any) -> bool:
    """Types whose values are JSON scalars (what JSONL keeps in meta); not float16, dates, bytes."""
    return (_is_string(pa, arrow_type) or pa.types.is_integer(arrow_type)
            or pa.types.is_boolean(arrow_type) or pa.types.is_float32(arrow_type)
            or pa.types.is_float64(arrow_type) or pa.types.is_null(arrow_type))


def _oneline(error: Exception) -> str:
    """An Arrow error message on one line (they often span several)."""
    return " ".join(str(error).split())


def _missing_column_fix(pa: Any, schema: Any, text_field: str) -> str:
    """Suggest the column to use as ``text_field`` when exactly one column holds strings."""
    strings = [f.name for f in schema if _is_string(pa, f.type)]
    if len(strings) == 1:
        return f"Set text_field: {strings[0]} in the source config if that column holds the text"
    return "Set text_field in the source config to the column that holds the text"
