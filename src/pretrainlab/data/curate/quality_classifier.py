"""``quality_classifier``: drop documents a trained :class:`HashedLogReg` scores below a threshold.

The model is an ``.npz`` saved by ``HashedLogReg.save`` after ``fit(texts, labels)`` with label 1
for "high quality" (e.g. clean world docs, or a reference corpus) and 0 for the rest, as the
GPT-3/PaLM quality classifiers and DCLM's fastText filter are trained. The score is written to
``meta[score_field]`` (unless ``score_field: null``). Drop reason: ``quality_classifier``.

Examples:
    Train and save a model, then point the step at it::

        clf = HashedLogReg().fit(texts, labels)      # 1 = keep-worthy
        clf.save("quality.npz")
        # steps: [{name: quality_classifier, model: quality.npz, threshold: 0.5}]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import Step, StepConfig, StepStats
from pretrainlab.data.curate.classifier import HashedLogReg


@dataclass
class QualityClassifierConfig(StepConfig):
    model: str = ""
    """Path of the ``.npz`` model (label 1 = high quality)."""
    threshold: float = 0.5
    """Drop documents whose score is below this."""
    score_field: str | None = "quality_score"
    """``meta`` key to store the score in (None: do not store)."""

    def validate(self) -> None:
        check_model_path(self.model, "quality_classifier.model")


def check_model_path(path: str, where: str) -> None:
    """Raise ConfigError unless ``path`` names an existing model file."""
    if not path:
        raise ConfigError(f"{where} is required: the .npz saved by HashedLogReg.save")
    if not Path(path).is_file():
        raise ConfigError(f"{where}: no such model file {path!r} (train one with "
                          "HashedLogReg().fit(texts, labels).save(path))")


class QualityClassifier(Step):
    """Score each document with a hashed n-gram logistic regression and drop low scores."""

    name = "quality_classifier"
    Config = QualityClassifierConfig

    def __init__(self, cfg: QualityClassifierConfig | None = None):
        super().__init__(cfg)
        self.cfg.validate()
        self.model = HashedLogReg.load(self.cfg.model)

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        score = float(self.model.predict_proba([doc["text"]])[0])
        if self.cfg.score_field:
            doc["meta"][self.cfg.score_field] = round(score, 6)
        return "quality_classifier" if score < self.cfg.threshold else None
