"""``gopher_repetition``: Gopher's repetition rules (Rae et al. 2021, arXiv 2112.11446, Table A1).

Same defaults and reason strings as datatrove's ``GopherRepetitionFilter``. Every fraction is
measured against the length of the whole text in characters, except the two count fractions.

======================  ==========================================================  =======
reason                  rule                                                        default
======================  ==========================================================  =======
dup_para_frac           repeated paragraphs (split on ``\\n{2,}``) / paragraphs      0.30
dup_para_char_frac      characters in repeated paragraphs / characters              0.20
dup_line_frac           repeated lines (split on ``\\n+``) / lines                   0.30
dup_line_char_frac      characters in repeated lines / characters                   0.20
top_{n}_gram            characters covered by the most frequent n-gram / chars     2: .20, 3: .18, 4: .16
duplicated_{n}_n_grams  characters in repeated (non-overlapping) n-grams / chars    5: .15 ... 10: .10
======================  ==========================================================  =======

N-grams are over the tokens of ``text.tokens`` (punctuation included, as datatrove's spaCy). For
speed the n-gram rules work on 64-bit polynomial hashes of token-id windows (numpy) instead of
joined strings; ties for the most frequent n-gram go to the first seen, as ``Counter`` does.
(datatrove joins the tokens of a repeated n-gram without spaces, so e.g. "ab c" and "a bc" count
as the same; hashing token ids does not, a negligible difference.)
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from pretrainlab.data.curate.base import Step, StepConfig, StepStats
from pretrainlab.data.curate.text import tokens

_PARAGRAPHS = re.compile(r"\n{2,}")
_LINES = re.compile(r"\n+")


@dataclass
class GopherRepetitionConfig(StepConfig):
    dup_line_frac: float | None = 0.3
    dup_para_frac: float | None = 0.3
    dup_line_char_frac: float | None = 0.2
    dup_para_char_frac: float | None = 0.2
    top_n_grams: list[tuple[int, float]] = field(
        default_factory=lambda: [(2, 0.2), (3, 0.18), (4, 0.16)])
    """(n, max fraction of characters covered by the most frequent n-gram)."""
    dup_n_grams: list[tuple[int, float]] = field(default_factory=lambda: [
        (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)])
    """(n, max fraction of characters in repeated n-grams)."""


class GopherRepetition(Step):
    """Drop documents with too much repeated content (see the module docstring)."""

    name = "gopher_repetition"
    Config = GopherRepetitionConfig

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        return gopher_repetition_reason(doc["text"], self.cfg)


def find_duplicates(items: list[str]) -> tuple[int, int]:
    """(number of repeated items, characters in them); the first occurrence is not counted."""
    seen: set[str] = set()
    n_dup = n_chars = 0
    for item in items:
        if item in seen:
            n_dup += 1
            n_chars += len(item)
        else:
            seen.add(item)
    return n_dup, n_chars


def top_ngram_chars(items: list[str]) -> int:
    """Characters covered by the most frequent item (its length times its count)."""
    item, count = Counter(items).most_common(1)[0]
    return len(item) * count


def duplicated_ngram_chars(words: list[str], n: int) -> int:
    """Characters of repeated ``n``-grams, skipping past each repeat (datatrove's scan)."""
    seen: set[str] = set()
    chars, i = 0, 0
    while i < len(words) - n + 1:
        gram = "".join(words[i:i + n])
        if gram in seen:
            chars += len(gram)
            i += n
        else:
            seen.add(gram)
            i += 1
    return chars


_MULT = np.uint64(0x9E3779B97F4A7C15)


def window_hashes(ids: np.ndarray, n_max: int) -> dict[int, np.ndarray]:
    """{n: 64-bit hash of every window of n consecutive token ids} for n = 1..n_max (wrapping
    arithmetic; each n extends the n-1 hashes by one token)."""
    out = {1: ids}
    with np.errstate(over="ignore"):
        for n in range(2, min(n_max, len(ids)) + 1):
            out[n] = out[n - 1][:-1] * _MULT + ids[n - 1:]
    return out


def top_ngram_chars_hashed(h: np.ndarray, lengths: np.ndarray, n: int) -> int:
    """``top_ngram_chars`` over window hashes: count x length of the first most frequent n-gram."""
    _, first, counts = np.unique(h, return_index=True, return_counts=True)
    best = first[counts == counts.max()].min()
    span = int(lengths[best + n] - lengths[best]) + n - 1  # characters joined with spaces
    return span * int(counts.max())


def duplicated_ngram_chars_hashed(h: np.ndarray, lengths: np.ndarray, n: int) -> int:
    """``duplicated_ngram_chars`` over window hashes (same left-to-right skip scan).

    Only windows whose hash occurs more than once can be a repeat, so the scan visits just those
    (a skipped window is never added to ``seen``, as in the full scan)."""
    _, inverse, counts = np.unique(h, return_inverse=True, return_counts=True)
    repeated = np.flatnonzero(counts[inverse] > 1)
    seen: set[int] = set()
    chars, resume = 0, 0
    for i, value in zip(repeated.tolist(), h[repeated].tolist()):
        if i < resume:
            continue
        if value in seen:
            chars += int(lengths[i + n] - lengths[i])
            resume = i + n
        else:
            seen.add(value)
    return chars


def gopher_repetition_reason(text: str, cfg: GopherRepetitionConfig) -> str | None:
    """The first Gopher repetition rule ``text`` fails, or None."""
    n_chars = max(len(text), 1)
    paragraphs = _PARAGRAPHS.split(text.strip())
    n_dup, dup_chars = find_duplicates(paragraphs)
    if cfg.dup_para_frac and n_dup / len(paragraphs) > cfg.dup_para_frac:
        return "dup_para_frac"
    if cfg.dup_para_char_frac and dup_chars / n_chars > cfg.dup_para_char_frac:
        return "dup_para_char_frac"
    lines = _LINES.split(text)
    n_dup, dup_chars = find_duplicates(lines)
    if cfg.dup_line_frac and n_dup / len(lines) > cfg.dup_line_frac:
        return "dup_line_frac"
    if cfg.dup_line_char_frac and dup_chars / n_chars > cfg.dup_line_char_frac:
        return "dup_line_char_frac"
    words = tokens(text)
    vocab: dict[str, int] = {}
    ids = np.array([vocab.setdefault(w, len(vocab) + 1) for w in words], dtype=np.uint64)
    lengths = np.concatenate([[0], np.cumsum([len(w) for w in words])])
    hashes = window_hashes(ids, max(n for n, _ in [(1, 0), *cfg.top_n_grams, *cfg.dup_n_grams]))
    for n, frac in cfg.top_n_grams:
        if n in hashes and top_ngram_chars_hashed(hashes[n], lengths, n) / n_chars > frac:
            return f"top_{n}_gram"
    for n, frac in cfg.dup_n_grams:
        if n in hashes and duplicated_ngram_chars_hashed(hashes[n], lengths, n) / n_chars > frac:
            return f"duplicated_{n}_n_grams"
    return None
