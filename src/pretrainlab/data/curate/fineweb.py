"""``fineweb``: FineWeb's extra quality rules (Penedo et al. 2024), as datatrove's
``FineWebQualityFilter``.

================  ==============================================================  ============
reason            rule (lines split on ``\\n``)                                    default
================  ==============================================================  ============
line_punct_ratio  lines ending in ``. ' " ! ?`` / lines <= line_punct_thr         0.12
short_line_ratio  lines of <= short_line_length chars / lines >= short_line_thr   30, 0.67
char_dup_ratio    chars in repeated non-empty lines / non-newline chars >= thr    0.01
list_ratio        newlines / tokens > new_line_ratio                              0.3
================  ==============================================================  ============

``line_punct_exclude_zero`` keeps documents where *no* line ends in punctuation.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.data.curate.base import Step, StepConfig, StepStats
from pretrainlab.data.curate.gopher_repetition import find_duplicates
from pretrainlab.data.curate.text import tokens

STOP_CHARS = (".", "'", '"', "!", "?")


@dataclass
class FineWebConfig(StepConfig):
    line_punct_thr: float = 0.12
    line_punct_exclude_zero: bool = False
    short_line_thr: float = 0.67
    short_line_length: int = 30
    char_duplicates_ratio: float = 0.01
    new_line_ratio: float = 0.3


class FineWeb(Step):
    """Drop documents failing a FineWeb rule (see the module docstring)."""

    name = "fineweb"
    Config = FineWebConfig

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        return fineweb_reason(doc["text"], self.cfg)


def fineweb_reason(text: str, cfg: FineWebConfig) -> str | None:
    """The first FineWeb rule ``text`` fails, or None."""
    lines = text.split("\n")
    ratio = sum(line.endswith(STOP_CHARS) for line in lines) / len(lines)
    if ratio <= cfg.line_punct_thr and not (ratio == 0 and cfg.line_punct_exclude_zero):
        return "line_punct_ratio"
    ratio = sum(len(line) <= cfg.short_line_length for line in lines) / len(lines)
    if ratio >= cfg.short_line_thr:
        return "short_line_ratio"
    non_empty = [line for line in lines if line.strip()]
    ratio = find_duplicates(non_empty)[1] / max(len(text.replace("\n", "")), 1)
    if ratio >= cfg.char_duplicates_ratio:
        return "char_dup_ratio"
    if text.count("\n") / max(len(tokens(text)), 1) > cfg.new_line_ratio:
        return "list_ratio"
    return None
