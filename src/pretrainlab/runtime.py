"""Where a process runs: its torch device and the CPU cores it may use.

Base layer (imports nothing from pretrainlab). Moved here from the run stacks: ``pick_device`` was in
runner.py, ``usable_cores`` in train/distributed.py; both old paths still re-export them for one release.
"""

from __future__ import annotations

import os

import torch


def pick_device(name: str) -> torch.device:
    """``auto``: CUDA when available, else CPU; any other name is passed to ``torch.device``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def usable_cores() -> int:
    """CPU cores this process may run on: its affinity mask (taskset, Slurm, cgroup cpusets), not the host's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS / Windows have no affinity mask
        return os.cpu_count() or 1
