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
    device = torch.device(name)
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise RuntimeError(f"device '{name}': CUDA is not available on this machine (no GPU, or torch was built "
                               "without CUDA); use device auto or cpu (train.device / --device)")
        if device.index is not None and device.index >= count:
            raise RuntimeError(f"device '{name}': this machine has {count} CUDA device(s) (cuda:0..cuda:{count - 1})")
    if device.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise RuntimeError(f"device '{name}': MPS (Apple GPU) is not available here; use device auto or cpu")
    return device


def usable_cores() -> int:
    """CPU cores this process may run on: its affinity mask (taskset, Slurm, cgroup cpusets), not the host's count."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS / Windows have no affinity mask
        return os.cpu_count() or 1
