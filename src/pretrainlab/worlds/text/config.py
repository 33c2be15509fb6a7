"""``TextWorldConfig``: every knob of the synthetic text world, with defaults and ``validate()``.

Fields use simple types only (int, float, bool, str, ``tuple[int, int]``, ``dict[str, float]``) so
the generic loader in ``pretrainlab.config`` can build it from YAML and then call ``validate()``.
The corpus knobs (noise, toxicity, PII, duplicates, languages, rewriter, provenance tags; see
``knobs.py``) all default to off, so a config that does not set them gives exactly the corpus of
the version without them (same pinned fingerprint).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .domains import DOMAIN_NAMES
from .noise import NOISE_TYPES

DEFAULT_MIX = {
    "story": 0.25, "encyclopedia": 0.30, "dialog": 0.12, "arithmetic": 0.13, "code": 0.10,
    "qa": 0.10,
}


@dataclass
class TextWorldConfig:
    """Config of the synthetic text world (Part 3 of the design notes)."""

    seed: int = 0
    """Master seed; every random choice derives from it."""
    n_docs: int = 20000
    """Documents in train + val."""
    val_frac: float = 0.05
    """Fraction of ``n_docs`` in the val split (train gets ``round(n_docs * (1 - val_frac))``)."""
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    """Domain weights (normalized; missing domains get 0). Domains: story, encyclopedia, dialog,
    arithmetic, code, qa."""
    vocab_size: int = 1500
    """Exact number of lowercase word types the world can emit (see ``vocab.py``)."""
    n_people: int = 2000
    """People in the world; each gets ``bio_multiplicity`` distinct encyclopedia bios."""
    n_cities: int = 60
    """Cities (region, population series)."""
    n_companies: int = 80
    """Companies (founded year, HQ city, CEO timeline)."""
    name_syllables: tuple[int, int] = (2, 3)
    """Min and max syllables of a first name."""
    years: tuple[int, int] = (2000, 2019)
    """Years over which facts are simulated (employer timelines, populations, CEOs)."""
    train_years: tuple[int, int] = (2000, 2014)
    """Docs (train and val) are stamped with a year in this range; later years are unseen."""
    val_years: tuple[int, int] | None = None
    """Data age (Longpre et al. 2023): stamp val docs with a year in this range instead of
    ``train_years``. Val docs then depend only on ``val_years`` (not on ``train_years``), so worlds
    with different ``train_years`` share the same val docs. None: ``train_years``."""
    drift_rate: float = 0.08
    """Chance per person-year of changing employer (and so home city)."""
    bio_multiplicity: int = 2
    """Distinct phrasings (template choices and order) of each person's bio."""
    bio_permute: bool = True
    """Shuffle the order of the bio's attribute sentences (per phrasing)."""
    bio_fullname: bool = False
    """Use the full name in every bio sentence instead of he/she after the first."""
    qa_people_frac: float = 0.5
    """Fraction of people in the "train people" group (their QA may appear in training)."""
    qa_in_pretrain: float = 1.0
    """Fraction of the train people's QA facts that appear in training QA docs."""
    qa_eval_per_group: int = 200
    """Items per group (train_people, test_people) in the fact_qa eval set."""
    arith_digits: tuple[int, int] = (1, 3)
    """Min and max digits of arithmetic operands in training docs."""
    arith_ops: str = "+-*"
    """Operators used by arithmetic docs (a subset of "+-*")."""
    arith_eval_n: int = 200
    """Items in the arithmetic eval set (half in range, half one digit longer)."""
    code_depth: int = 2
    """Maximum nesting depth of expressions in code snippets."""
    code_eval_n: int = 100
    """Items in the code_exec eval set."""
    doc_min_words: int = 60
    """Prose docs (story, encyclopedia, dialog) get at least this many words."""
    temporal_eval_n: int = 300
    """Items in the temporal_qa eval set (spread evenly over year gaps 0..5)."""

    # -- corpus knobs (knobs.py); all off by default ----------------------------------------
    noise_rate: float = 0.0
    """Fraction of prose docs (story, encyclopedia, dialog) that get one noise injector."""
    val_noise_rate: float | None = None
    """``noise_rate`` of the val split (None: the same as train). 0 gives a clean val split, so that
    filter experiments measure loss on clean text instead of on the noise the filter removed."""
    noise_types: dict[str, float] = field(default_factory=lambda: dict.fromkeys(NOISE_TYPES, 1.0))
    """Relative weights of the noise types: boilerplate, repetition, word_salad, symbols, short,
    typos, foreign (missing types get 0)."""
    toxicity_rate: float = 0.0
    """Fraction of dialog docs that get insult lines with made-up toxicity markers."""
    pii_rate: float = 0.0
    """Fraction of prose docs that get fake e-mails, phone numbers or IP addresses."""
    dup_rate: float = 0.0
    """Fraction of docs that are exact copies of an earlier doc of the same split."""
    near_dup_rate: float = 0.0
    """Fraction of docs that are near copies (Jaccard of word 5-grams about 0.80-0.95)."""
    languages: tuple[str, ...] = ()
    """Synthetic languages, "name" or "name:order" (order: noun_adj, reverse, none)."""
    language_frac: float = 0.1
    """Fraction of all docs in the language domains lang_<name> (when languages is set)."""
    parallel_frac: float = 0.2
    """Fraction of language docs written as English/translation line pairs."""
    parallel_eval_n: int = 100
    """Sentence pairs in each parallel_<name> eval set."""
    translated: dict[str, float] = field(default_factory=dict)
    """Fraction of all docs per English domain rendered in every language as domain <domain>_<name>
    (e.g. {"qa": 0.05}: fact QA lines in Zorbish as qa_zorbish), split evenly over the languages."""
    rewriter: str | None = None
    """Name of a rewriter in ``rewrite.REWRITERS`` applied to every doc ("simplify")."""
    provenance_tags: bool = False
    """Prefix every doc with "<src=DOMAIN> " (Physics of LMs 3.3)."""
    noise_src_tag: str = ""
    """If set (e.g. "junk"), noisy docs are tagged <src=noise_src_tag> instead of their domain."""

    def source_weights(self) -> dict[str, float]:
        """Every domain that can get documents -> its share of the corpus: ``mix`` (> 0, normalized), then
        ``lang_<name>`` and the ``translated`` domains ``<domain>_<name>`` of each language."""
        names = [spec.partition(":")[0] for spec in self.languages]
        lang_total = (self.language_frac if names else 0.0) + sum(self.translated.values())
        total = sum(w for w in self.mix.values() if w > 0)
        out = {d: (1 - lang_total) * w / total for d, w in self.mix.items() if w > 0}
        for name in names:
            if self.language_frac > 0:
                out[f"lang_{name}"] = self.language_frac / len(names)
            out |= {f"{d}_{name}": w / len(names) for d, w in self.translated.items() if w > 0}
        return out

    def noise_rate_of(self, split: str) -> float:
        """The noise rate of ``split``: ``val_noise_rate`` for val when it is set, else ``noise_rate``."""
        return self.val_noise_rate if split == "val" and self.val_noise_rate is not None else self.noise_rate

    def validate(self) -> None:
        """Raise ``ValueError`` with a clear message if any value is out of range."""
        _check_mix(self.mix)
        _check(self.n_docs >= 2, f"n_docs must be >= 2, got {self.n_docs}")
        _check(0.0 < self.val_frac < 1.0, f"val_frac must be in (0, 1), got {self.val_frac}")
        n_val = self.n_docs - round(self.n_docs * (1 - self.val_frac))
        _check(0 < n_val < self.n_docs, f"val_frac={self.val_frac} leaves an empty split")
        for name in ("years", "train_years", "arith_digits", "name_syllables"):
            _check_range(name, getattr(self, name))
        if self.val_years is not None:
            _check_range("val_years", self.val_years)
            _check(self.years[0] <= self.val_years[0] and self.val_years[1] <= self.years[1],
                   f"val_years {tuple(self.val_years)} must lie inside years {tuple(self.years)}")
        _check(self.years[0] <= self.train_years[0] and self.train_years[1] <= self.years[1],
               f"train_years {tuple(self.train_years)} must lie inside years {tuple(self.years)}")
        _check(self.n_people >= 10, f"n_people must be >= 10, got {self.n_people}")
        _check(self.n_cities >= 5, f"n_cities must be >= 5, got {self.n_cities}")
        _check(self.n_companies >= 5, f"n_companies must be >= 5, got {self.n_companies}")
        for name in ("drift_rate", "qa_people_frac", "qa_in_pretrain"):
            value = getattr(self, name)
            _check(0.0 <= value <= 1.0, f"{name} must be in [0, 1], got {value}")
        _check(self.bio_multiplicity >= 1,
               f"bio_multiplicity must be >= 1, got {self.bio_multiplicity}")
        _check(1 <= self.arith_digits[0] and self.arith_digits[1] <= 6,
               f"arith_digits must be within 1..6, got {tuple(self.arith_digits)}")
        _check(bool(self.arith_ops) and set(self.arith_ops) <= set("+-*"),
               f"arith_ops must be a non-empty subset of '+-*', got {self.arith_ops!r}")
        _check(1 <= self.code_depth <= 4, f"code_depth must be in 1..4, got {self.code_depth}")
        _check(1 <= self.name_syllables[0] and self.name_syllables[1] <= 4,
               f"name_syllables must be within 1..4, got {tuple(self.name_syllables)}")
        for name in ("qa_eval_per_group", "arith_eval_n", "code_eval_n", "doc_min_words",
                     "temporal_eval_n", "parallel_eval_n"):
            _check(getattr(self, name) >= 0, f"{name} must be >= 0, got {getattr(self, name)}")
        _check_knobs(self)
        from .vocab import plan_vocab

        plan_vocab(self.vocab_size, self.n_people, self.n_cities, self.n_companies)


