"""Encyclopedia domain: person bios (``bio.py``), city articles and company articles.

Slots cycle over every entity (``plan.Cycle``), so each person's bio appears once per pass over the
encyclopedia slots, in phrasing ``pass % bio_multiplicity``; bios of *all* people (train and test
groups) are in training. City and company articles state facts as of the document's year. No article
lists a city's natives, so a person's stable facts appear only in their own bio.
"""

from __future__ import annotations

from .bio import person_bio
from .common import DocContext, Draft, cap, cycler, n_words, word_slots

CITY_FACTS = (
    "{city} is a city in the {region}.",
    "As of {now}, {city} has a population of about {pop} people.",
)
CITY_PAST = "In {y0}, about {pop0} people lived in {city}."
CITY_HQ = "{companies} {have} headquarters in {city}."
CITY_SCHOOL = "{school} is located in {city}."
CITY_FILLERS = (
    "The city is known for its {adj} {noun} and its {adj2} {noun2}.",
    "Visitors to {city} often enjoy the {adj} streets and the old market.",
    "Many people in {city} like to {verb} {an_noun} on the weekend.",
    "The people of {city} are said to be {adj} and {adj2}.",
    "There is {an_adj} park in the middle of {city}.",
    "Every year, {city} holds a fair where people {verb} {an_noun2}.",
)
COMPANY_FACTS = (
    "{company} is a company that was founded in {founded}.",
    "Its headquarters are in {hq}, a city in the {region}.",
    "As of {now}, the company has {staff} people on its staff.",
)
COMPANY_CEO = "As of {now}, the chief executive of {company} is {ceo}."
COMPANY_NO_CEO = "As of {now}, {company} has no chief executive."
COMPANY_FILLERS = (
    "The company is known for its {adj} {noun}.",
    "The company makes {adj} products for homes and shops.",
    "Many people in {hq} know the company well.",
    "Workers there say the offices are {adj} and {adj2}.",
    "Over the years, the company has grown in many ways.",
    "It once built {an_adj2} {noun2} for a fair in {hq}.",
)
TEMPLATES = (CITY_FACTS + (CITY_PAST, CITY_HQ, CITY_SCHOOL, "has its have their") + CITY_FILLERS
             + COMPANY_FACTS + (COMPANY_CEO, COMPANY_NO_CEO) + COMPANY_FILLERS)


def generate(world, rng, ctx: DocContext) -> Draft:
    """The article of encyclopedia slot ``ctx.slot`` (see module docstring)."""
    (kind, idx), pass_ = _item(world, ctx)
    if kind == "person":
        return person_bio(world, rng, idx, pass_ % world.cfg.bio_multiplicity, ctx.year)
    if kind == "city":
        return _city(world, rng, idx, ctx.year)
    return _company(world, rng, idx, ctx.year)


def _item(world, ctx: DocContext):
    items, pass_ = world.article_cycle(ctx.split).chunk(ctx.slot)
    return items[0], pass_


def _finish(sentences: list[str], filler, slots: dict, min_words: int) -> str:
    while n_words(sentences) < min_words:
        sentences.append(cap(filler().format(**slots)))
    return " ".join(sentences)


def _city(world, rng, idx: int, year: int) -> Draft:
    ents = world.ents
    city = ents.cities[idx]
    y0 = world.cfg.years[0]
    slots = word_slots(rng, world.vocab)
    slots.update(city=city.name, region=city.region, now=year,
                 pop=ents.fact(f"city:{idx}", "population", year),
                 y0=y0, pop0=ents.fact(f"city:{idx}", "population", y0))
    sentences = [t.format(**slots) for t in CITY_FACTS]
    if year > y0:
        sentences.append(CITY_PAST.format(**slots))
    ids = [f"city:{idx}"]
    based = [c for c in ents.companies if c.hq_city == idx][:3]
    if based:
        names = [c.name for c in based]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        have = "has its" if len(names) == 1 else "have their"
        sentences.append(CITY_HQ.format(companies=listed, have=have, city=city.name))
        ids += [f"company:{c.idx}" for c in based]
    for s in [s for s in ents.schools if s.city == idx]:
        sentences.append(CITY_SCHOOL.format(school=s.name, city=city.name))
        ids.append(f"school:{s.idx}")
    text = _finish(sentences, cycler(rng, CITY_FILLERS), slots, world.cfg.doc_min_words)
    return Draft(text, ids, {"article": "city"})


def _company(world, rng, idx: int, year: int) -> Draft:
    ents = world.ents
    company = ents.companies[idx]
    hq = ents.cities[company.hq_city]
    ceo = ents.ceo(idx, year)
    slots = word_slots(rng, world.vocab)
    slots.update(company=company.name, founded=company.founded, hq=hq.name, region=hq.region,
                 now=year, staff=ents.fact(f"company:{idx}", "staff", year),
                 ceo=ents.people[ceo].name if ceo >= 0 else "")
    sentences = [t.format(**slots) for t in COMPANY_FACTS]
    sentences.append((COMPANY_CEO if ceo >= 0 else COMPANY_NO_CEO).format(**slots))
    ids = [f"company:{idx}", f"city:{hq.idx}"] + ([f"person:{ceo}"] if ceo >= 0 else [])
    text = _finish(sentences, cycler(rng, COMPANY_FILLERS), slots, world.cfg.doc_min_words)
    return Draft(text, ids, {"article": "company"})
