"""``random_drop``: drop documents at random -- the size-matched control of a filter.

A filter's effect on a model mixes two things: *what* it removes and *how much* it removes. Dropping the
same number of documents at random (Longpre et al.'s data-loss question) separates them: compare the
filtered model with this control, not only with the unfiltered one.

* ``match: {name: toxicity, ...}`` (a step entry as in a pipeline): drop exactly as many documents as
  that step would drop from the same stream, chosen uniformly at random among the documents in this
  step's scope (``domains``), whatever the matched step would have decided about them. The matched step
  only counts; it changes nothing.
* ``fraction: f``: drop ``round(f * n)`` of the ``n`` documents in scope.

The choice is a pure function of ``seed`` and the stream's size (``random.Random``), so every run that
prepares the same data drops the same documents. The step sees its whole stream before yielding (a
shard in ``curate``, a source in ``data.curate``), so counts match exactly per stream. Reason:
``random_drop``; counter ``matched``: the matched step's drop count. Not scored against labels.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from random import Random
from typing import Any

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import Step, StepConfig, StepStats, label_keys


@dataclass
class RandomDropConfig(StepConfig):
    fraction: float | None = None
    """Drop this fraction of the documents in scope (rounded)."""
    match: dict[str, Any] | None = None
    """A step entry (``{name: toxicity}``): drop as many documents as it would drop."""
    seed: int = 0

    def validate(self) -> None:
        if (self.fraction is None) == (self.match is None):
            raise ConfigError("random_drop: give exactly one of fraction (0..1) or match ({name: STEP, ...})")
        if self.fraction is not None and not 0.0 <= self.fraction <= 1.0:
            raise ConfigError(f"random_drop.fraction must be in [0, 1], got {self.fraction}")
        if self.match is not None:
            if self.match.get("name") == "random_drop":
                raise ConfigError("random_drop.match: cannot match another random_drop")
            from pretrainlab.data.curate.pipeline import parse_steps

            try:
                parse_steps([self.match])
            except ConfigError as e:
                raise ConfigError(f"random_drop.match: {e}") from None


def _in_domains(doc: dict, domains: list[str] | None) -> bool:
    domain = doc.get("meta", {}).get("domain")
    return domains is None or domain is None or domain in domains


class RandomDrop(Step):
    """Uniformly random, size-matched document drops (see module docstring)."""

    name = "random_drop"
    Config = RandomDropConfig
    target = None

    def __init__(self, cfg: RandomDropConfig | None = None):
        super().__init__(cfg)
        self.cfg.validate()
        self.matched: Step | None = None
        if self.cfg.match is not None:
            from pretrainlab.data.curate.pipeline import build_steps, parse_steps

            try:
                self.matched = build_steps(parse_steps([self.cfg.match]))[0]
            except ConfigError as e:  # resources (model files, marker lists) are checked only here
                raise ConfigError(f"random_drop.match: {e}") from None

    def apply(self, doc: dict, stats: StepStats) -> str | None:  # decisions are made per stream in __call__
        raise NotImplementedError("random_drop decides over the whole stream; call the step on an iterator")

    def n_drop(self, docs: list[dict], n_scope: int) -> int:
        if self.matched is None:
            return round(self.cfg.fraction * n_scope)
        scratch = StepStats()
        return sum(self.matched.apply(copy.deepcopy(d), scratch) is not None
                   for d in docs if _in_domains(d, self.matched.cfg.domains))

    def __call__(self, docs: Iterator[dict], stats: StepStats) -> Iterator[dict]:
        docs = list(docs)
        for doc in docs:
            doc.setdefault("meta", {})
        scope = [i for i, d in enumerate(docs) if _in_domains(d, self.cfg.domains)]
        n = self.n_drop(docs, len(scope))
        if self.matched is not None:
            stats.count("matched", n)
        dropped = set(Random(f"random_drop:{self.cfg.seed}:{len(docs)}").sample(scope, min(n, len(scope))))
        for i, doc in enumerate(docs):
            keys = label_keys(doc["meta"])
            stats.seen += 1
            stats.tally("in", keys)
            if i in dropped:
                stats.drop("random_drop")
                stats.tally("dropped", keys)
                if self.exclusion is not None:
                    self.exclusion(doc, "random_drop")
                continue
            if not _in_domains(doc, self.cfg.domains):
                stats.skipped_domain += 1
            stats.kept += 1
            yield doc
