"""Rewriters: a pluggable last step that re-renders every generated document.

A rewriter is any callable ``doc -> doc`` (``Rewriter``). ``REWRITERS`` maps a name to a factory
that receives the ``TextWorld`` and returns a rewriter; ``TextWorldConfig.rewriter`` names one, and
the world applies it to every document after noise, toxicity, PII and duplicates and before the
provenance tag (so exact duplicates stay exact). Register your own before building the world::

    REWRITERS["upper"] = lambda world: (lambda doc: {**doc, "text": doc["text"].upper()})
    TextWorld(TextWorldConfig(rewriter="upper"))

The world adds ``meta.rewriter`` (the name). Meta labels (``noise``, ``toxic``, ...) still describe
what was injected *before* rewriting.

``Simplifier`` ("simplify") is a rule-based *leaner rendering* of prose documents (story,
encyclopedia, dialog; other domains pass through unchanged):

1. noise lines removed: boilerplate lines, lines with a C4 policy phrase, short lines (<= 30
   characters) without terminal punctuation, repeated lines (the first copy is kept unless
   another line already contains it), ``#tag`` tokens; a "..." sentence end becomes ".";
2. typos repaired: a word outside ``world.vocabulary()`` that one or two adjacent swaps turn into a
   vocabulary word is replaced by it;
3. a canonical small lexicon: each content word (noun, verb, adjective) outside the first
   ``core_size`` of its tier-ordered list, and not a template word, is mapped to one of those core
   words (a fixed choice per word); articles ("a"/"an") before a mapped word are corrected.

Word salad, foreign and short documents cannot be repaired and stay as they are. Tokens holding
PII values or toxicity markers are never changed.

``Completer`` ("complete") is daVinci-LLM's L5 *cognitive completion* (GAIR-NLP, "daVinci-LLM:
Towards the Science of Pretraining"): it makes the implicit reasoning of answer-only arithmetic
explicit. After each plain problem line ``Q: a op b = ? A: c`` of an arithmetic document it inserts
the worked steps from the generator's ground truth, by place value:
``37 + 48 = 30 + 40 + 7 + 8 = 70 + 15 = 85``, ``85 - 37 = 85 - 30 - 7 = 55 - 7 = 48``,
``48 * 37 = 48 * 30 + 48 * 7 = 1440 + 336 = 1776``. The problem line is unchanged (the answer
still follows ``A:``, so answer-first evaluation is unaffected); word problems and other domains
pass through.
"""

from __future__ import annotations

import re
from typing import Callable, Protocol

from pretrainlab.seeding import derive_seed

from .domains import PROSE_DOMAINS
from .lexicon import article
from .noise import NAV_LINES, POLICY_LINES
from .textops import SPLIT_WORDS_RE, TERMINAL, is_protected, match_case, whitespace_tokens

SHORT_LINE = 30  # FineWeb's short-line length
C4_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
             "use cookies")


class Rewriter(Protocol):
    def __call__(self, doc: dict) -> dict: ...


def _canonical_map(vocab, core_size: int) -> dict[str, str]:
    """Rare content word -> core word of the same part of speech (see module docstring)."""
    verbs = list(vocab.verbs)
    lists = [list(vocab.nouns), list(vocab.adjectives), [b for b, _ in verbs]]
    counts: dict[str, int] = {}
    for words in lists + [[p for _, p in verbs]]:
        for w in set(words):
            counts[w] = counts.get(w, 0) + 1
    ok = {w for w, c in counts.items() if c == 1 and w not in vocab.fixed}
    out: dict[str, str] = {}
    for words in lists[:2]:
        core = words[:core_size]
        for w in words[core_size:]:
            if w in ok:
                out[w] = core[derive_seed("simplify", w) % len(core)]
    core_verbs = verbs[:core_size]
    for base, past in verbs[core_size:]:
        if base in ok and past in ok:
            cb, cp = core_verbs[derive_seed("simplify", base) % len(core_verbs)]
            out[base], out[past] = cb, cp
    return out


