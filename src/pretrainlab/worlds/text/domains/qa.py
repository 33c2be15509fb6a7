"""QA domain: lines "Q: What is the birth city of X? A: Y" about train people only.

Slots cycle over chunks of ``QA_LINES`` in-pretrain facts (``facts.pretrain_facts``), so every such
fact appears in training once per pass; the prompt format is the one of the ``fact_qa`` eval set.
Test people never appear here.
"""

from __future__ import annotations

from ..facts import QUESTIONS, qa_answer, qa_prompt
from .common import DocContext, Draft

QA_LINES = 10
TEMPLATES = tuple(QUESTIONS.values()) + ("Q: A:",)


def generate(world, rng, ctx: DocContext) -> Draft:
    """The QA lines of slot ``ctx.slot`` in a shuffled order."""
    facts, _ = world.qa_cycle(ctx.split).chunk(ctx.slot)
    facts = list(facts)
    rng.shuffle(facts)
    ents = world.ents
    lines = [qa_prompt(ents, p, a) + qa_answer(ents, p, a) for p, a in facts]
    ids = list(dict.fromkeys(f"person:{p}" for p, _ in facts))
    return Draft("\n".join(lines), ids, {"facts": [[p, a] for p, a in facts]})
