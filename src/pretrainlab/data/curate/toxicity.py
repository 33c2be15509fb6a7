"""``toxicity``: drop toxic documents by marker-lexicon density and/or a trained classifier.

* Lexicon (datatrove's ``C4BadWordsFilter`` idea, with a density threshold): the markers are
  ``markers`` from the config, else ``pretrainlab.worlds.text.toxicity.TOXIC_MARKERS`` (the
  synthetic world's made-up insult words), imported lazily. A document is dropped with reason
  ``toxic_lexicon`` when it has at least ``min_markers`` marker matches (whole words, any case) and
  their count divided by its word count exceeds ``max_density``. The defaults drop any document
  with a marker.
* Classifier (optional): ``model`` is an ``.npz`` from ``HashedLogReg.save`` trained with label 1
  = toxic; documents scoring ``>= threshold`` are dropped with reason ``toxic_classifier``.

The report scores this step against the world's ``meta.toxic`` labels.

``invert: true`` is Longpre et al.'s *inverse* toxicity filter (arXiv 2305.13169): it drops the
documents the filter would keep (reason ``inverse_toxicity``) and keeps the toxic ones; restrict it
with ``domains: [...]`` to remove the least toxic documents of those domains only.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import Step, StepConfig, StepStats
from pretrainlab.data.curate.classifier import HashedLogReg
from pretrainlab.data.curate.quality_classifier import check_model_path
from pretrainlab.data.curate.text import words

WORLD_MARKERS = "pretrainlab.worlds.text.toxicity"


@dataclass
class ToxicityConfig(StepConfig):
    markers: list[str] | None = None
    """Marker words; None: the world's ``TOXIC_MARKERS``."""
    use_lexicon: bool = True
    min_markers: int = 1
    max_density: float = 0.0
    """Drop when markers / words is above this (and there are at least ``min_markers``)."""
    model: str | None = None
    """Optional ``.npz`` classifier (label 1 = toxic)."""
    threshold: float = 0.5
    """Classifier score at or above which a document is dropped."""
    score_field: str | None = "toxicity_score"
    """``meta`` key for the classifier score (None: do not store)."""
    invert: bool = False
    """Inverse filter: keep only the documents the filter would drop (see module docstring)."""

    def validate(self) -> None:
        if self.model is not None:
            check_model_path(self.model, "toxicity.model")
        if not self.use_lexicon and self.model is None:
            raise ConfigError("toxicity: use_lexicon is false and no model is given; the step "
                              "would do nothing. Set use_lexicon: true or model: path.npz")


def world_markers() -> list[str]:
    """The synthetic world's marker lexicon, or a ConfigError saying how to pass one."""
    try:
        return list(importlib.import_module(WORLD_MARKERS).TOXIC_MARKERS)
    except (ImportError, AttributeError):
        raise ConfigError(
            f"toxicity: no markers given and {WORLD_MARKERS}.TOXIC_MARKERS is not available in "
            "this version. Pass markers: [word, ...] or use_lexicon: false with model: path.npz"
        ) from None


class Toxicity(Step):
    """Lexicon-density and/or classifier toxicity filter."""

    name = "toxicity"
    Config = ToxicityConfig
    target = "toxic"

    def __init__(self, cfg: ToxicityConfig | None = None):
        super().__init__(cfg)
        self.cfg.validate()
        self._regex = None
        if self.cfg.use_lexicon:
            markers = self.cfg.markers if self.cfg.markers is not None else world_markers()
            if not markers:
                raise ConfigError("toxicity.markers is empty")
            alternatives = "|".join(sorted((re.escape(m) for m in markers), key=len, reverse=True))
            self._regex = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        self.model = HashedLogReg.load(self.cfg.model) if self.cfg.model else None

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        reason = self._reason(doc, stats)
        if self.cfg.invert:
            return None if reason else "inverse_toxicity"
        return reason

    def _reason(self, doc: dict, stats: StepStats) -> str | None:
        cfg, text = self.cfg, doc["text"]
        if self._regex is not None:
            hits = len(self._regex.findall(text))
            if hits:
                stats.count("marker_hits", hits)
            if hits >= cfg.min_markers and hits / max(len(words(text)), 1) > cfg.max_density:
                return "toxic_lexicon"
        if self.model is not None:
            score = float(self.model.predict_proba([text])[0])
            if cfg.score_field:
                doc["meta"][cfg.score_field] = round(score, 6)
            if score >= cfg.threshold:
                return "toxic_classifier"
        return None
