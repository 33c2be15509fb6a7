"""Plain-regex text helpers shared by the curation steps (no spaCy, no nltk).

datatrove splits words with spaCy's blank English tokenizer, which makes every punctuation mark its
own token. :func:`tokens` imitates that with one regex: runs of word characters (keeping internal
apostrophes), ``...``/``…`` as one token, and every other non-space character alone. So the
ratios that datatrove divides by "all tokens" (hashes per word, words with a letter) come out close
to its values, without the dependency. :func:`words` drops the pure-punctuation tokens, as
datatrove's ``non_symbol_words`` does.

Examples:
    >>> tokens("Hello, world... It's #1!")
    ['Hello', ',', 'world', '...', "It's", '#', '1', '!']
    >>> words("Hello, world... It's #1!")
    ['Hello', 'world', "It's", '1']
"""

from __future__ import annotations

import re
import string

TOKEN_RE = re.compile(r"\w+(?:['\u2019]\w+)*|\.\.\.|\u2026|[^\w\s]")
PUNCTUATION = set(string.punctuation) | {"\u2026", "\u2019", "\u201c", "\u201d", "\u2022"}


def tokens(text: str) -> list[str]:
    """Word and punctuation tokens of ``text`` (datatrove/spaCy-like)."""
    return TOKEN_RE.findall(text)


def is_symbol(token: str) -> bool:
    """True when every character of ``token`` is punctuation."""
    return all(ch in PUNCTUATION for ch in token)


def words(text: str) -> list[str]:
    """Tokens that are not pure punctuation."""
    return [t for t in tokens(text) if not is_symbol(t)]


def ngrams(items: list[str], n: int) -> list[str]:
    """Space-joined ``n``-grams of ``items`` (empty when there are fewer than ``n`` items)."""
    return [" ".join(items[i:i + n]) for i in range(len(items) - n + 1)]
