"""Dialog domain: two speakers chat about daily life and about world facts as of the doc's year.

Fact topics are time-varying or about places and companies (where a person works now, a city's
population and region, a company's HQ and CEO); no dialog asks a QA attribute (birth city, birth
year, school, field, first employer), so ``fact_qa`` stays held out. Each line is "Name: text";
turns come in pairs (question, answer) between a greeting and a goodbye. With ``toxicity_rate`` > 0,
insult lines with made-up markers are inserted here (``toxicity.py``).
"""

from __future__ import annotations

from .common import DocContext, Draft, n_words, word_slots

GREETING = ("{A}: Hello, {B}. How are you today?", "{B}: I am {adj}, thank you. And how are you?")
CLOSING = ("{A}: It was nice to talk with you, {B}.", "{B}: Goodbye, {A}. See you soon!")
DAILY = (
    ("{A}: What did you do this morning?",
     "{B}: I {verb_past} {an_noun} and then {verb_past2} the {noun2}."),
    ("{A}: What will you do this weekend?", "{B}: I want to {verb} {an_noun} with my family."),
    ("{A}: Did you see the {adj} {noun} by the road?",
     "{B}: Yes, I saw it on my way here. It was very {adj2}."),
    ("{A}: Do you like the weather today?", "{B}: Not really. I think it is too {adj} for a walk."),
    ("{A}: Can you help me {verb} the {noun} later?",
     "{B}: Of course, I will come over after lunch."),
    ("{A}: Have you ever been to the new market near your house?",
     "{B}: Just once. I might go again with some of our friends."),
    ("{A}: Would you like to {verb} {an_noun} with us?",
     "{B}: I would like that very much. Tell me when and where."),
    ("{A}: Is there any {noun} left in the kitchen?",
     "{B}: No, we must buy more. Most of them are gone."),
    ("{A}: Why are you so {adj} today?",
     "{B}: I am the same as always. I am just a bit tired, that is all."),
)
FACTS = {
    "employer": ("{A}: Do you know where {person} works these days?",
                 "{B}: As of {now}, {person} works at {company} in {hq}."),
    "population": ("{A}: How many people live in {city} now?",
                   "{B}: I think about {pop} people live there as of {now}."),
    "region": ("{A}: Which part of the country is {city} in?", "{B}: {city} is in the {region}."),
    "hq": ("{A}: Where is {company2} based?", "{B}: {company2} has its headquarters in {hq2}."),
    "ceo": ("{A}: Who runs {company2} these days?",
            "{B}: As of {now}, {ceo} is the chief executive of {company2}."),
}
TEMPLATES = GREETING + CLOSING + tuple(t for pair in DAILY for t in pair) + tuple(
    t for pair in FACTS.values() for t in pair)


def _fact_slots(world, rng, year: int) -> tuple[dict, dict[str, list[str]]]:
    """Slot values for the fact topics and, per topic, the entity ids it mentions."""
    ents = world.ents
    person, city, company2 = (rng.randrange(len(ents.people)), rng.randrange(len(ents.cities)),
                              rng.randrange(len(ents.companies)))
    company = ents.people[person].employer(year)
    hq, hq2 = ents.companies[company].hq_city, ents.companies[company2].hq_city
    ceo = ents.ceo(company2, year)
    slots = {
        "now": year, "person": ents.people[person].name, "company": ents.companies[company].name,
        "hq": ents.cities[hq].name, "city": ents.cities[city].name,
        "pop": ents.fact(f"city:{city}", "population", year), "region": ents.cities[city].region,
        "company2": ents.companies[company2].name, "hq2": ents.cities[hq2].name,
        "ceo": ents.people[ceo].name if ceo >= 0 else "",
    }
    ids = {
        "employer": [f"person:{person}", f"company:{company}", f"city:{hq}"],
        "population": [f"city:{city}"], "region": [f"city:{city}"],
        "hq": [f"company:{company2}", f"city:{hq2}"],
        "ceo": [f"company:{company2}", f"person:{ceo}"] if ceo >= 0 else [],
    }
    return slots, ids


def generate(world, rng, ctx: DocContext) -> Draft:
    """One dialog (see module docstring)."""
    a, b = rng.sample(world.pools.first, 2)
    slots = word_slots(rng, world.vocab)
    facts, fact_ids = _fact_slots(world, rng, ctx.year)
    slots.update(facts, A=a, B=b)
    topics = [("fact", k) for k, v in fact_ids.items() if v]
    topics += [("daily", i) for i in range(len(DAILY))]
    rng.shuffle(topics)
    n_topics = rng.randint(3, 5)
    lines = [t.format(**slots) for t in GREETING]
    closing = [t.format(**slots) for t in CLOSING]
    ids: list[str] = []
    for k, (kind, key) in enumerate(topics):
        if k >= n_topics and n_words(lines + closing) >= world.cfg.doc_min_words:
            break
        lines += [t.format(**slots) for t in (FACTS[key] if kind == "fact" else DAILY[key])]
        ids += fact_ids[key] if kind == "fact" else []
    return Draft("\n".join(lines + closing), list(dict.fromkeys(ids)), {"speakers": [a, b]})
