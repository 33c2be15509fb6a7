"""The synthetic text world: a seeded, stdlib-only generator of a labelled pretraining corpus.

Public interface::

    from pretrainlab.worlds.text import TextWorldConfig, TextWorld, corpus_fingerprint, write_world

    world = TextWorld(TextWorldConfig(n_docs=500, n_people=100))
    doc = world.document("train", 17)        # {"text": ..., "meta": {"domain": ..., ...}}
    evals = world.eval_sets()                # fact_qa, arithmetic, code_exec (held out)
    write_world(cfg, "data/world")           # JSONL shards + eval sets + world.json

Files: ``config`` (knobs), ``seeding`` (blake2b seeds), ``lexicon``/``names``/``vocab`` (words),
``entities``/``populate`` (people, cities, companies and their timelines), ``facts`` (QA facts and
people groups), ``plan`` (domain per doc, coverage cycles), ``domains/`` (one generator per domain),
``codeeval`` (the code-snippet interpreter), ``evalsets``, ``world``, ``io``.
"""

from .config import TextWorldConfig
from .io import write_world
from .world import TextWorld, corpus_fingerprint

__all__ = ["TextWorldConfig", "TextWorld", "corpus_fingerprint", "write_world"]
