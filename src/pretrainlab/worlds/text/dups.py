"""Exact and near duplicates, as a pure function of (seed, split, i).

Document ``i`` (never document 0) decides with its own RNG (``seed, "dup", split, i``) to be an
exact duplicate (probability ``dup_rate``) or a near duplicate (``near_dup_rate``) of a uniformly
drawn earlier document ``j < i`` of the same split. If ``j`` is itself a duplicate, the chain is
followed to its *root* (a document that is not a duplicate), so ``meta.dup_of`` always names a
document whose text is the original: every duplicate cluster is a star around its root.

The duplicate is the root exactly as it appears in the corpus (with its noise, toxicity and PII,
generated again from the root's own RNG; no recursion), and inherits the root's meta (domain,
year, labels) except ``id``; it adds ``dup_of`` (root id) and ``dup_kind`` ("exact" or "near").

Near duplicates get k word edits (substitute, delete, or insert a word taken from the document
itself), with k chosen so that the Jaccard similarity of word 5-gram shingles (``jaccard``) lands
near a target drawn uniformly from [0.80, 0.95] (accepted in [0.78, 0.96]); each edit changes
about 5 shingles, so ``k = S (1 - J) / (5 (1 + J))`` for S shingles. Documents with fewer than 50
shingles get one substitution of the m-th last word (m = S // 9, 1-5), which changes m shingles:
Jaccard (S - m) / (S + m), about 0.8. (Code docs land lower, as numbers count as shingle words.)
The achieved similarity is stored in ``meta.dup_jaccard``. Tokens holding PII values or toxicity
markers are never edited, so the labels carry over exactly. The rewriter and provenance tag are
applied after this step, to duplicates and originals alike.
"""

from __future__ import annotations

import re
from random import Random
from typing import Sequence

from pretrainlab.seeding import make_rng

from .textops import is_protected, whitespace_tokens, words_of
from .vocab import WORD_RE

SHINGLE_WORD_RE = re.compile(r"\w+")
TARGET_JACCARD = (0.80, 0.95)
MIN_JACCARD, MAX_JACCARD = 0.78, 0.96  # accepted range of an edited copy
SHORT_SHINGLES = 50


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Word ``n``-gram shingles of ``text`` (lowercase ``\\w+`` words, as MinHash dedup uses)."""
    words = SHINGLE_WORD_RE.findall(text.lower())
    return {tuple(words[k : k + n]) for k in range(max(1, len(words) - n + 1))}


def jaccard(a: str, b: str, n: int = 5) -> float:
    """Jaccard similarity of the word ``n``-gram shingle sets of ``a`` and ``b``."""
    sa, sb = shingles(a, n), shingles(b, n)
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def dup_choice(cfg, split: str, i: int) -> tuple[str, int] | None:
    """("exact" | "near", earlier index) if document ``i`` is a duplicate, else None."""
    if i == 0 or (cfg.dup_rate <= 0 and cfg.near_dup_rate <= 0):
        return None
    rng = make_rng(cfg.seed, "dup", split, i)
    r = rng.random()
    if r < cfg.dup_rate:
        return "exact", rng.randrange(i)
    if r < cfg.dup_rate + cfg.near_dup_rate:
        return "near", rng.randrange(i)
    return None


def root_of(cfg, split: str, j: int) -> int:
    """The first document of ``j``'s duplicate chain that is not a duplicate."""
    while (choice := dup_choice(cfg, split, j)) is not None:
        j = choice[1]
    return j


def _edit(tokens: list[str], k: int, op: str, rng: Random, pool: list[str]) -> None:
    """Apply one word edit at token position ``k`` (even) of ``whitespace_tokens`` output."""
    old = WORD_RE.search(tokens[k]).group()
    new = rng.choice([w for w in pool if w != old.lower()] or ["and"])
    if op == "substitute":
        tokens[k] = WORD_RE.sub(new, tokens[k], count=1)
    elif op == "delete" and k > 0:
        tokens[k - 1 : k + 1] = ["", ""]
    else:  # insert after the token
        tokens[k] = f"{tokens[k]} {new}"


def near_edit(text: str, rng: Random, protected: Sequence[str]) -> str:
    """``text`` with k word edits, aiming at a Jaccard in ``TARGET_JACCARD`` (module docstring)."""
    tokens = whitespace_tokens(text)
    editable = [k for k in range(0, len(tokens), 2)
                if WORD_RE.search(tokens[k]) and not is_protected(tokens[k], protected)]
    if not editable:
        return text + " " + rng.choice(words_of(text) or ["and"])
    pool = sorted(set(words_of(text)))
    target = rng.uniform(*TARGET_JACCARD)
    n_shingles = len(shingles(text))
    k = max(1, round(n_shingles * (1 - target) / (5 * (1 + target))))
    if n_shingles < SHORT_SHINGLES:  # one substitution near the end touches only m shingles
        m = max(1, min(5, n_shingles // 9))
        edited = list(tokens)
        _edit(edited, editable[-min(m, len(editable))], "substitute", rng, pool)
        return "".join(edited)
    out = text
    for _ in range(20):  # redraw with fewer or more edits until the similarity is in range
        edited = list(tokens)
        positions = rng.sample(editable, min(k, len(editable)))
        for pos in sorted(positions, reverse=True):
            _edit(edited, pos, rng.choice(("substitute", "delete", "insert")), rng, pool)
        out = "".join(edited)
        sim = jaccard(text, out)
        if sim > MAX_JACCARD and k < len(editable):
            k += 1
        elif sim < MIN_JACCARD and k > 1:
            k -= 1
        elif out != text:
            return out
    return out
