"""Corpus knobs: how a clean document becomes the final one (all off by default).

``TextWorld.document(split, i)`` runs these steps; each has its own RNG stream derived from
``(seed, step, split, i)``, so turning one knob on never changes another knob's decisions, and any
document can still be generated alone::

    clean doc (domains/, langdocs)                       meta.lang when languages are configured
      -> toxicity  (dialog only, toxicity.py)            meta.toxic=1, toxic_markers
      -> PII       (prose only, pii.py)                  meta.pii=1, pii_values, pii_kinds
      -> noise     (prose only, noise.py)                meta.noise=<type>
      -> duplicate (dups.py: replace by a copy of root)  meta.dup_of, dup_kind (dup_jaccard)
      -> rewriter  (rewrite.py)                          meta.rewriter
      -> provenance tag "<src=DOMAIN> " prefix           (text only)

Prose domains are story, encyclopedia and dialog. The provenance tag names ``meta.domain``
(``lang_<name>`` for language docs); with ``noise_src_tag`` set, noisy docs are tagged
``<src=noise_src_tag>`` instead, modelling the separate junk sources of Physics of LMs 3.3
(Allen-Zhu & Li 2024, arXiv 2404.05405). With every knob off a document is exactly the clean one
(the pinned corpus fingerprint does not move).

``extra_words()`` lists the words the knobs can add (boilerplate, markers, PII hosts, language
lexicons, tag words); ``TextWorld.vocabulary()`` adds them, so a closed word-level tokenizer has no
OOV word. Typos are the exception: they create arbitrary non-words on purpose.
"""

from __future__ import annotations

from pretrainlab.seeding import cumulative, make_rng, pick_weighted

from . import noise, pii, toxicity
from .domains import PROSE_DOMAINS
from .dups import dup_choice, jaccard, near_edit, root_of
from .languages import FOREIGN_PHONOLOGY, Language, build_language
from .rewrite import build_rewriter
from .vocab import words_in

FIXED_KNOB_WORDS = frozenset({"english", "src", "lang"})


class Knobs:
    """The knob steps of one world (languages and the rewriter are built on first use)."""

    def __init__(self, world):
        self.world = world
        self.cfg = world.cfg
        weights = [float(self.cfg.noise_types.get(t, 0.0)) for t in noise.NOISE_TYPES]
        self.noise_cum = cumulative(weights)
        self._languages: dict[str, Language] | None = None
        self._foreign: Language | None = None
        self._rewriter = None

    # -- word sets ----------------------------------------------------------------------------
    def reserved(self) -> set[str]:
        """Words no generated pseudo-word may take (fixed for a world, whatever the knobs)."""
        w = self.world
        base = w.vocab.lexicon_words() | set(w.pools.words())
        return (base | set(toxicity.TOXIC_MARKERS) | toxicity.template_words()
                | pii.template_words() | noise.template_words() | FIXED_KNOB_WORDS)

    @property
    def languages(self) -> dict[str, Language]:
        """Configured languages by name."""
        if self._languages is None:
            english, reserved = self.world.vocab.lexicon_words(), self.reserved()
            langs = [build_language(self.cfg.seed, s, english, reserved)
                     for s in self.cfg.languages]
            self._languages = {lang.name: lang for lang in langs}
        return self._languages

    @property
    def foreign(self) -> Language:
        """The pseudo-language of the ``foreign`` noise injector."""
        if self._foreign is None:
            english = (self.world.vocab.lexicon_words() | toxicity.template_words()
                       | pii.template_words())  # inserted sentences are translated too
            self._foreign = build_language(self.cfg.seed, "foreign:none", english,
                                           self.reserved(), FOREIGN_PHONOLOGY)
        return self._foreign

    def extra_words(self) -> set[str]:
        """Words the enabled knobs can emit beyond the English world (typos excepted)."""
        cfg, out = self.cfg, set()
        if max(map(cfg.noise_rate_of, ("train", "val"))) > 0:
            out |= noise.template_words()
            if cfg.noise_types.get("foreign", 0) > 0:
                out |= self.foreign.words()
        if cfg.toxicity_rate > 0:
            out |= set(toxicity.TOXIC_MARKERS) | toxicity.template_words()
        if cfg.pii_rate > 0:
            out |= pii.template_words()
        for lang in self.languages.values():
            out |= lang.words() | {"english", lang.name}
        if cfg.provenance_tags:
            out |= {"src"} | words_in(" ".join(self.world.domain_names)) | words_in(
                cfg.noise_src_tag)
        return out

    # -- document steps -----------------------------------------------------------------------
    def decorate(self, doc: dict, split: str, i: int) -> dict:
        """Toxicity, PII and noise on a clean document (in place; see module docstring)."""
        cfg, meta = self.cfg, doc["meta"]
        domain, text, protected = meta["domain"], doc["text"], []
        if cfg.toxicity_rate > 0 and domain == "dialog":
            rng = make_rng(cfg.seed, "toxic", split, i)
            if rng.random() < cfg.toxicity_rate:
                text, used = toxicity.insert_toxicity(text, rng, meta["speakers"])
                meta.update(toxic=1, toxic_markers=used)
                protected += used
        if cfg.pii_rate > 0 and domain in PROSE_DOMAINS:
            rng = make_rng(cfg.seed, "pii", split, i)
            if rng.random() < cfg.pii_rate:
                text, values, kinds = pii.insert_pii(text, rng, self.world.ents.people)
                meta.update(pii=1, pii_values=values, pii_kinds=kinds)
                protected += values
        rate = cfg.noise_rate_of(split)
        if rate > 0 and domain in PROSE_DOMAINS:
            rng = make_rng(cfg.seed, "noise", split, i)
            if rng.random() < rate:
                kind = noise.NOISE_TYPES[pick_weighted(rng, self.noise_cum)]
                text = noise.INJECTORS[kind](text, rng, self.world, protected)
                meta["noise"] = kind
        doc["text"] = text
        return doc

    def _duplicate(self, split: str, i: int, kind: str, j: int) -> dict:
        root = self.world.labelled_document(split, root_of(self.cfg, split, j))
        meta = {**root["meta"], "id": f"{split}-{i:06d}", "dup_of": root["meta"]["id"],
                "dup_kind": kind}
        text = root["text"]
        if kind == "near":
            protected = meta.get("pii_values", []) + meta.get("toxic_markers", [])
            text = near_edit(text, make_rng(self.cfg.seed, "near_dup", split, i), protected)
            meta["dup_jaccard"] = round(jaccard(root["text"], text), 4)
        return {"text": text, "meta": meta}

    def finish(self, split: str, i: int) -> dict:
        """Document ``i`` of ``split`` after every knob step."""
        cfg = self.cfg
        choice = dup_choice(cfg, split, i)
        doc = (self.world.labelled_document(split, i) if choice is None
               else self._duplicate(split, i, *choice))
        if cfg.rewriter is not None:
            if self._rewriter is None:
                self._rewriter = build_rewriter(cfg.rewriter, self.world)
            doc = self._rewriter(doc)
            doc["meta"] = {**doc["meta"], "rewriter": cfg.rewriter}
        if cfg.provenance_tags:
            meta = doc["meta"]
            src = cfg.noise_src_tag if cfg.noise_src_tag and meta.get("noise") else meta["domain"]
            doc = {"text": f"<src={src}> {doc['text']}", "meta": meta}
        return doc
