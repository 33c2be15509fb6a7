"""Noise injectors: each one damages a document so that one known filter rule should catch it.

With ``noise_rate`` > 0, each *prose* document (story, encyclopedia, dialog; never arithmetic,
code, qa or language docs) independently gets exactly one injector with probability
``noise_rate`` (its own RNG, ``seed, "noise", split, i``); the type is drawn from ``noise_types``
(relative weights). The type name goes in ``meta.noise``. Targets (datatrove defaults, design
notes Part 1):

==============  ===================================================  ===========================
type            what it does                                         rule it targets
==============  ===================================================  ===========================
boilerplate     adds navigation/footer lines ("Privacy policy",      C4 policy-phrase lines;
                "Page 2 of 7"), > 70% of lines <= 30 characters      FineWeb ``short_line_thr``
repetition      one sentence repeated 5-10 times as its own line     Gopher ``dup_line_frac``
                (more in long docs, so duplicate lines are > 30%)
word_salad      all words shuffled (line lengths kept)               perplexity / quality model
symbols         half: ``#tag`` tokens, '#' per word > 0.15;          Gopher ``symbol_word_ratio``
                half: one sentence per line, each ending in "..."    Gopher ellipsis-lines ratio
short           cut to 15-35 whitespace words (< 50)                 ``gopher_short_doc``
typos           adjacent letters swapped with p=0.05 per letter      none (deliberate: only
                                                                     perplexity notices)
foreign         every lexicon word mapped to a pseudo-language       language ID,
                (``languages.FOREIGN_PHONOLOGY``; names kept)        ``gopher_enough_stop_words``
==============  ===================================================  ===========================

Noise is applied after toxicity and PII insertion; every injector keeps whitespace tokens that
contain a *protected* string (a PII value or toxicity marker) intact (``short`` re-appends any it
cut), so ``toxic``/``pii`` labels stay exact. Typos make words outside ``world.vocabulary()``
(deliberately: they are the one noise type a closed word-level tokenizer sees as OOV).
"""

from __future__ import annotations

import math
from random import Random
from typing import Callable, Sequence

from .domains.common import cycler
from .lexicon import MONTHS
from .textops import (is_protected, lines_of, map_words, sentences, whitespace_tokens,
                      words_of)
from .vocab import words_in

NOISE_TYPES: tuple[str, ...] = ("boilerplate", "repetition", "word_salad", "symbols", "short",
                                "typos", "foreign")
POLICY_LINES = ("Privacy policy", "Terms of use", "We use cookies.", "This site uses cookies.",
                "Cookie policy", "Read about our use of cookies.")
NAV_LINES = ("Home", "About us", "Contact", "Share this page", "Sign in", "Read more",
             "Back to top", "Subscribe", "All rights reserved.", "Next page", "Previous page",
             "Page {k} of {n}", "Comments ({k})", "Posted on {month} {k}", "Related posts",
             "Menu", "Search", "Follow us", "Top stories", "Skip to content")
TYPO_P = 0.05


def template_words() -> set[str]:
    """Words of the boilerplate lines (the vocabulary adds them when noise is on)."""
    return set().union(*(words_in(t.replace("{month}", "")) for t in POLICY_LINES + NAV_LINES))


def _nav(rng: Random, template: str) -> str:
    n = rng.randint(2, 12)
    return template.format(k=rng.randint(1, n), n=n, month=rng.choice(MONTHS))


def boilerplate(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    n_long = len(lines_of(text))
    n_short = max(rng.randint(4, 8), math.ceil(2.5 * n_long) + 1)
    footer = rng.sample(POLICY_LINES, rng.randint(1, 3))
    nav = cycler(rng, NAV_LINES)  # few exact repeats, so repetition rules stay quiet
    header = [_nav(rng, nav()) for _ in range(max(0, n_short - len(footer)))]
    return "\n".join(header + [text] + footer)


def repetition(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    line = rng.choice(sentences(text))
    n = len(lines_of(text))
    k = max(rng.randint(5, 10), math.floor((0.3 * n + 1) / 0.7) + 2)
    lines = text.split("\n")
    at = rng.randint(0, len(lines))
    return "\n".join(lines[:at] + [line] * k + lines[at:])


def word_salad(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    lines = [line.split() for line in text.split("\n")]
    pool = [w for line in lines for w in line]
    rng.shuffle(pool)
    out, k = [], 0
    for line in lines:
        out.append(" ".join(pool[k : k + len(line)]))
        k += len(line)
    return "\n".join(out)


def symbols(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    if rng.random() < 0.5:  # '#' spam
        tokens = text.split(" ")
        words = words_of(text) or ["tag"]
        for _ in range(math.ceil(0.2 * len(text.split())) + 1):
            tokens.insert(rng.randint(0, len(tokens)), "#" + rng.choice(words))
        return " ".join(tokens)
    out = []
    for s in sentences(text):  # one sentence per line, each ending in "..."
        out.append(s[:-1] + "..." if s[-1] in ".!?" and not s.endswith("...") else s + "...")
    return "\n".join(out)


def short(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    tokens = whitespace_tokens(text)
    keep = 2 * rng.randint(15, 35) - 1  # tokens and separators of the first k words
    cut = [t for t in tokens[keep + 1 :: 2] if is_protected(t, protected)]
    return "".join(tokens[:keep]).rstrip() + "".join(" " + t for t in cut)


def typos(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    def swap(word: str) -> str:
        chars = list(word)
        for k in range(len(chars) - 1):
            if rng.random() < TYPO_P:
                chars[k], chars[k + 1] = chars[k + 1], chars[k]
        return "".join(chars)

    out = map_words(text, swap, protected)
    if out == text:  # at least one visible typo, so the label is never a no-op
        words = [w for w in words_of(text) if len(set(w)) > 1]
        if words:
            w = rng.choice(words)
            k = next(j for j in range(len(w) - 1) if w[j] != w[j + 1])
            out = map_words(text, lambda x: x[:k] + x[k + 1] + x[k] + x[k + 2:]
                            if x.lower() == w else x, protected)
    return out


def foreign(text: str, rng: Random, world, protected: Sequence[str]) -> str:
    return world.knobs.foreign.translate(text, protected)


INJECTORS: dict[str, Callable] = {
    "boilerplate": boilerplate, "repetition": repetition, "word_salad": word_salad,
    "symbols": symbols, "short": short, "typos": typos, "foreign": foreign,
}
assert tuple(INJECTORS) == NOISE_TYPES
