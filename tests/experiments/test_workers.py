"""The local pool sizes itself to the cores this process may use (its affinity mask), not the host's count."""

import os

import pytest

from pretrainlab import runtime
from pretrainlab.experiments import executor


def test_usable_cores_follows_the_affinity_mask(monkeypatch):
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no affinity masks on this platform")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert runtime.usable_cores() == 3
    assert executor.auto_workers(10) == (3, 1)  # <= 4 cores: one single-threaded worker per core


def test_auto_workers_on_a_big_machine():
    assert executor.auto_workers(10, cores=16) == (4, 4)
    assert executor.auto_workers(2, cores=16) == (2, 8)
    assert executor.auto_workers(1, cores=1) == (1, 1)
