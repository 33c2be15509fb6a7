"""Code domain: Python-like snippets whose printed output is written as a trailing comment.

Each doc is a comment line plus 3-5 snippets separated by blank lines. A snippet ends with one
top-level ``print(...)``; its output comes from ``codeeval.run`` (never ``exec``), e.g.::

    def add_3(x):
        return x + 3
    print(add_3(4))  # 7

Expressions nest up to ``code_depth`` levels. No snippet contains ``{`` or "javascript" (both are C4
whole-document kills). Held out by construction: a snippet whose source hashes into the reserved
partition (``derive_seed(seed, "code", source) % 10 == 0``) never appears in training; the
``code_exec`` eval set is drawn from that partition.
"""

from __future__ import annotations

from random import Random

from pretrainlab.seeding import derive_seed

from ..codeeval import run
from .common import DocContext, Draft

RESERVED_MOD = 10
FUNC_WORDS = ("add", "calc", "step", "mix", "scale", "shift", "combo", "twist", "bump", "grow")
HEADERS = (
    "# Small functions and what they print.",
    "# Practice: read each snippet and check the printed value.",
    "# Examples of loops, functions and conditions.",
)
KEYWORDS = "def return print if else for in range x y a b i total result"
TEMPLATES = FUNC_WORDS + HEADERS + (KEYWORDS,)


def reserved(seed: int, source: str) -> bool:
    """Whether the snippet ``source`` belongs to the held-out eval partition."""
    return derive_seed(seed, "code", source) % RESERVED_MOD == 0


def expr(rng: Random, names: tuple[str, ...], depth: int, top: bool = True) -> str:
    """A random expression over ``names`` and small constants, nested up to ``depth``."""
    if depth == 0 or (not top and rng.random() < 0.35):
        return rng.choice(names) if rng.random() < 0.6 else str(rng.randint(1, 9))
    left = expr(rng, names, depth - 1, False)
    right = expr(rng, names, depth - 1, False)
    text = f"{left} {rng.choice('+-*')} {right}"
    return text if top else f"({text})"


def _fname(rng: Random) -> str:
    return f"{rng.choice(FUNC_WORDS)}_{rng.randint(1, 9)}"


def _func(rng: Random, d: int) -> str:
    f = _fname(rng)
    return f"def {f}(x):\n    return {expr(rng, ('x',), d)}\nprint({f}({rng.randint(0, 20)}))"


def _func2(rng: Random, d: int) -> str:
    f = _fname(rng)
    a, b = rng.randint(0, 12), rng.randint(0, 12)
    return f"def {f}(x, y):\n    return {expr(rng, ('x', 'y'), d)}\nprint({f}({a}, {b}))"


def _func_if(rng: Random, d: int) -> str:
    f = _fname(rng)
    other = "    else:\n        return" if rng.random() < 0.5 else "    return"
    return (f"def {f}(x):\n    if x > {rng.randint(1, 9)}:\n        return {expr(rng, ('x',), d)}\n"
            f"{other} {expr(rng, ('x',), d)}\nprint({f}({rng.randint(0, 15)}))")


def _loop(rng: Random, d: int) -> str:
    return (f"total = {rng.randint(0, 9)}\nfor i in range({rng.randint(2, 6)}):\n"
            f"    total = total + {expr(rng, ('i',), max(1, d - 1))}\nprint(total)")


def _vars(rng: Random, d: int) -> str:
    return (f"a = {rng.randint(1, 12)}\nb = {expr(rng, ('a',), d)}\n"
            f"print({expr(rng, ('a', 'b'), d)})")


def _nested(rng: Random, d: int) -> str:
    f, g = _fname(rng), _fname(rng)
    while g == f:
        g = _fname(rng)
    return (f"def {f}(x):\n    return {expr(rng, ('x',), d)}\n"
            f"def {g}(x):\n    result = {f}(x) + {rng.randint(1, 9)}\n    return result\n"
            f"print({g}({rng.randint(0, 10)}))")


KINDS = (_func, _func2, _func_if, _loop, _vars, _nested)


def snippet(rng: Random, depth: int) -> tuple[str, str]:
    """(source, printed output) of a random snippet."""
    source = rng.choice(KINDS)(rng, depth)
    return source, run(source)[-1]


def render(source: str, output: str) -> str:
    """The snippet with its output as a comment on the print line."""
    return f"{source}  # {output}"


def generate(world, rng, ctx: DocContext) -> Draft:
    """One page of snippets (see module docstring)."""
    cfg = world.cfg
    parts = [rng.choice(HEADERS)]
    for _ in range(rng.randint(3, 5)):
        source, output = snippet(rng, cfg.code_depth)
        while reserved(cfg.seed, source):
            source, output = snippet(rng, cfg.code_depth)
        parts.append(render(source, output))
    return Draft("\n\n".join(parts), [], {"n_snippets": len(parts) - 1})
