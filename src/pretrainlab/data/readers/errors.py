"""Error type, read statistics and the raise-or-skip policy shared by all readers.

Every problem found in user data goes through :class:`Policy.report`. With ``on_error="raise"`` it
becomes a :class:`DataError` whose message names the file (and line), the problem, the fix and the
``on_error: skip`` escape hatch. With ``on_error="skip"`` it is counted in :class:`ReadStats` under a
short reason key and reading continues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

OnError = Literal["raise", "skip"]

MAX_EXAMPLES = 5
"""How many skip messages :class:`ReadStats` keeps for reports."""


class DataError(ValueError):
    """User data cannot be read; the message names the file (and line) and how to fix it."""


@dataclass
class ReadStats:
    """Counters filled in while a source is read; pass one to ``read_source(stats=...)``.

    Examples:
        >>> stats = ReadStats()
        >>> stats.record_skip("empty_text", "a.jsonl:3: text field is empty")
        >>> stats.skipped, stats.skipped_reasons
        (1, {'empty_text': 1})
    """

    files: int = 0
    """Data files (and Hugging Face dataset folders) opened; ignored files are not counted."""
    documents: int = 0
    """Documents yielded."""
    skipped: int = 0
    """Items (lines, rows or whole files) skipped because of a problem."""
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    """Skip counts by reason, e.g. ``{"invalid_json": 2, "empty_file": 1}``."""
    examples: list[str] = field(default_factory=list)
    """The first few skip messages, for reports."""
    ignored_files: int = 0
    """Files in a directory source whose extension is not read (e.g. ``.csv``), plus dataset folders
    left out by a ``fmt`` filter."""

    def record_skip(self, reason: str, message: str) -> None:
        """Count one skipped item under ``reason``, keeping ``message`` if it is among the first."""
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(message)


@dataclass
class Policy:
    """What to do with a problem: raise a :class:`DataError` or count it in ``stats`` and go on."""

    on_error: OnError
    stats: ReadStats

    def __post_init__(self) -> None:
        if self.on_error not in ("raise", "skip"):
            raise DataError(
                f"on_error={self.on_error!r} is not supported. Use on_error: raise (stop at the first "
                "bad item) or on_error: skip (skip and count bad items)."
            )

    def report(self, reason: str, where: str, problem: str, fix: str, unit: str = "lines") -> None:
        """Raise, or record a skip of one bad item (``unit`` names what gets skipped in the hint).

        Raises:
            DataError: ``"{where}: {problem}. {fix}, or set on_error: skip ..."`` in raise mode.
        """
        message = f"{where}: {problem}"
        if self.on_error == "skip":
            self.stats.record_skip(reason, message)
            return
        raise DataError(
            f"{message}. {fix}, or set on_error: skip in the source config to skip and count bad {unit}."
        )
