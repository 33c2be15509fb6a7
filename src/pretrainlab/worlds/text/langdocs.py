"""Documents and eval sets in the synthetic languages (``languages.py``).

* Domain ``lang_<name>`` (one per configured language; together ``language_frac`` of all docs):
  a story or encyclopedia article (50/50) generated exactly as in English and then translated.
  With probability ``parallel_frac`` the doc is instead *parallel*: one line pair per sentence,
  ``"English: <sentence>"`` then ``"Zorbish: <translation>"``. Meta: ``lang`` (the name),
  ``source_domain`` (story or encyclopedia), ``parallel`` (bool), plus the source's own labels.
  Encyclopedia articles pick a random person, city or company (bios use phrasing 0).
* Domains ``<domain>_<name>`` (``translated``, e.g. ``qa_zorbish``, ``arithmetic_zorbish``): a
  ``<domain>`` document translated whole (synthetic QA or math in the second language), with the
  same meta as above (``source_domain`` = the English domain, ``parallel`` False).
* Eval set ``parallel_<name>``: ``parallel_eval_n`` sentence pairs ``{"en", "xx", "prompt":
  "English: <en>\\nZorbish:", "answer": " <xx>"}`` drawn from fresh stories with the eval RNG. The
  sentences are template sentences, so they are *not* held out from training: the set measures
  translation ability, not generalization to unseen sentences.
"""

from __future__ import annotations

from pretrainlab.seeding import make_rng

from .domains import DOMAINS
from .domains.common import DocContext, Draft
from .textops import sentences

SOURCE_DOMAINS = ("story", "encyclopedia")
LABEL_WORDS = "english"


def _english_draft(world, rng, ctx: DocContext) -> tuple[str, Draft]:
    source = SOURCE_DOMAINS[rng.random() < 0.5]
    if source == "encyclopedia":
        ents = world.ents
        n_items = len(ents.people) + len(ents.cities) + len(ents.companies)
        ctx = DocContext(ctx.split, ctx.index, rng.randrange(n_items), ctx.year)
    return source, DOMAINS[source].generate(world, rng, ctx)


def parallel_text(lang, english: str) -> str:
    """``"English: s1\\nZorbish: t1\\nEnglish: s2\\n..."`` for every sentence of ``english``."""
    lines = []
    for s in sentences(english):
        lines += [f"English: {s}", f"{lang.label}: {lang.translate(s)}"]
    return "\n".join(lines)


def generate(world, rng, ctx: DocContext, lang) -> Draft:
    """One ``lang_<name>`` document (see module docstring)."""
    source, draft = _english_draft(world, rng, ctx)
    parallel = rng.random() < world.cfg.parallel_frac
    text = parallel_text(lang, draft.text) if parallel else lang.translate(draft.text)
    labels = {**draft.labels, "lang": lang.name, "source_domain": source, "parallel": parallel}
    return Draft(text, draft.entities, labels)


def translated(world, rng, ctx: DocContext, lang, source: str) -> Draft:
    """One ``<source>_<name>`` document (``TextWorldConfig.translated``): a ``source`` document
    generated as in English (its own slot sequence) and translated, e.g. fact QA lines in Zorbish."""
    draft = DOMAINS[source].generate(world, rng, ctx)
    labels = {**draft.labels, "lang": lang.name, "source_domain": source, "parallel": False}
    return Draft(lang.translate(draft.text), draft.entities, labels)


def parallel_eval(world, lang) -> list[dict]:
    """The ``parallel_<name>`` eval set (see module docstring)."""
    cfg = world.cfg
    rng = make_rng(cfg.seed, "eval", "parallel", lang.name)
    seen: set[str] = set()
    items: list[dict] = []
    for k in range(50 * max(cfg.parallel_eval_n, 1)):
        if len(items) >= cfg.parallel_eval_n:
            break
        draft = DOMAINS["story"].generate(world, rng, DocContext("val", -1 - k, 0, 0))
        en = rng.choice(sentences(draft.text))
        if en in seen:
            continue
        seen.add(en)
        xx = lang.translate(en)
        items.append({"id": f"parallel_{lang.name}-{len(items):04d}", "lang": lang.name,
                      "en": en, "xx": xx, "prompt": f"English: {en}\n{lang.label}:",
                      "answer": f" {xx}"})
    return items