def _check_knobs(cfg: TextWorldConfig) -> None:
    for name in ("noise_rate", "toxicity_rate", "pii_rate", "dup_rate", "near_dup_rate",
                 "language_frac", "parallel_frac"):
        value = getattr(cfg, name)
        _check(0.0 <= value <= 1.0, f"{name} must be in [0, 1], got {value}")
    _check(cfg.dup_rate + cfg.near_dup_rate <= 1.0,
           f"dup_rate + near_dup_rate must be <= 1, got {cfg.dup_rate + cfg.near_dup_rate}")
    if cfg.val_noise_rate is not None:
        _check(0.0 <= cfg.val_noise_rate <= 1.0,
               f"val_noise_rate must be in [0, 1] or null, got {cfg.val_noise_rate}")
    unknown = sorted(set(cfg.noise_types) - set(NOISE_TYPES))
    _check(not unknown, f"noise_types has unknown types {unknown}; valid: {list(NOISE_TYPES)}")
    _check(all(v >= 0 for v in cfg.noise_types.values()), "noise_types weights must be >= 0")
    _check(max(map(cfg.noise_rate_of, ("train", "val"))) == 0 or sum(cfg.noise_types.values()) > 0,
           "noise_rate > 0 but every noise_types weight is 0")
    unknown = sorted(set(cfg.translated) - set(DOMAIN_NAMES))
    _check(not unknown, f"translated has unknown domains {unknown}; valid: {list(DOMAIN_NAMES)}")
    _check(all(v >= 0 for v in cfg.translated.values()), "translated fractions must be >= 0")
    _check(not any(cfg.translated.values()) or bool(cfg.languages),
           "translated is set but languages is empty; add a language, e.g. languages: [zorbish]")
    lang_total = (cfg.language_frac if cfg.languages else 0.0) + sum(cfg.translated.values())
    _check(lang_total <= 1.0, f"language_frac + sum(translated) must be <= 1, got {lang_total}")
    from .languages import check_specs
    from .rewrite import REWRITERS

    check_specs(cfg.languages)
    _check(cfg.rewriter is None or cfg.rewriter in REWRITERS,
           f"unknown rewriter {cfg.rewriter!r}; registered: {sorted(REWRITERS)}")
    _check(cfg.noise_src_tag == "" or (cfg.noise_src_tag.isascii()
                                        and cfg.noise_src_tag.replace("_", "").isalpha()),
           f"noise_src_tag must be letters and underscores, got {cfg.noise_src_tag!r}")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _check_range(name: str, value) -> None:
    _check(len(value) == 2, f"{name} must be a pair (lo, hi), got {value!r}")
    _check(value[0] <= value[1], f"{name} is reversed: {tuple(value)} (expected lo <= hi)")


def _check_mix(mix: dict[str, float]) -> None:
    unknown = sorted(set(mix) - set(DOMAIN_NAMES))
    _check(not unknown, f"mix has unknown domains {unknown}; valid: {list(DOMAIN_NAMES)}")
    negative = sorted(k for k, v in mix.items() if v < 0)
    _check(not negative, f"mix weights must be >= 0, negative for {negative}")
    _check(sum(mix.values()) > 0, "mix weights are all zero; give at least one domain a weight")
