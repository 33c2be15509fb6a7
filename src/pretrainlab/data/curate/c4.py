"""``c4``: the C4 line rules (Raffel et al. 2020), as datatrove's ``C4QualityFilter``.

Works line by line: each line is stripped and Wikipedia citations (``[12]``, ``[edit]``,
``[citation needed]``) are removed; then a line is removed if it has a word longer than
``max_word_length`` (1000), lacks terminal punctuation (``. ? ! " '``, or ends in ``...``) when
``filter_no_terminal_punct`` (FineWeb runs C4 with False), has fewer than ``min_words_per_line``
(3) words, mentions "javascript", or contains a cookie/terms policy phrase. The whole document is
dropped if a kept line contains "lorem ipsum" (``lorem_ipsum``) or ``{`` (``curly_bracket``), or if
fewer than ``min_num_sentences`` (5) sentences remain (``too_few_sentences``). The kept lines are
joined with ``\\n`` and written back, so the step also *modifies* documents; modification reasons
(once per document): ``c4_too_long_word``, ``c4_no_terminal_punct``, ``c4_too_few_words``,
``c4_javascript``, ``c4_policy``, ``c4_citation``, ``c4_blank_lines``. Line-level counters use
datatrove's names (``line-total``, ``line-kept``, ``line-filter-policy``...).

Lines are stripped when written back, so code loses its indentation: restrict this step to prose
domains. Blank lines count as too-short lines and are removed, as in datatrove, unless
``keep_blank_lines`` (paragraph breaks kept; counted ``line-blank``). Sentences are counted with a
regex (runs of ``. ! ?`` followed by a space or the line end; at least one per kept line) instead
of nltk's punkt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pretrainlab.data.curate.base import Step, StepConfig, StepStats

CITATION_RE = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
POLICY_SUBSTRINGS = ["terms of use", "privacy policy", "cookie policy", "uses cookies",
                     "use of cookies", "use cookies"]
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")


@dataclass
class C4Config(StepConfig):
    remove_citations: bool = True
    filter_no_terminal_punct: bool = True
    """Remove lines without terminal punctuation (FineWeb sets False)."""
    min_num_sentences: int = 5
    """Drop the document with fewer sentences after line filtering (-1 disables)."""
    min_words_per_line: int = 3
    max_word_length: int = 1000
    filter_lorem_ipsum: bool = True
    filter_javascript: bool = True
    filter_curly_bracket: bool = True
    filter_policy: bool = True
    keep_blank_lines: bool = False
    """Keep empty lines (paragraph breaks) instead of removing them as too short."""


class C4(Step):
    """C4 line filtering; modifies kept documents (see the module docstring)."""

    name = "c4"
    Config = C4Config

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        cfg = self.cfg
        kept: list[str] = []
        removed: set[str] = set()
        n_sentences = 0
        for line in doc["text"].splitlines():
            stats.count("line-total")
            line = line.strip()
            if not line and cfg.keep_blank_lines:
                stats.count("line-blank")
                kept.append(line)
                continue
            reason, line = self._line_reason(line, removed)
            if reason in ("lorem_ipsum", "curly_bracket"):
                return reason
            if reason is not None:
                stats.count(f"line-filter-{reason}")
                removed.add(f"c4_{reason}" if line else "c4_blank_lines")
                continue
            stats.count("line-kept")
            n_sentences += max(1, len(_SENTENCE_END.findall(line)))
            kept.append(line)
        if n_sentences < cfg.min_num_sentences:
            return "too_few_sentences"
        text = "\n".join(kept).strip()
        if text != doc["text"]:
            for reason in sorted(removed):
                stats.modify(reason)
            doc["text"] = text
        return None

    def _line_reason(self, line: str, removed: set[str]) -> tuple[str | None, str]:
        """(why the stripped ``line`` is removed or None, the line after citation removal)."""
        cfg = self.cfg
        words = line.split()
        if cfg.max_word_length != -1 and any(len(w) > cfg.max_word_length for w in words):
            return "too_long_word", line
        if cfg.remove_citations:
            new = CITATION_RE.sub("", line)
            if new != line:
                removed.add("c4_citation")
                line = new
        if cfg.filter_no_terminal_punct and (not line.endswith(END_PUNCTUATION)
                                             or line.endswith("...")):
            return "no_terminal_punct", line
        if len(words) < cfg.min_words_per_line:
            return "too_few_words", line
        lower = line.lower()
        if cfg.filter_lorem_ipsum and "lorem ipsum" in lower:
            return "lorem_ipsum", line
        if cfg.filter_javascript and "javascript" in lower:
            return "javascript", line
        if cfg.filter_curly_bracket and "{" in line:
            return "curly_bracket", line
        if cfg.filter_policy and any(p in lower for p in POLICY_SUBSTRINGS):
            return "policy", line
        return None, line
