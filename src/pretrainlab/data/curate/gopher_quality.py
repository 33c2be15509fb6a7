"""``gopher_quality``: Gopher's document quality rules (Rae et al. 2021, arXiv 2112.11446, A1).

Same defaults, order and reason strings as datatrove's ``GopherQualityFilter``; words come from
the regex tokenizer in ``text.py`` instead of spaCy. A document is dropped by the first rule that
fires:

==============================  ===================================================  ==========
reason                          rule                                                 default
==============================  ===================================================  ==========
gopher_short_doc / _long_doc    non-symbol words outside [min, max]                  50, 100000
gopher_below/above_avg_thresh.  mean characters per non-symbol word outside [lo, hi]  3, 10
gopher_too_many_hashes          ``#`` count / tokens > max_symbol_word_ratio          0.1
gopher_too_many_ellipsis        (``...`` + ``…``) count / tokens > ratio              0.1
gopher_too_many_bullets         lines starting with ``•`` or ``-`` / lines > ratio    0.9
gopher_too_many_end_ellipsis    lines ending with ``...``/``…`` / lines > ratio       0.3
gopher_below_alpha_threshold    tokens with a letter / tokens < ratio                 0.8
gopher_enough_stop_words        stop words (case-sensitive) < min_stop_words          2
==============================  ===================================================  ==========

"Tokens" include punctuation tokens, as in datatrove (spaCy makes each mark a token). Our
synthetic prose has short sentences, so punctuation is over 20% of its tokens and the alpha rule
drops most world dialog; ``count_punctuation: false`` divides by words only (as a whitespace
tokenizer, and the Gopher paper, would). A threshold of ``null`` disables its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pretrainlab.data.curate.base import Step, StepConfig, StepStats
from pretrainlab.data.curate.text import is_symbol, tokens

STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]


@dataclass
class GopherQualityConfig(StepConfig):
    min_doc_words: int | None = 50
    max_doc_words: int | None = 100000
    min_avg_word_length: float | None = 3
    max_avg_word_length: float | None = 10
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_lines_ratio: float | None = 0.9
    max_ellipsis_lines_ratio: float | None = 0.3
    max_non_alpha_words_ratio: float | None = 0.8
    """Minimum share of tokens containing a letter (datatrove's name, despite the "max")."""
    min_stop_words: int | None = 2
    stop_words: list[str] = field(default_factory=lambda: list(STOP_WORDS))
    count_punctuation: bool = True
    """Count punctuation tokens in the per-token ratios (datatrove); False: words only."""


class GopherQuality(Step):
    """Drop documents that fail a Gopher quality rule (see the module docstring)."""

    name = "gopher_quality"
    Config = GopherQualityConfig

    def __init__(self, cfg: GopherQualityConfig | None = None):
        super().__init__(cfg)
        self._stop_words = set(self.cfg.stop_words)

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        return gopher_quality_reason(doc["text"], self.cfg, self._stop_words)


def gopher_quality_reason(text: str, cfg: GopherQualityConfig, stop_words: set[str]) -> str | None:
    """The first Gopher quality rule ``text`` fails, or None."""
    toks = tokens(text)
    words = [t for t in toks if not is_symbol(t)]
    if not cfg.count_punctuation:
        toks = words
    n_tokens, n_words = max(len(toks), 1), len(words)
    if cfg.min_doc_words and n_words < cfg.min_doc_words:
        return "gopher_short_doc"
    if cfg.max_doc_words and n_words > cfg.max_doc_words:
        return "gopher_long_doc"
    avg = sum(map(len, words)) / max(n_words, 1)
    if cfg.min_avg_word_length and avg < cfg.min_avg_word_length:
        return "gopher_below_avg_threshold"
    if cfg.max_avg_word_length and avg > cfg.max_avg_word_length:
        return "gopher_above_avg_threshold"
    ratio = cfg.max_symbol_word_ratio
    if ratio and text.count("#") / n_tokens > ratio:
        return "gopher_too_many_hashes"
    if ratio and (text.count("...") + text.count("\u2026")) / n_tokens > ratio:
        return "gopher_too_many_ellipsis"
    lines = text.splitlines() or [""]
    bullets = sum(s.lstrip().startswith(("\u2022", "-")) for s in lines)
    if cfg.max_bullet_lines_ratio and bullets / len(lines) > cfg.max_bullet_lines_ratio:
        return "gopher_too_many_bullets"
    ellipsis = sum(s.rstrip().endswith(("...", "\u2026")) for s in lines)
    if cfg.max_ellipsis_lines_ratio and ellipsis / len(lines) > cfg.max_ellipsis_lines_ratio:
        return "gopher_too_many_end_ellipsis"
    alpha = sum(any(c.isalpha() for c in t) for t in toks)
    if cfg.max_non_alpha_words_ratio and alpha / n_tokens < cfg.max_non_alpha_words_ratio:
        return "gopher_below_alpha_threshold"
    if cfg.min_stop_words and sum(t in stop_words for t in toks) < cfg.min_stop_words:
        return "gopher_enough_stop_words"
    return None
