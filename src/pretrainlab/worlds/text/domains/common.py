"""Helpers shared by the domain generators: drafts, sentence casing, word and stop-word counts.

A generator returns a ``Draft``: the document text plus its domain-specific meta labels. Every
template is plain ``str.format`` text with named slots; ``cap`` upper-cases the first letter so a
template may start with a pronoun slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random
from typing import Callable, Sequence

from ..lexicon import GOPHER_STOP_WORDS, article


@dataclass
class Draft:
    """One generated document before the world adds id, split, domain and year."""

    text: str
    entities: list[str] = field(default_factory=list)
    labels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DocContext:
    """Where a document sits: its split, index, slot within its domain, and year stamp."""

    split: str
    index: int
    slot: int
    year: int


def cap(text: str) -> str:
    """``text`` with its first character upper-cased."""
    return text[:1].upper() + text[1:]


def with_article(word: str) -> str:
    """``"an apple"``, ``"a kite"``."""
    return f"{article(word)} {word}"


def n_words(sentences: Sequence[str]) -> int:
    return sum(len(s.split()) for s in sentences)


def n_stop_words(sentences: Sequence[str]) -> int:
    """Occurrences of Gopher's stop words (the quality filter wants at least 2)."""
    return sum(w.lower().strip(".,!?\"") in GOPHER_STOP_WORDS for s in sentences for w in s.split())


def cycler(rng: Random, pool: Sequence[str]) -> Callable[[], str]:
    """A function returning the items of ``pool`` in a random order, reshuffling when used up."""
    order: list[str] = []

    def next_item() -> str:
        if not order:
            order.extend(rng.sample(list(pool), len(pool)))
        return order.pop()

    return next_item


def paragraphs(sentences: Sequence[str], rng: Random, lo: int = 3, hi: int = 5) -> str:
    """Join sentences into paragraphs of ``lo``-``hi`` sentences separated by blank lines."""
    out, i = [], 0
    while i < len(sentences):
        k = rng.randint(lo, hi)
        out.append(" ".join(sentences[i : i + k]))
        i += k
    return "\n\n".join(out)


def word_slots(rng: Random, vocab) -> dict[str, str]:
    """Random content words for templates: noun, noun2, adj, adj2, verb, verb_past, verb2,
    verb_past2, plus ``an_noun`` ("an apple"), ``an_adj`` ("a red"), ``an_adj2``."""
    noun, noun2 = rng.sample(vocab.nouns, 2)
    adj, adj2 = rng.sample(vocab.adjectives, 2)
    (verb, past), (verb2, past2) = rng.sample(vocab.verbs, 2)
    return {
        "noun": noun, "noun2": noun2, "adj": adj, "adj2": adj2, "verb": verb, "verb_past": past,
        "verb2": verb2, "verb_past2": past2, "an_noun": with_article(noun),
        "an_noun2": with_article(noun2), "an_adj": with_article(adj), "an_adj2": with_article(adj2),
    }
