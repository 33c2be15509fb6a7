"""Synthetic languages: a word-for-word lexicon bijection plus one word-order rule.

A language (``TextWorldConfig.languages``, e.g. ``("zorbish", "vellan:reverse")``) maps every
English *lexicon* word (function, content, fixed and template words) to a generated pseudo-word
built from the language's own syllable set. Name-pool words (people, cities, company stems),
numbers and punctuation are kept, so entities are shared across languages (cross-lingual knowledge
transfer can be measured). The mapping is a bijection: every pseudo-word is unique and none is an
English word, a name, a toxicity marker or another reserved knob word.

Word-order rules (applied to the English sentence before the words are mapped; ``back`` undoes
them after mapping the words back):

* ``noun_adj`` (the default): an adjective directly followed by a noun becomes noun + adjective,
  as in French ("the red kite" -> "the kite red", then mapped);
* ``reverse``: the words of every sentence in reverse order, separators (spaces, digits,
  punctuation) kept in place ("Fake-English" with inverted order, K et al. 2020, arXiv 1912.07840);
* ``none``: English order.

``reverse`` is an exact involution. ``noun_adj`` is exactly invertible whenever the English text
has no noun directly followed by an adjective, which holds for every template of this world.
Letter case follows the position's original word (a capitalized English word gives a capitalized
pseudo-word), so ``back(translate(s)) == s``.

The phonology (syllable set) of a language depends only on its name; its words also depend on the
world seed (they must avoid the world's generated names). The ``foreign`` noise injector uses the
same machinery with a fixed, deliberately different phonology (``FOREIGN_PHONOLOGY``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from random import Random

from pretrainlab.seeding import make_rng

from . import lexicon
from .textops import SPLIT_WORDS_RE, map_words, match_case, split_sentences

ORDER_RULES: tuple[str, ...] = ("noun_adj", "reverse", "none")
NAME_RE = re.compile(r"^[a-z]{2,20}$")
ONSETS = ("b", "d", "g", "k", "z", "v", "zh", "kr", "gr", "sk", "th", "dr", "br", "pl", "fl",
          "tr", "zr", "m", "n", "r", "s", "l")
NUCLEI = ("a", "o", "u", "e", "i", "oo", "ei", "au", "ae", "ou")
CODAS = ("k", "r", "sh", "x", "m", "n", "z", "rk", "lt", "th")
# Letters and clusters English mostly lacks: easy for language ID, no English stop words.
FOREIGN_PHONOLOGY = (("q", "x", "j", "w", "y", "h", "kh", "ts"), ("ii", "uu", "aa", "oe", "ae"),
                     ("", "q", "h", "ng", "x"))
NOUN_SET = frozenset(lexicon.NOUNS)
ADJ_SET = frozenset(lexicon.ADJECTIVES)


def parse_spec(spec: str) -> tuple[str, str]:
    """``"zorbish"`` -> ("zorbish", "noun_adj"); ``"vellan:reverse"`` -> ("vellan", "reverse")."""
    name, _, order = spec.partition(":")
    return name, order or "noun_adj"


def check_specs(specs) -> None:
    """ValueError for a malformed name, an unknown order rule or a repeated name."""
    names = []
    for spec in specs:
        name, order = parse_spec(spec)
        if not NAME_RE.match(name) or name in ("en", "english", "foreign"):
            raise ValueError(f"language name {name!r} must be 2-20 lowercase ASCII letters and "
                             "not 'en', 'english' or 'foreign'")
        if order not in ORDER_RULES:
            raise ValueError(f"language {name!r}: unknown word-order rule {order!r}; "
                             f"valid: {list(ORDER_RULES)}")
        names.append(name)
    if len(set(names)) != len(names):
        raise ValueError(f"languages repeats a name: {list(specs)}")


def phonology(name: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(onsets, nuclei, codas) of language ``name``; codas include "" (open syllables)."""
    rng = make_rng("language-phonology", name)
    return (tuple(rng.sample(ONSETS, 6)), tuple(rng.sample(NUCLEI, 3)),
            ("",) + tuple(rng.sample(CODAS, 3)))


def _pseudo_word(rng: Random, phon, n_syllables: int) -> str:
    onsets, nuclei, codas = phon
    body = "".join(rng.choice(onsets) + rng.choice(nuclei) for _ in range(n_syllables))
    return body + rng.choice(codas)


def make_lexicon(rng: Random, english: list[str], reserved: set[str], phon) -> dict[str, str]:
    """English word -> unique pseudo-word avoiding ``reserved``; longer words get more syllables."""
    taken = set(reserved)
    out: dict[str, str] = {}
    for word in english:
        n = 1 if len(word) <= 3 else 2 if len(word) <= 7 else 3
        for tries in range(10_000):
            cand = _pseudo_word(rng, phon, n + tries // 50)
            if cand not in taken:
                break
        taken.add(cand)
        out[word] = cand
    return out


def _reorder(sentence: str, rule: str, first: frozenset, second: frozenset) -> str:
    """Apply ``rule`` to one sentence; ``noun_adj`` swaps each (first, second) adjacent pair."""
    parts = SPLIT_WORDS_RE.split(sentence)
    words = parts[1::2]
    if rule == "reverse":
        words.reverse()
    elif rule == "noun_adj":
        k = 0
        while k < len(words) - 1:
            if (words[k].lower() in first and words[k + 1].lower() in second
                    and parts[2 * k + 2] == " "):
                words[k], words[k + 1] = words[k + 1], words[k]
                k += 1
            k += 1
    parts[1::2] = words
    return "".join(parts)


def reorder(text: str, rule: str, inverse: bool = False) -> str:
    """``text`` with the word-order ``rule`` applied to every sentence (or undone)."""
    if rule == "none":
        return text
    first, second = (NOUN_SET, ADJ_SET) if inverse else (ADJ_SET, NOUN_SET)
    pieces = split_sentences(text)
    pieces[::2] = [_reorder(p, rule, first, second) for p in pieces[::2]]
    return "".join(pieces)


@dataclass
class Language:
    """One synthetic language: ``translate`` English text, ``back`` to English."""

    name: str
    order: str
    lexicon: dict[str, str]
    inverse: dict[str, str] = field(init=False)

    def __post_init__(self):
        self.inverse = {v: k for k, v in self.lexicon.items()}
        if len(self.inverse) != len(self.lexicon):
            raise ValueError(f"language {self.name}: lexicon is not a bijection")

    @property
    def label(self) -> str:
        """The language's name as written in parallel docs ("Zorbish")."""
        return self.name.capitalize()

    def words(self) -> set[str]:
        """Every pseudo-word of the language."""
        return set(self.lexicon.values())

    def translate(self, text: str, protected=()) -> str:
        """English -> this language (order rule, then word map; unknown words are kept)."""
        def to(w: str) -> str:
            t = self.lexicon.get(w.lower())
            return w if t is None else match_case(t, w)

        return map_words(reorder(text, self.order), to, protected)

    def back(self, text: str) -> str:
        """This language -> English (exact inverse of ``translate``, see module docstring)."""
        def frm(w: str) -> str:
            t = self.inverse.get(w.lower())
            return w if t is None else match_case(t, w)

        return reorder(map_words(text, frm), self.order, inverse=True)


def build_language(seed: int, spec: str, english: set[str], reserved: set[str],
                   phon=None) -> Language:
    """The language of ``spec`` ("name" or "name:rule") for a world with ``english`` words."""
    name, order = parse_spec(spec)
    rng = make_rng(seed, "language", name, "words")
    table = make_lexicon(rng, sorted(english), reserved | english, phon or phonology(name))
    return Language(name, order, table)
