"""Where a result came from: the project's git state, the machine and the package versions.

``run_info.json`` in every run directory (written by run/execute.py, rank 0) lists one entry per session
that ran it — a fresh start and each ``--resume`` — with the command line, the step it started from, the git
commit and dirty flag of the project, the machine (CPU model and the instruction sets that change numerics or
speed, GPUs), package versions and start/end times. Experiments' ``claims.json`` records the git state and
machine the same way (experiments/preregistration.py).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("torch", "numpy", "tokenizers", "safetensors", "transformers", "scikit-learn", "scipy", "datasets",
            "pyarrow", "datasketch", "galore-torch", "pretrainlab")
CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "fma", "sve", "neon")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def git_state(repo: Path = REPO) -> dict:
    """{commit, dirty} of the project checkout (``None`` outside a git checkout, e.g. an installed wheel)."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no", "--", "src") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def _cpu() -> tuple[str, list[str]]:
    """CPU model name and the flags of ``CPU_FLAGS`` it has (Linux /proc/cpuinfo; else platform's answer)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine(), []
    model = next((ln.split(":", 1)[1].strip() for ln in text.splitlines() if ln.startswith("model name")), "")
    flags = next((ln.split(":", 1)[1].split() for ln in text.splitlines() if ln.startswith(("flags", "Features"))), [])
    return model or platform.machine(), [f for f in CPU_FLAGS if f in flags]


def machine() -> dict:
    import torch

    from pretrainlab.runtime import usable_cores

    model, flags = _cpu()
    info = {"cpu": model, "cpu_flags": flags, "cores": os.cpu_count(), "usable_cores": usable_cores(),
            "platform": platform.platform(), "python": platform.python_version(), "torch": torch.__version__}
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        info["cuda"] = torch.version.cuda
    return info


def packages() -> dict[str, str]:
    """Installed versions of the packages that shape results (missing ones left out)."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def session(start_step: int) -> dict:
    """This process's entry of run_info.json (``end`` is filled in when the run finishes)."""
    return {"command": [Path(sys.argv[0]).name, *sys.argv[1:]], "start_step": start_step, "start": now(),
            "end": None, "git": git_state(), "machine": machine(), "packages": packages()}


def write_run_info(out: Path, entry: dict) -> None:
    """Add or update this session's ``entry`` (matched by its start time) in ``out/run_info.json``, atomically."""
    path = out / "run_info.json"
    try:
        sessions = json.loads(path.read_text())["sessions"] if path.exists() else []
    except (ValueError, KeyError):
        sessions = []
    sessions = [s for s in sessions if s.get("start") != entry["start"]] + [entry]
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"sessions": sessions}, indent=1))
    os.replace(tmp, path)
