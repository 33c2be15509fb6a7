"""Helpers for the curation tests: reference texts, labelled documents, JSONL files."""

from __future__ import annotations

import json
import random

GOOD = (
    "The little cat lived in a small house with the old farmer and his kind wife. "
    "Every morning the cat walked to the river to look at the fish that swam near the bank. "
    "One day the farmer brought home a new dog, and the cat was afraid of it at first. "
    "The dog was friendly and wanted to play with the cat in the garden. "
    "After a week the two animals became good friends and slept together by the warm fire. "
    "The farmer was happy to see that they liked each other so much."
)
"""About 100 words of plain prose that passes every rule with datatrove's defaults."""


def doc(text: str, **meta) -> dict:
    return {"text": text, "meta": dict(meta)}


def labelled(text: str, i: int, noise=None, toxic=0, dup_of=None, domain="story", pii=0,
             **extra) -> dict:
    """A document with the synthetic world's label fields."""
    return doc(text, id=f"d{i}", noise=noise, toxic=toxic, pii=pii, dup_of=dup_of, domain=domain,
               **extra)


NOUNS = ("cat dog farmer river garden house market teacher window apple boat forest friend "
         "village mountain kitchen letter song road bridge").split()
VERBS = "liked found carried painted watched helped visited followed cleaned opened".split()
ADJS = "small happy old green quiet bright kind brave tired careful".split()
LINKS = ("before lunch near a", "because of that", "and then saw one", "while singing to every",
         "after school with some", "under the", "in spite of its", "so it could reach that")


def story(i: int, sentences: int = 10) -> str:
    """A distinct clean prose document (random sentences seeded by ``i``; passes every rule)."""
    rng = random.Random(i)
    out = []
    for _ in range(sentences):
        a, b, c = (rng.choice(NOUNS) for _ in range(3))
        adj, verb, link = rng.choice(ADJS), rng.choice(VERBS), rng.choice(LINKS)
        out.append(f"The {adj} {a} {verb} the {b} {link} {c}.")
    return " ".join(out)


def write_jsonl(path, docs: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
