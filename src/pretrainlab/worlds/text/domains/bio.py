"""Person biographies in the bioS style (Allen-Zhu & Li, "Physics of Language Models 3.1").

A bio states six attributes, one sentence each, with 8 templates per attribute:
birth date, birth city, school, field, first employer (stable), and the current employer as of the
document's year ("As of 2011, Kiralo Venn works at Tamoru Labs in Tamoton."). The knobs:

* ``bio_multiplicity``: distinct phrasings per person; phrasing ``k`` fixes the template of each
  attribute and the sentence order with its own RNG (``seed, "bio", person, k``);
* ``bio_permute``: shuffle the six sentences (per phrasing) instead of the fixed order;
* ``bio_fullname``: repeat the full name in every sentence instead of he/she after the first.

Filler sentences (from the document's RNG, always with he/she) pad the bio to ``doc_min_words``
words and two Gopher stop words; they state no QA fact.
"""

from __future__ import annotations

from pretrainlab.seeding import make_rng

from ..lexicon import MONTHS
from .common import Draft, cap, cycler, n_stop_words, n_words, word_slots

BIO_TEMPLATES: dict[str, tuple[str, ...]] = {
    "birth_date": (
        "{name} was born on {month} {day}, {byear}.",
        "{name} came into the world on {month} {day}, {byear}.",
        "{poss} birthday is {month} {day}, {byear}.",
        "The birth date of {obj} is {month} {day}, {byear}.",
        "{name} was born in {byear}, on {month} {day}.",
        "On {month} {day}, {byear}, {name} was born.",
        "{name} entered life on {month} {day}, {byear}.",
        "{poss} date of birth is {month} {day}, {byear}.",
    ),
    "birth_city": (
        "{name} was born in {city}.",
        "{poss} birthplace is {city}.",
        "{name} comes from the city of {city}.",
        "{name} is a native of {city}.",
        "The city of {city} is where {name} was born.",
        "{name} was born and raised in {city}.",
        "{poss} home town is {city}.",
        "{name} spent the early years of life in {city}.",
    ),
    "school": (
        "{name} studied at {school}.",
        "{name} attended {school}.",
        "{name} is a graduate of {school}.",
        "{name} received an education at {school}.",
        "{poss} school was {school}.",
        "{name} went to {school} as a young student.",
        "{name} completed a degree at {school}.",
        "At {school}, {name} was a student for four years.",
    ),
    "field": (
        "{name} studied {field}.",
        "{poss} field of study was {field}.",
        "{name} chose {field} as a major.",
        "{name} focused on {field} in school.",
        "{name} earned a degree in {field}.",
        "The subject that {name} studied was {field}.",
        "{name} has a background in {field}.",
        "{name} was trained in {field}.",
    ),
    "first_employer": (
        "{name} started working at {company} in {start}.",
        "{poss} first job was at {company}, starting in {start}.",
        "In {start}, {name} took a first job at {company}.",
        "{name} first worked for {company}, from {start}.",
        "{company} was the first employer of {obj}, starting in {start}.",
        "{name} began a career at {company} in {start}.",
        "The first company that {name} worked for was {company}, in {start}.",
        "{name} got a first job with {company} in {start}.",
    ),
    "employer_now": (
        "As of {now}, {name} works at {cur} in {cur_city}.",
        "In {now}, {name} is employed by {cur}, based in {cur_city}.",
        "As of {now}, {poss} employer is {cur}, which is based in {cur_city}.",
        "{name} works for {cur} in {cur_city} as of {now}.",
        "In {now}, {name} has a job at {cur} in {cur_city}.",
        "In {now}, {name} lives in {cur_city} and works at {cur}.",
        "As of {now}, {cur} in {cur_city} employs {obj}.",
        "As of {now}, {name} is on the staff of {cur} in {cur_city}.",
    ),
}
# Fillers use he/she even with bio_fullname (they state no QA fact); each has a Gopher stop word.
FILLERS = (
    "{name} is known as {an_adj} and {adj2} person.",
    "Friends say that {name} is very {adj}.",
    "{name} keeps {an_adj} {noun} at home with great care.",
    "In free time, {name} likes to {verb} {an_noun}.",
    "{name} once {verb_past} {an_noun2} for one of the neighbors.",
    "Many of the neighbors remember {obj} as {an_adj2} person.",
    "{name} has also lived in other places and still visits them.",
    "Between jobs, {name} likes to travel without a plan.",
)
ORDER = tuple(BIO_TEMPLATES)
TEMPLATES = tuple(t for ts in BIO_TEMPLATES.values() for t in ts) + FILLERS + ("{name}'s",)
PRONOUNS = {"he": ("he", "his", "him"), "she": ("she", "her", "her")}


def phrasing(seed: int, person: int, variant: int, permute: bool) -> list[tuple[str, str]]:
    """The (attribute, template) sequence of phrasing ``variant`` of a person's bio."""
    rng = make_rng(seed, "bio", person, variant)
    chosen = [(attr, rng.choice(BIO_TEMPLATES[attr])) for attr in ORDER]
    if permute:
        rng.shuffle(chosen)
    return chosen


def _facts(world, p, year: int) -> tuple[dict[str, object], list[str]]:
    ents = world.ents
    first, cur = p.jobs[0][1], p.employer(year)
    cur_city = ents.companies[cur].hq_city
    slots = {
        "month": MONTHS[p.birth_month - 1], "day": p.birth_day, "byear": p.birth_year,
        "city": ents.cities[p.birth_city].name, "school": ents.schools[p.school].name,
        "field": p.field, "company": ents.companies[first].name, "start": p.jobs[0][0],
        "now": year, "cur": ents.companies[cur].name, "cur_city": ents.cities[cur_city].name,
    }
    ids = [f"person:{p.idx}", f"city:{p.birth_city}", f"school:{p.school}",
           f"company:{first}", f"company:{cur}", f"city:{cur_city}"]
    return slots, ids


def person_bio(world, rng, person: int, variant: int, year: int) -> Draft:
    """Bio of ``person`` in phrasing ``variant``, with the employer as of ``year``."""
    cfg, p = world.cfg, world.ents.people[person]
    slots, ids = _facts(world, p, year)
    slots.update(word_slots(rng, world.vocab))
    subj, poss, obj = PRONOUNS[p.gender]
    full = {"name": p.name, "poss": f"{p.name}'s", "obj": p.name}
    pronoun = {"name": subj, "poss": poss, "obj": obj}
    short = full if cfg.bio_fullname else pronoun
    sentences = []
    for k, (_, template) in enumerate(phrasing(cfg.seed, person, variant, cfg.bio_permute)):
        sentences.append(cap(template.format(**slots, **(full if k == 0 else short))))
    filler = cycler(rng, FILLERS)
    while n_words(sentences) < cfg.doc_min_words or n_stop_words(sentences) < 2:
        sentences.append(cap(filler().format(**slots, **pronoun)))
    return Draft(" ".join(sentences), list(dict.fromkeys(ids)),
                 {"article": "person", "variant": variant})
