"""Name pools from a syllable grammar: first names, last names, city names and company stems.

Names are built from consonant-vowel syllables ("ka lo mi ru ..."): first names have 2-3 syllables
(``name_syllables``), last names 1-2 syllables plus a closing consonant ("Venn"), cities 2 syllables
plus a suffix ("Tamo" + "ton"), companies a 2-syllable stem that is later joined to a fixed suffix
word ("Tamoru Labs"). Every generated word is unique across all pools and never collides with a
lexicon word, so the vocabulary size is an exact sum of the pool sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from .lexicon import CITY_SUFFIXES

CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
CODAS = ("n", "l", "r", "s", "nn", "ll", "rd", "th")


@dataclass(frozen=True)
class NamePools:
    """Capitalized surface forms, one word each."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    cities: tuple[str, ...]
    company_stems: tuple[str, ...]

    def words(self) -> list[str]:
        """All pool words, lowercase."""
        pools = self.first + self.last + self.cities + self.company_stems
        return [w.lower() for w in pools]


def _syllables(rng: Random, n: int) -> str:
    return "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(n))


def _first(rng: Random, syllables: tuple[int, int]) -> str:
    return _syllables(rng, rng.randint(*syllables))


def _last(rng: Random, syllables: tuple[int, int]) -> str:
    return _syllables(rng, rng.randint(1, 2)) + rng.choice(CODAS)


def _city(rng: Random, syllables: tuple[int, int]) -> str:
    return _syllables(rng, 2) + rng.choice(CITY_SUFFIXES)


def _company(rng: Random, syllables: tuple[int, int]) -> str:
    return _syllables(rng, 2) + rng.choice(("", "n", "r", "x"))


def _pool(rng: Random, make, k: int, taken: set[str], syllables: tuple[int, int]) -> tuple:
    """``k`` new capitalized names from ``make``, none in ``taken`` (which is updated)."""
    out: list[str] = []
    tries = 0
    while len(out) < k:
        tries += 1
        if tries > 200 * k + 1000:
            raise ValueError(f"could not generate {k} unique names; lower the pool size")
        word = make(rng, syllables)
        if word in taken:
            continue
        taken.add(word)
        out.append(word.capitalize())
    return tuple(out)


def make_pools(
    rng: Random, sizes: dict[str, int], reserved: set[str], syllables: tuple[int, int] = (2, 3)
) -> NamePools:
    """Build pools of the given ``sizes`` (keys: first, last, cities, company_stems).

    ``reserved`` holds lowercase words that names must avoid (the rest of the vocabulary).
    """
    taken = set(reserved)
    cities = _pool(rng, _city, sizes["cities"], taken, syllables)
    stems = _pool(rng, _company, sizes["company_stems"], taken, syllables)
    first = _pool(rng, _first, sizes["first"], taken, syllables)
    last = _pool(rng, _last, sizes["last"], taken, syllables)
    return NamePools(first=first, last=last, cities=cities, company_stems=stems)
