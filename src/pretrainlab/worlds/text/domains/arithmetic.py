"""Arithmetic domain: 8-15 problems per doc ("Q: 37 + 48 = ? A: 85", one per line) plus 1-3 word
problems about people of the world.

Held out by construction: a problem ``(a, op, b)`` is *reserved* for the eval set when
``derive_seed(seed, "arith", a, op, b) % 10 == 0``; training docs redraw reserved problems, in
plain and word form alike. Subtraction puts the larger operand first, so answers are never negative.
"""

from __future__ import annotations

from random import Random

from pretrainlab.seeding import derive_seed

from ..lexicon import COUNT_NOUNS
from .common import DocContext, Draft

RESERVED_MOD = 10
WORD_PROBLEMS = {
    "+": "{name} had {a} {things} and got {b} more. How many {things} does {name} have now? A: {c}",
    "-": "{name} had {a} {things} and gave away {b}. How many {things} are left? A: {c}",
    "*": "{name} has {a} boxes with {b} {things} in each box. How many {things} is that? A: {c}",
}
TEMPLATES = tuple(WORD_PROBLEMS.values()) + ("Q: = ? A:",)


def reserved(seed: int, a: int, op: str, b: int) -> bool:
    """Whether ``a op b`` belongs to the held-out eval partition."""
    return derive_seed(seed, "arith", a, op, b) % RESERVED_MOD == 0


def operand(rng: Random, digits: int) -> int:
    """A number with exactly ``digits`` digits (0-9 for one digit)."""
    return rng.randint(0 if digits == 1 else 10 ** (digits - 1), 10**digits - 1)


def draw(rng: Random, digits: tuple[int, int], ops: str) -> tuple[int, str, int]:
    """A random problem; operands have ``digits[0]..digits[1]`` digits."""
    a, b = operand(rng, rng.randint(*digits)), operand(rng, rng.randint(*digits))
    op = rng.choice(ops)
    if op == "-" and b > a:
        a, b = b, a
    return a, op, b


def solve(a: int, op: str, b: int) -> int:
    return a + b if op == "+" else a - b if op == "-" else a * b


def prompt(a: int, op: str, b: int) -> str:
    """``"Q: 37 + 48 = ? A:"``; the training line appends ``" " + answer``."""
    return f"Q: {a} {op} {b} = ? A:"


def train_problem(rng: Random, cfg) -> tuple[int, str, int]:
    """A problem outside the reserved partition."""
    while True:
        a, op, b = draw(rng, tuple(cfg.arith_digits), cfg.arith_ops)
        if not reserved(cfg.seed, a, op, b):
            return a, op, b


def generate(world, rng, ctx: DocContext) -> Draft:
    """One page of practice problems (see module docstring)."""
    cfg, people = world.cfg, world.ents.people
    lines = []
    for _ in range(rng.randint(8, 15)):
        a, op, b = train_problem(rng, cfg)
        lines.append(f"{prompt(a, op, b)} {solve(a, op, b)}")
    ids = []
    for _ in range(rng.randint(1, 3)):
        a, op, b = train_problem(rng, cfg)
        person = rng.randrange(len(people))
        _, things = rng.choice(COUNT_NOUNS)
        text = WORD_PROBLEMS[op].format(name=people[person].name, a=a, b=b, things=things,
                                        c=solve(a, op, b))
        lines.insert(rng.randint(0, len(lines)), text)
        ids.append(f"person:{person}")
    return Draft("\n".join(lines), list(dict.fromkeys(ids)), {"n_problems": len(lines)})
