"""eval/arithmetic_mc.py: held-out arithmetic as multiple choice whose chance level is 1/5 for any
model that ignores the operands."""

from random import Random

import pytest

from pretrainlab.eval.arithmetic_mc import CHANCE, distractor_choices, mc_items
from pretrainlab.worlds.text.domains.arithmetic import draw, solve


def _items(n: int, seed: int = 0) -> list[dict]:
    rng = Random(seed)
    out = []
    for k in range(n):
        a, op, b = draw(rng, (1, 2), "+-*")
        out.append({"id": f"arithmetic-{k:04d}", "prompt": f"Q: {a} {op} {b} = ? A:", "answer": f" {solve(a, op, b)}",
                    "ood": False, "a": a, "op": op, "b": b})
    return out + [{"id": "ood", "prompt": "Q: 123 + 4 = ? A:", "answer": " 127", "ood": True, "a": 123, "op": "+",
                   "b": 4}]


def test_choices_hold_the_answer_and_same_length_distractors():
    choices, index = distractor_choices(37, "+", 48, (1, 2))
    assert choices[index] == " 85" and len(set(choices)) == 5
    assert all(len(c.strip()) == 2 for c in choices)
    assert distractor_choices(37, "+", 48, (1, 2)) == (choices, index)  # seeded by the problem


def test_mc_items_keep_in_range_items_in_order():
    items = _items(30)
    mc = mc_items(items)
    assert [it["id"] for it in mc] == [it["id"] for it in items if not it["ood"]]
    for it in mc:
        assert it["choices"][it["answer_index"]].strip() == str(solve(it["a"], it["op"], it["b"]))


@pytest.mark.parametrize("pick", [min, max, lambda xs: xs[0], lambda xs: sorted(xs, key=lambda x: x % 7)[0]])
def test_operand_blind_scorers_sit_at_chance(pick):
    """The answer and its distractors come from one distribution, so a choice rule that never looks at
    the operands (prefers small, large, first, ...) is right 1/5 of the time."""
    mc = mc_items(_items(3000, seed=1))
    hits = 0
    for it in mc:
        values = [int(c) for c in it["choices"]]
        hits += values.index(pick(values)) == it["answer_index"]
    assert hits / len(mc) == pytest.approx(CHANCE, abs=0.03)
