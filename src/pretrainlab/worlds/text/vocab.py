"""Vocabulary budget: ``vocab_size`` is the exact number of lowercase word types the world can emit.

A "word" is a maximal run of ASCII letters (``WORD_RE``), lowercased; digits and punctuation are
not words. The budget is spent in this order:

1. fixed words: function words, fixed lists (fields, months, ...) and every word of every template;
2. content words (nouns, verbs with past tense, adjectives), truncated tier by tier when the budget
   is tight (each list keeps at least ``MIN_PER_POS`` entries);
3. name pools, which fill the rest exactly: cities (``n_cities``), company stems (``n_companies``),
   then first and last names split evenly (each at least ``sqrt(2 * n_people)``, so unique full
   names are easy to draw).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from . import lexicon

WORD_RE = re.compile(r"[A-Za-z]+")
SLOT_RE = re.compile(r"\{[^}]*\}")
MIN_PER_POS = 20


def words_in(text: str) -> set[str]:
    """The lowercase words of ``text``."""
    return {w.lower() for w in WORD_RE.findall(text)}


def template_words() -> set[str]:
    """Words that appear literally in any domain template (slots like ``{name}`` excluded)."""
    from .domains import TEMPLATE_TEXTS  # local import: domains import this package's modules

    out: set[str] = set()
    for text in TEMPLATE_TEXTS:
        out |= words_in(SLOT_RE.sub(" ", text))
    return out


def fixed_words() -> frozenset[str]:
    """Words that are always in the vocabulary, whatever ``vocab_size`` is."""
    return frozenset(lexicon.fixed_lists()) | template_words()


@dataclass(frozen=True)
class VocabPlan:
    """The content words kept and the name-pool sizes for one config."""

    nouns: tuple[str, ...]
    verbs: tuple[tuple[str, str], ...]
    adjectives: tuple[str, ...]
    fixed: frozenset[str]
    pool_sizes: dict[str, int]

    def lexicon_words(self) -> set[str]:
        """Fixed plus kept content words (everything except names)."""
        content = set(self.nouns) | set(self.adjectives) | {w for pair in self.verbs for w in pair}
        return set(self.fixed) | content


def _truncate(frac: float) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    def keep(seq):
        return tuple(seq[: max(MIN_PER_POS, math.ceil(frac * len(seq)))])

    return keep(lexicon.NOUNS), keep(lexicon.VERBS), keep(lexicon.ADJECTIVES)


def min_person_pool(n_people: int) -> int:
    """Minimum size of each of the first-name and last-name pools."""
    return max(8, math.ceil(math.sqrt(2 * n_people)))


def plan_vocab(vocab_size: int, n_people: int, n_cities: int, n_companies: int) -> VocabPlan:
    """Split ``vocab_size`` between fixed, content and name words; ValueError if it cannot fit."""
    fixed = fixed_words()
    names_min = n_cities + n_companies + 2 * min_person_pool(n_people)
    for step in range(100, -1, -1):
        nouns, verbs, adjs = _truncate(step / 100)
        plan = VocabPlan(nouns, verbs, adjs, fixed, {})
        used = len(plan.lexicon_words())
        if used + names_min <= vocab_size:
            rest = vocab_size - used - n_cities - n_companies
            sizes = {"cities": n_cities, "company_stems": n_companies,
                     "first": rest // 2, "last": rest - rest // 2}
            return VocabPlan(nouns, verbs, adjs, fixed, sizes)
    smallest = len(VocabPlan(*_truncate(0.0), fixed, {}).lexicon_words()) + names_min
    raise ValueError(
        f"vocab_size={vocab_size} is too small for n_people={n_people}, n_cities={n_cities}, "
        f"n_companies={n_companies}: it must be at least {smallest}"
    )