class Simplifier:
    """Leaner rendering of prose docs (module docstring); ``core_size`` core words per list."""

    def __init__(self, world, core_size: int = 30):
        self.vocab_words = set(world.vocabulary())
        self.canonical = _canonical_map(world.vocab, core_size)
        self.boilerplate = {line.lower() for line in POLICY_LINES + NAV_LINES if "{" not in line}

    def __call__(self, doc: dict) -> dict:
        if doc["meta"].get("domain") not in PROSE_DOMAINS:
            return doc
        meta = doc["meta"]
        protected = list(meta.get("pii_values", [])) + list(meta.get("toxic_markers", []))
        text = self._clean_lines(doc["text"], protected)
        text = self._words(text, protected)
        return {"text": text, "meta": meta}

    def _noise_line(self, line: str, protected) -> bool:
        low = line.strip().lower()
        if any(p in line for p in protected):
            return False
        return (low in self.boilerplate or any(p in low for p in C4_POLICY)
                or (len(low) <= SHORT_LINE and low[-1:] not in TERMINAL))

    def _clean_lines(self, text: str, protected) -> str:
        tokens, kept_tokens = whitespace_tokens(text) + [""], []
        for k in range(0, len(tokens) - 1, 2):
            tok, sep = tokens[k], tokens[k + 1]
            if tok.startswith("#") and not is_protected(tok, protected):
                kept_tokens.append("\n" if "\n" in sep else "")
            else:
                kept_tokens += [tok, sep]
        lines, seen, repeated = [], set(), set()
        for line in "".join(kept_tokens).split("\n"):
            line = line.strip(" ")
            if line.endswith("..."):
                line = line[:-3].rstrip() + "."
            if not line:
                if lines and lines[-1]:
                    lines.append(line)
            elif line in seen:
                repeated.add(line)
            elif not self._noise_line(line, protected):
                seen.add(line)
                lines.append(line)
        lines = [line for line in lines
                 if line not in repeated or not any(line != o and line in o for o in lines)]
        return "\n".join(lines).strip("\n")

    def _fix_typo(self, word: str) -> str:
        low = word.lower()
        if low in self.vocab_words or len(low) < 2:
            return word
        swaps = [low[:k] + low[k + 1] + low[k] + low[k + 2:] for k in range(len(low) - 1)]
        for cand in swaps + [s[:k] + s[k + 1] + s[k] + s[k + 2:]
                             for s in swaps for k in range(len(s) - 1)]:
            if cand in self.vocab_words:  # a swap may have moved the capital letter
                return cand.capitalize() if word != low else cand
        return word

    def _words(self, text: str, protected) -> str:
        tokens = whitespace_tokens(text)
        for t in range(0, len(tokens), 2):
            if is_protected(tokens[t], protected):
                continue
            parts = SPLIT_WORDS_RE.split(tokens[t])
            for k in range(1, len(parts), 2):
                word = self._fix_typo(parts[k])
                mapped = self.canonical.get(word.lower())
                if mapped is not None:
                    word = match_case(mapped, word)
                    prev = tokens[t - 2] if t >= 2 and k == 1 and not parts[0] else ""
                    if prev.lower() in ("a", "an") and tokens[t - 1] == " ":
                        tokens[t - 2] = match_case(article(mapped), prev)
                parts[k] = word
            tokens[t] = "".join(parts)
        return "".join(tokens)


PROBLEM_RE = re.compile(r"^Q: (\d+) ([-+*]) (\d+) = \? A: (-?\d+)$")


def _parts(n: int) -> list[int]:
    """Place-value parts of ``n``, largest first, zeros dropped (``307 -> [300, 7]``)."""
    digits = str(n)
    parts = [int(d) * 10 ** (len(digits) - 1 - k) for k, d in enumerate(digits) if d != "0"]
    return parts or [0]


def worked_steps(a: int, op: str, b: int) -> str:
    """The worked solution of ``a op b`` by place value (see module docstring)."""
    pa, pb = _parts(a), _parts(b)
    if op == "+":
        tens = pa[:-1] + pb[:-1]
        units = [pa[-1], pb[-1]]
        terms = " + ".join(str(x) for x in tens + units)
        mid = f"{sum(tens)} + {sum(units)}" if tens else None
        chain = [f"{a} + {b}", terms] + ([mid] if mid else []) + [str(a + b)]
    elif op == "-":
        chain, rest = [f"{a} - {b}", " - ".join([str(a)] + [str(x) for x in pb])], a
        for k, x in enumerate(pb[:-1]):
            rest -= x
            chain.append(" - ".join([str(rest)] + [str(y) for y in pb[k + 1:]]))
        chain.append(str(a - b))
    else:  # split the operand with several places (b unless only a has several)
        split_a = len(pb) == 1 and len(pa) > 1
        products = [x * b for x in pa] if split_a else [a * x for x in pb]
        chain = [f"{a} * {b}", " + ".join(f"{x} * {b}" for x in pa) if split_a
                 else " + ".join(f"{a} * {x}" for x in pb)]
        if len(products) > 1:
            chain.append(" + ".join(str(p) for p in products))
        chain.append(str(a * b))
    out = [chain[0]] + [c for i, c in enumerate(chain[1:], 1) if c != chain[i - 1]]
    return " = ".join(out)


class Completer:
    """L5 cognitive completion of arithmetic docs (module docstring); other docs pass through."""

    def __init__(self, world=None):
        self.world = world

    def __call__(self, doc: dict) -> dict:
        if doc["meta"].get("domain") != "arithmetic":
            return doc
        lines = []
        for line in doc["text"].split("\n"):
            lines.append(line)
            m = PROBLEM_RE.match(line.strip())
            if m:
                lines.append(worked_steps(int(m[1]), m[2], int(m[3])))
        return {"text": "\n".join(lines), "meta": doc["meta"]}


REWRITERS: dict[str, Callable[..., Rewriter]] = {"simplify": Simplifier, "complete": Completer}
"""Rewriter factories by name; each is called with the world and returns a ``Rewriter``."""


def build_rewriter(name: str, world) -> Rewriter:
    """``REWRITERS[name](world)``; ValueError listing the registered names if unknown."""
    if name not in REWRITERS:
        raise ValueError(f"unknown rewriter {name!r}; registered: {sorted(REWRITERS)}")
    return REWRITERS[name](world)
