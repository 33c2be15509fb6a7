"""Held-out arithmetic as 5-way multiple choice: a reasoning probe a small model can get off its floor.

Greedy exact match on held-out problems ("Q: 37 + 48 = ? A:" -> " 85", ``eval/arithmetic``) stays at about
1% for the models of the CPU recipes, so it cannot rank arms. Here each in-range item of the world's
``arithmetic`` eval set (problems from the reserved partition, never in any training document) is scored
by answer log-prob (``eval/qa.py: multiple_choice``) against 4 distractors: the answers of other random
problems with the same operator and operand digits (the generator of ``worlds/text/domains/arithmetic``,
operand digits spanning those of the eval items) that have as many digits as the answer. The answer
and its distractors are thus draws from the same distribution of answers: a model that ignores the
operands (one that has only learnt which numbers are common answers, or prefers some lengths) scores
1/5 in expectation (``CHANCE``), and beating it takes reading the operands -- magnitude and last
digits come before exact answers. The draws are seeded by the problem, so every arm is scored on the
same items and choices. (If 2000 draws find too few same-length answers, the rest are uniform numbers
of that length.)
"""

from __future__ import annotations

from random import Random

from pretrainlab.eval.qa import multiple_choice
from pretrainlab.worlds.text.domains.arithmetic import draw, solve

N_CHOICES = 5
CHANCE = 1.0 / N_CHOICES
MAX_DRAWS = 2000


def distractor_choices(a: int, op: str, b: int, digits: tuple[int, int], n: int = N_CHOICES) -> tuple[list[str], int]:
    """``n`` choices (" 85", ...): the answer of ``a op b`` and ``n - 1`` answers of other problems with
    operator ``op`` and operands of ``digits`` digits, each as long as the answer; shuffled."""
    answer = solve(a, op, b)
    k = len(str(answer))
    rng = Random(f"arithmetic_mc:{a}{op}{b}")
    options = [answer]
    for _ in range(MAX_DRAWS):
        if len(options) == n:
            break
        x = solve(*draw(rng, digits, op))
        if len(str(x)) == k and x not in options:
            options.append(x)
    lo, hi = (0, 9) if k == 1 else (10 ** (k - 1), 10**k - 1)
    while len(options) < n:
        x = rng.randint(lo, hi)
        if x not in options:
            options.append(x)
    rng.shuffle(options)
    return [f" {x}" for x in options], options.index(answer)


def mc_items(items: list[dict]) -> list[dict]:
    """Multiple-choice versions of the in-range ``arithmetic`` eval items (those with operands)."""
    items = [it for it in items if not it.get("ood") and "a" in it]
    if not items:
        return []
    lengths = [len(str(x)) for it in items for x in (it["a"], it["b"])]
    digits = (min(lengths), max(lengths))
    out = []
    for it in items:
        choices, index = distractor_choices(it["a"], it["op"], it["b"], digits)
        out.append({**it, "choices": choices, "answer_index": index, "answer": choices[index]})
    return out


def arithmetic_mc(model, tokenizer, items: list[dict], max_items: int) -> float:
    """Accuracy on the first ``max_items`` in-range problems (chance ``CHANCE``)."""
    return multiple_choice(model, tokenizer, mc_items(items)[:max_items])
