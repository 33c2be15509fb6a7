"""Readers for user data: text, JSONL and Parquet files, Hugging Face ``save_to_disk`` folders, or
folders of them, as a stream of documents.

A document is a plain dict ``{"text": str, "meta": {...}}``. ``meta["file"]`` is the path relative to
the source (plus ``meta["line"]`` for JSONL, ``meta["row"]``, from 0, for Parquet and datasets), so
every document can be traced back. Nothing is loaded whole: folders are walked lazily file by file,
JSONL is read line by line, Parquet and Arrow data a batch of rows at a time. Parquet needs the
``parquet`` extra (pyarrow), dataset folders the ``hf-datasets`` extra (datasets); both are imported
only when such data is read.

Bad data (invalid JSON or UTF-8, a missing or non-string text field, empty files or texts) raises a
:class:`DataError` naming ``file:line`` and the fix, or, with ``on_error="skip"``, is counted in
:class:`ReadStats` by reason::

    stats = ReadStats()
    for doc in read_source("corpus/", on_error="skip", stats=stats):
        ...
    stats.skipped_reasons  # {'invalid_json': 2, 'empty_text': 1}

Files:
    errors.py:   DataError, ReadStats and the raise-or-skip policy.
    formats.py:  one text file -> one document; one JSONL line -> one document.
    columnar.py: one Parquet or dataset row -> one document (optional pyarrow / datasets).
    source.py:   read_source / count_documents: path checks, folder walk, dataset folders, limit.
"""

from pretrainlab.data.readers.errors import DataError, ReadStats
from pretrainlab.data.readers.source import FORMATS, SUFFIXES, count_documents, read_source

__all__ = ["DataError", "FORMATS", "ReadStats", "SUFFIXES", "count_documents", "read_source"]
