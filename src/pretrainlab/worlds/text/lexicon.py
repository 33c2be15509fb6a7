"""Embedded English word lists for the text world (data only, ASCII, lowercase).

* ``FUNCTION_WORDS``: about 110 closed-class words, including Gopher's 8 stop words
  (the, be, to, of, and, that, have, with), so clean prose passes stop-word rules.
* ``NOUNS``, ``VERBS`` (base, past), ``ADJECTIVES``: the tiered content words (about 400). Each list
  runs from the simplest words (tier 1) to rarer ones, so truncating a list keeps the easy tiers;
  ``vocab.py`` truncates them when ``vocab_size`` is small. Verbs are all transitive, so the
  template "X <past> the <noun>." always reads well.
* Fixed lists used by templates (fields, regions, months, name suffixes, countable nouns).
"""

from __future__ import annotations

FUNCTION_WORDS: tuple[str, ...] = tuple("""
the a an and or but so if then than because when while after before until of to in on at by for
with from about into over under near up down out off through between around without be is are was
were been being am have has had do does did will would can could should may might must that this
these those it its he she him her his they them their we us our you your i me my who what which
where why how there here not no yes all some many much more most very too also just only each every
other another one two three again now still same such own both any once soon
""".split())

GOPHER_STOP_WORDS: tuple[str, ...] = ("the", "be", "to", "of", "and", "that", "have", "with")

NOUNS: tuple[str, ...] = tuple("""
ball cat dog tree house box book cup hat bird car boat cake door fish flower garden hill kite lamp
milk moon park pond rain river road sea star sun toy train water window apple bag bed bell bike
bread chair coat cookie doll drum egg farm gift horse key leaf map nest pen pie rock rope shoe sock
song spoon table wall wind wood basket blanket bridge bucket candle castle cloud forest island
jacket kitchen ladder letter mirror mountain painting pillow puzzle rabbit ribbon robot rocket
sandwich shell shelf ship stone stove street tent ticket tower village wagon whistle button carpet
clock feather fence garage hammer kettle market pocket pumpkin school shop sweater teapot tractor
turtle anchor balloon cabin canyon compass harbor helmet lantern meadow notebook orchard parcel
puppet quilt saddle scarf sled statue telescope trumpet tunnel umbrella valley violin wallet wheel
bench bottle brush camera carrot cherry crayon desk fork glove honey jar lemon nail needle peach
pepper piano plate radio salad skirt soap sugar thread towel trunk vase whale zebra
""".split())

VERBS: tuple[tuple[str, str], ...] = tuple(tuple(p.split(":")) for p in """
find:found see:saw make:made take:took give:gave hold:held carry:carried open:opened close:closed
build:built paint:painted draw:drew read:read write:wrote clean:cleaned wash:washed fix:fixed
push:pushed pull:pulled throw:threw catch:caught kick:kicked hug:hugged visit:visited help:helped
watch:watched cook:cooked eat:ate buy:bought sell:sold bring:brought keep:kept hide:hid
share:shared follow:followed hear:heard touch:touched pick:picked fill:filled fold:folded cut:cut
lift:lifted move:moved drop:dropped like:liked love:loved want:wanted need:needed use:used
grab:grabbed shake:shook chase:chased feed:fed plant:planted climb:climbed count:counted
check:checked hang:hung wrap:wrapped fetch:fetched borrow:borrowed lend:lent send:sent mend:mended
polish:polished sort:sorted stack:stacked trade:traded measure:measured bake:baked ride:rode
wear:wore lose:lost win:won play:played pack:packed tie:tied load:loaded raise:raised spin:spun
tap:tapped roll:rolled toss:tossed swing:swung sketch:sketched guard:guarded carve:carved
explore:explored discover:discovered collect:collected decorate:decorated deliver:delivered
examine:examined gather:gathered inspect:inspected organize:organized protect:protected
repair:repaired rescue:rescued admire:admired remember:remembered notice:noticed greet:greeted
invite:invited answer:answered call:called mix:mixed pour:poured stir:stirred peel:peeled
slice:sliced squeeze:squeezed dig:dug bury:buried
""".split())

ADJECTIVES: tuple[str, ...] = tuple("""
big small red blue green yellow happy sad little old new good bad hot cold soft hard fast slow tall
short long bright dark kind funny nice pretty shiny quiet loud warm wet dry clean dirty brave busy
calm clever curious empty full gentle heavy lucky strong sweet tiny huge round smooth sharp fresh
friendly golden silver purple orange pink brown white black gray strange careful proud sleepy
hungry silly wild wooden young cheerful cozy fancy fuzzy gloomy grumpy honest jolly lazy merry noisy
patient plain polite rare rusty shy simple sticky stormy sunny tidy wise wonderful ancient bold
elegant fragile hollow narrow rapid sturdy vivid bumpy chilly crisp dusty eager fierce glad graceful
handsome icy lively mighty
""".split())

FIELDS: tuple[str, ...] = (
    "physics", "chemistry", "biology", "mathematics", "history", "music", "medicine", "law",
    "economics", "engineering", "literature", "geology", "astronomy", "philosophy",
    "architecture", "statistics",
)
REGIONS: tuple[str, ...] = (
    "North", "South", "East", "West", "Coast", "Highlands", "Lowlands", "Midlands",
)
MONTHS: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# (singular, plural) for arithmetic word problems.
COUNT_NOUNS: tuple[tuple[str, str], ...] = (
    ("coin", "coins"), ("apple", "apples"), ("book", "books"), ("card", "cards"),
    ("stamp", "stamps"), ("pencil", "pencils"), ("marble", "marbles"), ("shell", "shells"),
    ("ticket", "tickets"), ("button", "buttons"),
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "Labs", "Works", "Foods", "Systems", "Motors", "Group", "Textiles", "Media", "Energy", "Tools",
)
CITY_SUFFIXES: tuple[str, ...] = ("ton", "vale", "port", "burg", "ford", "field", "mouth", "wick")
SCHOOL_KINDS: tuple[str, ...] = ("University", "College", "Institute", "Academy")
# Story characters: (kind, pronoun or "" for a random one).
STORY_KINDS: tuple[tuple[str, str], ...] = (
    ("girl", "she"), ("boy", "he"), ("cat", ""), ("dog", ""), ("bird", ""), ("rabbit", ""),
    ("bear", ""), ("fox", ""), ("mouse", ""), ("duck", ""),
)


def article(word: str) -> str:
    """English indefinite article for ``word`` ("a" or "an")."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def fixed_lists() -> list[str]:
    """All words of the fixed (never truncated) lists, lowercase."""
    words = list(FUNCTION_WORDS) + list(FIELDS)
    words += [w.lower() for w in REGIONS + MONTHS + COMPANY_SUFFIXES + SCHOOL_KINDS]
    words += [plural for _, plural in COUNT_NOUNS] + [k for k, _ in STORY_KINDS]
    return words
