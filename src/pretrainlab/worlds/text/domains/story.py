"""Story domain: TinyStories-style children's stories from templates over the tiered words.

Two characters (first names from the name pool, each a girl, boy or animal), one required noun, verb
and adjective, and a random subset of features {dialogue, twist, moral, bad_ending}, stored in
``labels.features`` for later instruction-style variants. The story has 6-12 sentences and is padded
with more middle sentences until it has ``doc_min_words`` words.
"""

from __future__ import annotations

from ..lexicon import STORY_KINDS
from .common import DocContext, Draft, cap, cycler, n_words, paragraphs, word_slots

PLACES = ("park", "garden", "river", "forest", "pond", "hill", "meadow", "village", "market")
FEATURES = ("dialogue", "twist", "moral", "bad_ending")

OPENINGS = (
    "Once upon a time, there was {a_desc} named {A}.",
    "There was once {a_desc} called {A} who lived in {city}.",
    "Long ago, in the town of {city}, there lived {a_desc} named {A}.",
    "{A} was {a_desc} who lived near the {place}.",
)
SETUP = (
    "{A} had a friend named {B}, who was {b_desc}.",
    "{A} lived in {city} with a good friend, {b_desc} named {B}.",
    "Every day, {A} and {B} played together near the {place}.",
)
EVENTS = (
    "One day, {A} found {an_noun} near the {place}.",
    "One morning, {A} saw {an_adj} {noun} by the {place}.",
    "One day, {A} wanted to {verb} the {noun} more than anything.",
)
MIDDLE = (
    "{A} {verb_past} the {noun} with great care.",
    "{B} came over and looked at the {noun}.",
    "The {noun} was very {adj}, and {pa} liked it a lot.",
    "{A} showed the {noun} to {B}.",
    "Then the two friends {verb_past2} the {noun2} together.",
    "{B} {verb_past2} {an_noun2} and gave it to {A}.",
    "It was {an_adj2} day, and the sun was warm.",
    "The two friends walked to the {place} and sat down.",
    "{A} smiled, because the day was going so well.",
    "{pa} thought about the {noun} for a long time.",
    "{B} said that the {noun} looked {adj}.",
    "After a while, {A} put the {noun} in a safe place.",
    "They laughed and played until the sky grew dark.",
    "{B} asked if {pa} could help with the {noun2}.",
    "They looked all around the {place}, but there was no {noun2} there.",
    "Both friends wanted to keep the {noun} as their own.",
    "{B} said that they should {verb} it before the sun went down.",
    "It was still early, so they went out to play for a while longer.",
    "Some of the other animals came up to look at it, too.",
    '"Why is the {noun} so {adj}?" asked {A}.',
    "Nobody knew where the {noun} came from, or why it was there.",
    "Those were the best days of the whole summer.",
    "They walked through the {place} and under an old bridge.",
    "When the wind blew, the {noun} would shake a little.",
    "The two friends took turns, one after another.",
    "They counted to three and then jumped off the {noun2}.",
    "There was only one {noun} left, and they had to share it.",
    "{A} had never seen such {an_adj2} {noun2} before.",
)
DIALOGUE = (
    '"Can we {verb} the {noun} together?" asked {B}.',
    '"Yes, we can!" said {A} with a big smile.',
)
TWISTS = (
    "But then, something strange happened.",
    "Suddenly, a strong wind blew the {noun} away!",
    "But the {noun} was not what it seemed to be.",
)
ENDINGS_GOOD = (
    "In the end, {A} and {B} were very happy.",
    "From that day on, {A} and {B} were the best of friends.",
)
ENDINGS_BAD = (
    "In the end, the {noun} was lost, and {A} felt sad.",
    "Sadly, {A} never saw the {noun} again.",
)
MORALS = (
    "{A} learned that it is good to share with friends.",
    "The lesson is that kind friends help each other.",
    "{A} learned that being careful is important.",
)
TEMPLATES = (OPENINGS + SETUP + EVENTS + MIDDLE + DIALOGUE + TWISTS + ENDINGS_GOOD
             + ENDINGS_BAD + MORALS + PLACES)


def _character(rng, world, adj: str) -> tuple[str, str, str]:
    name = rng.choice(world.pools.first)
    kind, pronoun = rng.choice(STORY_KINDS)
    pronoun = pronoun or rng.choice(("he", "she"))
    desc = f"{'an' if adj[0] in 'aeiou' else 'a'} {adj} {kind}"
    return name, pronoun, desc


def generate(world, rng, ctx: DocContext) -> Draft:
    """One story (see module docstring)."""
    slots = word_slots(rng, world.vocab)
    a, pa, a_desc = _character(rng, world, slots["adj"])
    b, _, b_desc = _character(rng, world, slots["adj2"])
    while b == a:
        b = rng.choice(world.pools.first)
    city = rng.randrange(len(world.ents.cities))
    slots.update(A=a, B=b, pa=pa, a_desc=a_desc, b_desc=b_desc, place=rng.choice(PLACES),
                 city=world.ents.cities[city].name)
    features = [f for f in FEATURES if rng.random() < 0.5]
    middle = cycler(rng, MIDDLE)
    body = [rng.choice(OPENINGS), rng.choice(SETUP), rng.choice(EVENTS)]
    if "dialogue" in features:
        body += list(DIALOGUE)
    body += [middle() for _ in range(rng.randint(1, 3))]
    if "twist" in features:
        body.append(rng.choice(TWISTS))
    end = [rng.choice(ENDINGS_BAD if "bad_ending" in features else ENDINGS_GOOD)]
    if "moral" in features:
        end.append(rng.choice(MORALS))
    target = rng.randint(6, 12)
    sentences = [cap(t.format(**slots)) for t in body]
    while len(sentences) + len(end) < target or n_words(sentences + end) < world.cfg.doc_min_words:
        sentences.append(cap(middle().format(**slots)))
    sentences += [cap(t.format(**slots)) for t in end]
    uses_city = any("{city}" in t for t in body)
    return Draft(paragraphs(sentences, rng), [f"city:{city}"] if uses_city else [],
                 {"features": features})
