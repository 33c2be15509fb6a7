"""The synthetic text world: a seeded, stdlib-only generator of a labelled pretraining corpus.

Public interface::

    from pretrainlab.worlds.text import TextWorldConfig, TextWorld, corpus_fingerprint, write_world

    world = TextWorld(TextWorldConfig(n_docs=500, n_people=100))
    doc = world.document("train", 17)        # {"text": ..., "meta": {"domain": ..., ...}}
    evals = world.eval_sets()                # fact_qa, arithmetic, code_exec, temporal_qa, ...
    write_world(cfg, "data/world")           # JSONL shards + eval sets + world.json

    # corpus knobs (all off by default): labelled noise, toxicity, PII, duplicates, languages...
    TextWorldConfig(noise_rate=0.1, toxicity_rate=0.03, pii_rate=0.02, dup_rate=0.03,
                    near_dup_rate=0.03, languages=("zorbish",), provenance_tags=True)

Files: ``config`` (knobs), blake2b seeds from ``pretrainlab.seeding`` (``seeding`` here re-exports it for one
release), ``lexicon``/``names``/``vocab`` (words),
``entities``/``populate`` (people, cities, companies and their timelines), ``facts`` (QA facts and
people groups), ``plan`` (domain per doc, coverage cycles), ``domains/`` (one generator per domain),
``codeeval`` (the code-snippet interpreter), ``evalsets`` (incl. temporal_qa), ``world``, ``io``.
Corpus knobs: ``knobs`` (the pipeline and label semantics), ``noise``, ``toxicity``, ``pii``,
``dups``, ``languages``/``langdocs`` (synthetic languages), ``rewrite`` (rewriters, Simplifier),
``textops`` (word-level helpers).
"""

from .config import TextWorldConfig
from .io import write_world
from .rewrite import REWRITERS
from .toxicity import TOXIC_MARKERS
from .world import TextWorld, corpus_fingerprint

__all__ = ["TextWorldConfig", "TextWorld", "corpus_fingerprint", "write_world", "REWRITERS",
           "TOXIC_MARKERS"]
