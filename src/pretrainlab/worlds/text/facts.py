"""Question-answer facts about people, shared by the ``qa`` domain and the ``fact_qa`` eval set.

People are split once into "train people" (``qa_people_frac`` of them) and "test people". Every
person's bio is in the training corpus; only train people's QA lines ("Q: What is the birth city of
X? A: Y") are, and only the ``qa_in_pretrain`` fraction of their facts. The QA attributes are the
stable ones, so an answer never depends on the year:

* ``birth_city``, ``birth_year``, ``school``, ``field``, ``first_employer`` (the company of the
  person's first job, stated in every bio as "X started working at Y in 1987.").
"""

from __future__ import annotations

from random import Random

from pretrainlab.seeding import derive_seed, shuffled

from .entities import Entities

QA_ATTRS: tuple[str, ...] = ("birth_city", "birth_year", "school", "field", "first_employer")
QUESTIONS: dict[str, str] = {
    "birth_city": "What is the birth city of {name}?",
    "birth_year": "What is the birth year of {name}?",
    "school": "Which school did {name} attend?",
    "field": "What field did {name} study?",
    "first_employer": "What was the first employer of {name}?",
}
N_CHOICES = 5

Fact = tuple[int, str]  # (person index, attribute)


def qa_prompt(ents: Entities, person: int, attr: str) -> str:
    """``"Q: What is the birth city of Kiralo Venn? A:"``."""
    return f"Q: {QUESTIONS[attr].format(name=ents.people[person].name)} A:"


def qa_answer(ents: Entities, person: int, attr: str) -> str:
    """The answer with its leading space, e.g. ``" Tamoton"``."""
    value = ents.fact(f"person:{person}", attr)
    return " " + (ents.name(value) if isinstance(value, str) and ":" in value else str(value))


def answer_pool(ents: Entities, attr: str) -> list[str]:
    """Every possible answer of ``attr`` (with leading spaces), in a fixed order."""
    if attr == "birth_city":
        return [" " + c.name for c in ents.cities]
    if attr == "school":
        return [" " + s.name for s in ents.schools]
    if attr == "first_employer":
        return [" " + c.name for c in ents.companies]
    if attr == "field":
        return sorted({" " + p.field for p in ents.people})
    return [f" {y}" for y in range(ents.years[0] - 60, ents.years[0] - 24)]


def choices(ents: Entities, person: int, attr: str, rng: Random) -> tuple[list[str], int]:
    """``N_CHOICES`` answers of the same type (the true one included) and the true index."""
    answer = qa_answer(ents, person, attr)
    pool = [a for a in answer_pool(ents, attr) if a != answer]
    options = rng.sample(pool, min(N_CHOICES - 1, len(pool))) + [answer]
    rng.shuffle(options)
    return options, options.index(answer)


def people_groups(seed: int, n_people: int, frac: float) -> tuple[list[int], list[int]]:
    """(train people, test people), each sorted; ``round(frac * n_people)`` train people."""
    order = shuffled(range(n_people), seed, "people_groups")
    n_train = round(frac * n_people)
    return sorted(order[:n_train]), sorted(order[n_train:])


def pretrain_facts(seed: int, train_people: list[int], frac: float) -> list[Fact]:
    """The ``frac`` of train people's facts whose QA lines go into training, in a fixed order."""
    facts = [(p, a) for p in train_people for a in QA_ATTRS]
    facts.sort(key=lambda f: derive_seed(seed, "qa_in_pretrain", f[0], f[1]))
    return facts[: round(frac * len(facts))]
