"""Small text helpers shared by the corpus knobs (noise, languages, duplicates, rewriters).

* Words are maximal runs of ASCII letters (``vocab.WORD_RE``); everything else (spaces, digits,
  punctuation) is a separator and is never changed by a word-level edit.
* *Protected* strings (inserted PII values and toxicity markers) must survive every later edit, so
  labels stay exact: ``map_words`` and ``whitespace_tokens`` leave any whitespace token that
  contains one untouched.
* ``split_sentences`` cuts at ``.``/``!``/``?`` (plus an optional closing quote) followed by
  whitespace; the separators it returns contain no letters, so a word-level transform keeps the
  segmentation (which the language word-order rules rely on to be invertible).
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from .vocab import WORD_RE

SPLIT_WORDS_RE = re.compile(r"([A-Za-z]+)")
SENTENCE_SEP_RE = re.compile(r"((?<=[.!?])\"?\s+)")
TERMINAL = ".!?\"'"


def is_protected(token: str, protected: Sequence[str]) -> bool:
    """Whether the whitespace token ``token`` contains any protected string."""
    return any(p in token for p in protected)


def match_case(word: str, like: str) -> str:
    """``word`` capitalized if ``like`` starts with an upper-case letter, else as is."""
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def map_words(text: str, fn: Callable[[str], str], protected: Sequence[str] = ()) -> str:
    """``text`` with every word ``w`` replaced by ``fn(w)``; protected tokens are left alone."""
    if not protected:
        return WORD_RE.sub(lambda m: fn(m.group()), text)
    parts = re.split(r"(\s+)", text)
    for k in range(0, len(parts), 2):
        if not is_protected(parts[k], protected):
            parts[k] = WORD_RE.sub(lambda m: fn(m.group()), parts[k])
    return "".join(parts)


def whitespace_tokens(text: str) -> list[str]:
    """``re.split(r"(\\s+)", text)``: tokens at even positions, separators at odd ones."""
    return re.split(r"(\s+)", text)


def split_sentences(text: str) -> list[str]:
    """Alternating [sentence, separator, sentence, ...] pieces whose concatenation is ``text``."""
    return SENTENCE_SEP_RE.split(text)


def sentences(text: str) -> list[str]:
    """The non-empty sentences of ``text`` (lines are sentence boundaries too)."""
    out = []
    for line in text.split("\n"):
        out += [s.strip() for s in split_sentences(line)[::2] if s.strip()]
    return out


def lines_of(text: str) -> list[str]:
    """Non-empty lines, as datatrove's line-based rules count them."""
    return [line for line in text.split("\n") if line.strip()]


def words_of(text: str) -> list[str]:
    """Lowercase words of ``text`` in order (letter runs)."""
    return [w.lower() for w in WORD_RE.findall(text)]
