"""PII: fake e-mail addresses, phone numbers and public-looking IP addresses in prose documents.

With ``pii_rate`` > 0, each *prose* document (story, encyclopedia, dialog) independently gets PII
with that probability (its own RNG, ``seed, "pii", split, i``): 1-3 sentences such as
"My email is kiralo.venn@postbox.com." are appended to random lines. Values:

* ``email``: ``first.last@host.tld`` of a random person of the world (hosts are made-up words);
* ``phone``: ``NNN-NNN-NNNN`` (one whitespace token, so masking regexes see it whole);
* ``ip``: a public-looking IPv4 address (first octet 11-223, never 100, 127, 169, 172 or 192, so
  it is outside the private, loopback, link-local and shared ranges; datatrove's ``PIIFormatter``
  only replaces public addresses).

Meta: ``pii=1``, ``pii_values`` (each inserted string, exactly as it appears in the text) and
``pii_kinds`` (parallel list: email, phone or ip). Later edits (noise, near-duplicates, the
simplifier) never touch a token that contains a PII value, so masking recall can be measured as
the share of ``pii_values`` no longer present in the text.
"""

from __future__ import annotations

from random import Random

from .vocab import words_in

PII_KINDS = ("email", "phone", "ip")
HOSTS = ("postbox", "mailhub", "webpost", "letterly")
TLDS = ("com", "net", "org")
NON_PUBLIC_FIRST_OCTETS = (100, 127, 169, 172, 192)
SENTENCES = {
    "email": ("My email is {v}.", "You can write to {name} at {v}.",
              "Send your questions to {v}."),
    "phone": ("Call {v} for more details.", "My phone number is {v}.",
              "You can reach the office at {v}."),
    "ip": ("This page was saved from the server at {v}.",
           "The site runs on the computer at {v}."),
}


def template_words() -> set[str]:
    """Ordinary words of the PII sentences and e-mail hosts (added to the vocabulary)."""
    words = set(HOSTS) | set(TLDS)
    for templates in SENTENCES.values():
        for t in templates:
            words |= words_in(t.replace("{v}", "").replace("{name}", ""))
    return words


def make_value(rng: Random, kind: str, people) -> tuple[str, str]:
    """(value, person's full name or "") of one fake PII item of ``kind``."""
    if kind == "email":
        p = rng.choice(people)
        host = f"{rng.choice(HOSTS)}.{rng.choice(TLDS)}"
        return f"{p.first.lower()}.{p.last.lower()}@{host}", p.name
    if kind == "phone":
        return f"{rng.randint(201, 989)}-{rng.randint(200, 999)}-{rng.randint(0, 9999):04d}", ""
    first = rng.choice([o for o in range(11, 224) if o not in NON_PUBLIC_FIRST_OCTETS])
    rest = [rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)]
    return ".".join(str(o) for o in [first, *rest]), ""


def insert_pii(text: str, rng: Random, people) -> tuple[str, list[str], list[str]]:
    """``text`` with 1-3 PII sentences appended to random non-empty lines; (text, values, kinds)."""
    lines = text.split("\n")
    targets = [k for k, line in enumerate(lines) if line.strip()]
    values, kinds = [], []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(PII_KINDS)
        value, name = make_value(rng, kind, people)
        sentence = rng.choice(SENTENCES[kind]).format(v=value, name=name)
        k = rng.choice(targets)
        lines[k] = f"{lines[k].rstrip()} {sentence}"
        values.append(value)
        kinds.append(kind)
    return "\n".join(lines), values, kinds
