"""Output directories: pretrainlab writes only into a new or empty directory, or one it made before.

``claim_dir(path, kind)`` is called before anything is written. It creates ``path`` and a marker file
``.pretrainlab`` (``{"kind": "run"}``) in it, or accepts a directory whose marker names the same kind
(re-running, resuming). Anything else is refused with a message that says why and what to do — a regular
file, a folder holding other files, another kind of pretrainlab output, a location that cannot be written —
so a user's files are never changed or deleted. Directories made before markers existed are recognised by
their contents (``legacy``).

    claim_dir("runs/quickstart", "run")          # creates it, or accepts an earlier run's directory
    claim_dir("~/Documents", "run")              # OutDirError: not empty and not a pretrainlab run ...
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

MARKER = ".pretrainlab"


class OutDirError(ValueError):
    """An output location pretrainlab will not write to; the message names the path and the fix."""


def owner(path: Path) -> str | None:
    """The kind of pretrainlab output ``path`` holds according to its marker (None: no marker)."""
    marker = Path(path) / MARKER
    if not marker.is_file():
        return None
    try:
        return str(json.loads(marker.read_text()).get("kind"))
    except (ValueError, OSError, AttributeError):
        return "unknown"


def claim_dir(path: str | Path, kind: str, legacy: Callable[[Path], bool] | None = None) -> Path:
    """``path`` ready for output of ``kind`` (created and marked), or ``OutDirError``."""
    p = Path(path).expanduser()
    if p.exists() and not p.is_dir():
        raise OutDirError(f"{p} is a file, not a directory; choose a new directory for the {kind}")
    if p.is_dir():
        found = owner(p)
        if found == kind:
            return p
        if found is not None:
            raise OutDirError(f"{p} holds a pretrainlab {found}, not a {kind}; choose another directory")
        entries = sorted(e.name for e in p.iterdir())
        if entries and not (legacy and legacy(p)):
            shown = ", ".join(entries[:5]) + (f" … ({len(entries)} entries)" if len(entries) > 5 else "")
            raise OutDirError(f"{p} is not empty and not a pretrainlab {kind} ({shown}); pretrainlab never writes "
                              f"into a folder of other files: choose a new or empty directory")
    try:
        p.mkdir(parents=True, exist_ok=True)
        (p / MARKER).write_text(json.dumps({"kind": kind}) + "\n")
    except PermissionError:
        raise OutDirError(f"{p}: permission denied; choose a directory you can write to") from None
    except (FileExistsError, NotADirectoryError):
        raise OutDirError(f"{p}: a parent of it is a file, not a directory; choose another path") from None
    except OSError as e:
        raise OutDirError(f"{p}: cannot create it ({e.strerror}); choose another path") from None
    return p


def legacy_run(p: Path) -> bool:
    """A run directory written before markers: its config.yaml beside a log, checkpoints, summary or data."""
    return (p / "config.yaml").is_file() and any((p / n).exists() for n in
                                                 ("metrics.jsonl", "checkpoints", "summary.json", "data", "log.txt"))
