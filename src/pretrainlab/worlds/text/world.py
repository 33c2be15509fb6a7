"""``TextWorld``: the seeded synthetic text world, its documents, eval sets and fingerprint.

Building a world draws the vocabulary, name pools and entities from ``cfg.seed``, splits people
into train and test groups, and plans every document's domain (``plan.SplitPlan``). After that,
``document(split, i)`` generates document ``i`` alone from its own RNG, so shards can be produced
in any order or in parallel and still be byte-identical.

A document is ``{"text": str, "meta": {...}}``; ``meta`` always has id, split, domain, year (in
``train_years``; val: ``val_years`` if set), entities (ids of every entity mentioned) and the labels
the corpus knobs set (``knobs.py``): ``noise`` (None or the noise type), ``toxic`` (0/1), ``pii``
(0/1) and ``dup_of`` (None or the original's id); knobs add more keys only when they fire
(``toxic_markers``, ``pii_values``, ``dup_kind``...). With ``languages`` configured every doc also
has ``lang`` ("en" or the language name) and the domains ``lang_<name>`` exist. Domains add their
own labels (story ``features``, encyclopedia ``article``).

Document pipeline: ``clean_document`` (domain generator) -> ``labelled_document`` (toxicity, PII,
noise) -> ``document`` (duplicates, rewriter, provenance tag); see ``knobs.py``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterator

from pretrainlab.seeding import cumulative, make_rng, pick_weighted

from . import langdocs
from .config import TextWorldConfig
from .domains import DOMAIN_NAMES, DOMAINS, DocContext
from .domains.qa import QA_LINES
from .facts import Fact, people_groups, pretrain_facts
from .knobs import Knobs
from .languages import parse_spec
from .names import make_pools
from .plan import Cycle, SplitPlan, doc_rng
from .populate import build_entities
from .vocab import plan_vocab

SPLITS = ("train", "val")
CLEAN_LABELS = {"noise": None, "toxic": 0, "pii": 0, "dup_of": None}


class TextWorld:
    """The world described by a ``TextWorldConfig`` (validated on construction)."""

    def __init__(self, cfg: TextWorldConfig):
        cfg.validate()
        self.cfg = cfg
        self.vocab = plan_vocab(cfg.vocab_size, cfg.n_people, cfg.n_cities, cfg.n_companies)
        self.pools = make_pools(make_rng(cfg.seed, "world", "names"), self.vocab.pool_sizes,
                                self.vocab.lexicon_words(), tuple(cfg.name_syllables))
        self.ents = build_entities(cfg, self.pools)
        groups = people_groups(cfg.seed, cfg.n_people, cfg.qa_people_frac)
        self.train_people, self.test_people = groups
        self.qa_facts: list[Fact] = pretrain_facts(cfg.seed, self.train_people, cfg.qa_in_pretrain)
        self.lang_domains = {f"lang_{parse_spec(s)[0]}": parse_spec(s)[0] for s in cfg.languages}
        self.translated_domains = {f"{d}_{name}": (d, name) for name in self.lang_domains.values()
                                   for d, w in cfg.translated.items() if w > 0}
        self.domain_names: tuple[str, ...] = (DOMAIN_NAMES + tuple(self.lang_domains)
                                              + tuple(self.translated_domains))
        self.weights = self._weights()
        self._cum = cumulative([self.weights[d] for d in self.domain_names])
        self.knobs = Knobs(self)
        n_train = round(cfg.n_docs * (1 - cfg.val_frac))
        self.n_docs = {"train": n_train, "val": cfg.n_docs - n_train}
        self._plans: dict[str, SplitPlan] = {}
        self._cycles: dict[tuple[str, str], Cycle] = {}

    def _weights(self) -> dict[str, float]:
        """Normalized domain weights; "qa" gets 0 when there are no QA facts to show."""
        raw = {d: float(self.cfg.mix.get(d, 0.0)) for d in DOMAIN_NAMES}
        if not self.qa_facts:
            raw["qa"] = 0.0
        total = sum(raw.values())
        if total <= 0:
            raise ValueError("mix only weights 'qa', but qa_in_pretrain and qa_people_frac "
                             "leave no QA facts to show")
        weights = {d: w / total for d, w in raw.items()}
        if self.lang_domains:  # language docs take language_frac of the corpus, split evenly
            frac = self.cfg.language_frac
            n = len(self.lang_domains)
            tr = {d: self.cfg.translated[src] / n for d, (src, _) in self.translated_domains.items()}
            if not self.qa_facts:
                tr = {d: 0.0 if self.translated_domains[d][0] == "qa" else w for d, w in tr.items()}
            weights = {d: w * (1 - frac - sum(self.cfg.translated.values())) for d, w in weights.items()}
            weights.update({d: frac / n for d in self.lang_domains})
            weights.update(tr)
        return weights

    # -- planning ---------------------------------------------------------------------------
    def plan(self, split: str) -> SplitPlan:
        """Domain and slot of every document of ``split`` (computed once)."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        if split not in self._plans:
            self._plans[split] = SplitPlan(self.cfg.seed, split, self.n_docs[split], self._cum)
        return self._plans[split]

    def article_cycle(self, split: str) -> Cycle:
        """Encyclopedia slots -> (kind, index) of every person, city and company."""
        key = ("articles", split)
        if key not in self._cycles:
            ents = self.ents
            items = ([("person", i) for i in range(len(ents.people))]
                     + [("city", i) for i in range(len(ents.cities))]
                     + [("company", i) for i in range(len(ents.companies))])
            self._cycles[key] = Cycle(items, 1, self.cfg.seed, "articles", split)
        return self._cycles[key]

    def qa_cycle(self, split: str) -> Cycle:
        """QA slots -> chunks of ``QA_LINES`` in-pretrain facts."""
        key = ("qa", split)
        if key not in self._cycles:
            self._cycles[key] = Cycle(self.qa_facts, QA_LINES, self.cfg.seed, "qa", split)
        return self._cycles[key]

    def slots(self, split: str, domain: str) -> int:
        """Number of ``domain`` documents in ``split``."""
        return self.plan(split).counts[self.domain_names.index(domain)]

    def trained_qa_facts(self) -> list[Fact]:
        """The in-pretrain QA facts that actually appear in at least one train document."""
        return self.qa_cycle("train").covered(self.slots("train", "qa")) if self.qa_facts else []

    # -- documents --------------------------------------------------------------------------
    def document(self, split: str, i: int) -> dict:
        """Document ``i`` of ``split``, generated from its own RNGs (all knobs applied)."""
        self._check_index(split, i)
        return self.knobs.finish(split, i)

    def labelled_document(self, split: str, i: int) -> dict:
        """Document ``i`` with toxicity, PII and noise but before duplicates, rewriter and tag."""
        return self.knobs.decorate(self.clean_document(split, i), split, i)

    def clean_document(self, split: str, i: int) -> dict:
        """Document ``i`` as its domain generator wrote it (no knob applied)."""
        plan = self._check_index(split, i)
        rng = doc_rng(self.cfg.seed, split, i)
        d = pick_weighted(rng, self._cum)  # the same first draw as the plan's
        years = self.cfg.val_years if split == "val" and self.cfg.val_years else self.cfg.train_years
        year = rng.randint(*years)
        domain = self.domain_names[d]
        ctx = DocContext(split, i, plan.slot[i], year)
        if domain in self.lang_domains:
            lang = self.knobs.languages[self.lang_domains[domain]]
            draft = langdocs.generate(self, rng, ctx, lang)
        elif domain in self.translated_domains:
            source, name = self.translated_domains[domain]
            draft = langdocs.translated(self, rng, ctx, self.knobs.languages[name], source)
        else:
            draft = DOMAINS[domain].generate(self, rng, ctx)
        meta = {"id": f"{split}-{i:06d}", "split": split, "domain": domain, "year": year,
                "entities": draft.entities, **draft.labels, **CLEAN_LABELS}
        if self.lang_domains:
            meta.setdefault("lang", "en")
        return {"text": draft.text, "meta": meta}

    def _check_index(self, split: str, i: int) -> SplitPlan:
        plan = self.plan(split)
        if not 0 <= i < len(plan):
            raise IndexError(f"{split} has {len(plan)} documents, asked for {i}")
        return plan

    def documents(self, split: str, start: int = 0, stop: int | None = None) -> Iterator[dict]:
        """Documents ``start .. stop-1`` of ``split`` (all by default), in order."""
        stop = self.n_docs[split] if stop is None else min(stop, self.n_docs[split])
        for i in range(start, stop):
            yield self.document(split, i)

    # -- the rest of the public interface ---------------------------------------------------
    def eval_sets(self) -> dict[str, list[dict]]:
        """fact_qa, arithmetic, code_exec, temporal_qa, parallel_<lang> (``evalsets.py``)."""
        from .evalsets import build_eval_sets

        return build_eval_sets(self)

    def fact(self, entity: str, attr: str, year: int | None = None):
        """``Entities.fact``: e.g. ``fact("person:12", "employer", 2011) -> "company:3"``."""
        return self.ents.fact(entity, attr, year)

    def vocabulary(self) -> list[str]:
        """Every lowercase word (run of ASCII letters) the world can emit, sorted.

        With every knob off it has exactly ``vocab_size`` words. Knobs add their words on top
        (``Knobs.extra_words``: boilerplate, toxicity markers, PII hosts, language lexicons, tag
        words); typos are the one exception, being arbitrary non-words by design.
        """
        return sorted(self.vocab.lexicon_words() | set(self.pools.words())
                      | self.knobs.extra_words())

    def summary(self) -> dict:
        """Counts of entities, documents per split and domain, people groups and coverage."""
        ents, cfg = self.ents, self.cfg
        n_articles = len(ents.people) + len(ents.cities) + len(ents.companies)
        return {
            "entities": {"people": len(ents.people), "cities": len(ents.cities),
                         "companies": len(ents.companies), "schools": len(ents.schools)},
            "docs": dict(self.n_docs),
            "domains": {s: {d: self.slots(s, d) for d in self.domain_names} for s in SPLITS},
            "mix": {d: round(w, 6) for d, w in self.weights.items()},
            "people_groups": {"train_people": len(self.train_people),
                              "test_people": len(self.test_people)},
            "qa_facts": {"in_pretrain": len(self.qa_facts),
                         "in_train_docs": len(self.trained_qa_facts())},
            "bios_per_person_min": self.slots("train", "encyclopedia") // n_articles,
            "bio_multiplicity": cfg.bio_multiplicity,
            "vocabulary_size": len(self.vocabulary()),
            **({"languages": {n: lang.order for n, lang in self.knobs.languages.items()}}
               if self.lang_domains else {}),
        }


def canonical_json(doc: dict) -> str:
    """One document as canonical JSON (sorted keys, ASCII, no spaces)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def world_fingerprint(world: TextWorld, n: int = 200) -> str:
    """sha256 hex of the first ``n`` train docs of ``world`` in canonical JSON, one per line."""
    h = hashlib.sha256()
    for doc in world.documents("train", 0, n):
        h.update(canonical_json(doc).encode("ascii") + b"\n")
    return h.hexdigest()


def corpus_fingerprint(cfg: TextWorldConfig, n: int = 200) -> str:
    """``world_fingerprint`` of the world of ``cfg``: pin it in tests to catch generator drift."""
    return world_fingerprint(TextWorld(cfg), n)
