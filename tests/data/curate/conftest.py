"""Fixtures for the curation tests (tiny, CPU only)."""

from __future__ import annotations

import pytest
from curate_helpers import write_jsonl


@pytest.fixture
def shards(tmp_path):
    """Write ``docs`` round-robin into ``n`` shards under tmp/in; return the folder."""

    def make(docs: list[dict], n: int = 3):
        folder = tmp_path / "in"
        for k in range(n):
            write_jsonl(folder / f"shard_{k:02d}.jsonl", docs[k::n])
        return folder

    return make
