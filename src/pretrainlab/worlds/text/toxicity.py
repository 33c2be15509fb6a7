"""Toxicity: insults built from a made-up marker lexicon, inserted into dialog documents.

``TOXIC_MARKERS`` are 20 invented insult words ("grelk", "vozzard", ...). None is a real slur or
an English word, and each starts with a consonant cluster, so no generated name (the name pools
use consonant-vowel syllables) can ever equal one: the marker lexicon is disjoint from the world's
vocabulary, and a document contains a marker if and only if it is labelled toxic. Curation's
toxicity scorer may use the list directly (an oracle "bad words" filter, like C4's LDNOOBW list)
or learn it from labels.

With ``toxicity_rate`` > 0, each *dialog* document (only dialog) independently becomes toxic with
that probability (its own RNG, ``seed, "toxic", split, i``): 1-2 insult lines
("Mira: Go away, you grelk!") are inserted between the greeting and the goodbye, each with 1-2
markers. Meta: ``toxic=1`` and ``toxic_markers`` (the markers used, in order of insertion). The
insult lines end in terminal punctuation and use ordinary words otherwise, so only a toxicity
filter (not a quality heuristic) should catch these documents.
"""

from __future__ import annotations

from random import Random

from .vocab import words_in

TOXIC_MARKERS: tuple[str, ...] = (
    "grelk", "vozzard", "snarg", "blorf", "frunk", "zlibber", "skronk", "plobb", "trazzle",
    "glurm", "drubbet", "crunkle", "flobber", "brozzle", "snirk", "grobble", "splork", "thrumple",
    "kwazzle", "scrimbo",
)
INSULTS: tuple[str, ...] = (
    "{A}: You are such a {m}, {B}.",
    "{B}: Go away, you {m}!",
    "{A}: Only a {m} would say that, you {m2}.",
    "{B}: Stop talking, you {m}. Nobody likes a {m2}.",
    "{A}: What a {m} thing to do, {B}. You are a real {m2}.",
    "{B}: Be quiet, you silly {m}!",
    "{A}: I do not care what a {m} like you thinks.",
    "{B}: Get out of here, you {m} and your {m2} friends!",
)


def template_words() -> set[str]:
    """Ordinary words used by the insult lines (the vocabulary adds them when toxicity is on)."""
    return set().union(*(words_in(t.replace("{m}", "").replace("{m2}", "")) for t in INSULTS))


def insert_toxicity(text: str, rng: Random, speakers: list[str]) -> tuple[str, list[str]]:
    """``text`` (a dialog, one "Name: ..." line per turn) with 1-2 insult lines; markers used."""
    lines = text.split("\n")
    a, b = speakers[:2]
    used: list[str] = []
    for _ in range(rng.randint(1, 2)):
        template = rng.choice(INSULTS)
        m, m2 = rng.sample(TOXIC_MARKERS, 2)
        used += [m] + ([m2] if "{m2}" in template else [])
        line = template.format(A=a, B=b, m=m, m2=m2)
        lines.insert(rng.randint(2, max(2, len(lines) - 2)), line)
    return "\n".join(lines), used
