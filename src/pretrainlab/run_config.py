"""The run config: data, model, objective, training and evaluation of one run (one seed of one arm).

A recipe returns one of these (as a dict); YAML files and ``key=value`` overrides are merged on top, then
the whole tree is validated (unknown keys name the closest valid key). ``TrainConfig`` lives in
train/config.py (imported from here for one more release).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.data.insertions import InsertionConfig
from pretrainlab.data.mixture import MixtureStage, OrderConfig
from pretrainlab.data.tokenizer import TokenizerConfig
from pretrainlab.eval.probes import ProbeConfig
from pretrainlab.models.decoder import DecoderConfig
from pretrainlab.train.config import TrainConfig  # re-export, moved to train/config.py
from pretrainlab.worlds.text import TextWorldConfig


@dataclass
class SourceConfig:
    """A user data source: a folder of .txt/.md/.jsonl files or one file."""

    name: str
    path: str
    text_field: str = "text"
    """JSONL field holding the document text."""
    weight: float = 1.0
    """Sampling weight relative to the other sources (the world counts as ``data.world_weight``)."""
    on_error: Literal["raise", "skip"] = "raise"
    """Malformed input: stop with an error naming file and line, or skip it and count it."""
    val_docs: int = 50
    """Documents held out (deterministically, every k-th) for per-source validation loss."""
    limit: int | None = None

    def validate(self) -> None:
        if self.weight < 0:
            raise ConfigError(f"data.sources[{self.name}].weight must be >= 0, got {self.weight}")


@dataclass
class DataConfig:
    world: TextWorldConfig | None = field(default_factory=TextWorldConfig)
    """The synthetic text world (one source per domain); set to null to train on user sources only."""
    world_weight: float = 1.0
    """Total sampling weight of the world's domains (split by ``world.mix``) beside user sources."""
    sources: list[SourceConfig] = field(default_factory=list)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    seq_len: int = 256
    weights: dict[str, float] | None = None
    """Explicit mixture weights by source name (world domains and user sources); unnamed sources get 0
    but are still tokenized and evaluated. Changing it does not change the prepared data, so stages of
    an experiment can shift the mix and share one tokenizer."""
    stages: list[MixtureStage] = field(default_factory=list)
    """Curriculum: ``[{weights: {...}, until_step: 500}, {weights: {...}}]``; the last stage runs to the end.
    Overrides ``weights`` when given."""
    max_epochs: dict[str, float] = field(default_factory=dict)
    """Repetition caps: a source stops being sampled after this many passes over its training tokens."""
    order: OrderConfig | None = None
    """Curriculum by document score (e.g. ``{by: length, start_frac: 0.2, full_at: 0.5}``): early steps
    draw only the easiest documents."""
    insertions: list[InsertionConfig] = field(default_factory=list)
    """Sequences placed into the training stream (canaries, contamination, ...); see data/insertions.py."""
    curate: list[dict[str, Any]] = field(default_factory=list)
    """Curation steps applied to every source's training documents before tokenization, as in a
    pipeline YAML (``[{name: gopher_quality, domains: [story]}, {name: exact_dedup}]``); counts go to
    ``data/prepared.json``. Validation documents are left as they are."""
    probes: list[ProbeConfig] = field(default_factory=list)
    """Insertion experiments measured after training (contamination, canary, backdoor, watermark,
    knowledge); see eval/probes.py."""

    def validate(self) -> None:
        if self.seq_len < 1:
            raise ConfigError(f"data.seq_len must be >= 1 (tokens per training sequence), got {self.seq_len}")
        if self.world_weight < 0:
            raise ConfigError(f"data.world_weight must be >= 0, got {self.world_weight}")
        if self.world is None and not self.sources:
            raise ConfigError("data: no data; set data.world or list data.sources (e.g. [{name: docs, path: DIR}])")
        names = [s.name for s in self.sources]
        if len(set(names)) != len(names):
            raise ConfigError(f"data.sources: duplicate source names {names}")
        if self.curate:
            from pretrainlab.data.curate.pipeline import parse_steps

            try:
                parse_steps(self.curate)
            except ConfigError as e:
                raise ConfigError(f"data.curate: {e}") from None
        if self.tokenizer.world:
            from pretrainlab.data.prepare import tokenizer_world_config

            tokenizer_world_config(self)
        known = set(names)
        if self.world is not None:
            clash = set(names) & set(self.world.mix)
            if clash:
                raise ConfigError(f"data.sources: names {sorted(clash)} clash with world domains; rename them")
            known |= set(self.world.source_weights())
        last: dict[str, tuple[int, int]] = {}  # until_step / until_tokens -> (stage, value) of the previous stage
        for i, st in enumerate(self.stages):
            unknown = sorted(set(st.weights) - known)
            if unknown:
                raise ConfigError(f"data.stages[{i}].weights: unknown sources {unknown}; valid: {sorted(known)}")
            _check_weights(f"data.stages[{i}].weights", st.weights)
            if i < len(self.stages) - 1 and (st.until_step is None) == (st.until_tokens is None):
                raise ConfigError(f"data.stages[{i}]: give exactly one of until_step / until_tokens "
                                  "(only the last stage runs to the end)")
            for key in ("until_step", "until_tokens"):
                value = getattr(st, key)
                if value is None:
                    continue
                if value < 1:
                    raise ConfigError(f"data.stages[{i}].{key} must be >= 1, got {value}")
                if key in last and value <= last[key][1]:
                    j, before = last[key]
                    raise ConfigError(f"data.stages[{i}].{key}={value} is not after data.stages[{j}].{key}={before}; "
                                      f"stages run in order, so each {key} must be larger than the one before")
                last[key] = (i, value)
        unknown = sorted(set(self.max_epochs) - known)
        if unknown:
            raise ConfigError(f"data.max_epochs: unknown sources {unknown}; valid: {sorted(known)}")
        bad = {k: v for k, v in self.max_epochs.items() if not v > 0}
        if bad:
            raise ConfigError(f"data.max_epochs: caps must be > 0 (passes over a source), got {bad}")
        if self.weights is not None:
            unknown = sorted(set(self.weights) - known)
            if unknown:
                raise ConfigError(f"data.weights: unknown sources {unknown}; valid: {sorted(known)}")
            _check_weights("data.weights", self.weights)


def _check_weights(where: str, weights: dict[str, float]) -> None:
    for name, w in weights.items():
        if not w >= 0:  # also NaN
            raise ConfigError(f"{where}.{name} must be >= 0 (a sampling weight), got {w}")
    if not any(w > 0 for w in weights.values()):
        raise ConfigError(f"{where}: at least one source needs a weight > 0")


@dataclass
class EvalConfig:
    val_tokens: int = 16384
    """Validation tokens per source."""
    fact_qa: bool = True
    arithmetic: bool = True
    max_items: int = 200
    """Items per QA group / arithmetic set."""
    generations: int = 3
    gen_tokens: int = 48
    report: bool = True
    groups: dict[str, list[str]] = field(default_factory=dict)
    """Named groups of sources reported as ``val/loss/<group>`` (token-weighted), e.g.
    ``{upstream: [story, encyclopedia], downstream: [code]}``."""
    loss_target: float | None = None
    """Report ``flops_to/val_loss_target``: the training FLOPs (``train/flops``, whole pipeline) at which
    val/loss first reaches this value, interpolated between periodic evaluations (``train.eval_every``);
    inf if it never does."""
    loss_target_from: str | None = None
    """Take ``loss_target`` from the final ``val/loss`` of a finished run (its directory), or ``self`` (this
    run's own final val/loss). Experiments fill it from a stage's ``target_from: ARM/STAGE``."""
    toxic_lines: list[str] = field(default_factory=list)
    """Sources whose val loss is also reported split by line: ``val/{loss,bpb}/<source>/toxic_lines`` (lines
    with a marker of the toxicity lexicon) and ``.../clean_lines`` (the others); eval/line_loss.py."""


@dataclass
class RunConfig:
    name: str = "run"
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    model: DecoderConfig = field(default_factory=DecoderConfig)
    objective: Literal["causal_lm"] = "causal_lm"
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def validate(self) -> None:
        if self.model.max_seq_len and self.data.seq_len > self.model.max_seq_len:
            raise ConfigError(f"data.seq_len={self.data.seq_len} is longer than model.max_seq_len="
                              f"{self.model.max_seq_len}; lower data.seq_len or raise model.max_seq_len "
                              "(0: the data's sequence length)")
        sources = {s.name for s in self.data.sources}
        if self.data.world is not None:
            sources |= set(self.data.world.source_weights())
        unknown = sorted(set(self.eval.toxic_lines) - sources)
        if unknown:
            raise ConfigError(f"eval.toxic_lines: unknown sources {unknown}; sources: {sorted(sources)}")
        for group, members in self.eval.groups.items():
            unknown = sorted(set(members) - sources)
            if unknown or group in sources:
                raise ConfigError(f"eval.groups.{group}: " + (f"unknown sources {unknown}" if unknown else
                                  "a group cannot share a source's name") + f"; sources: {sorted(sources)}")


def build_run_config(data: dict):
    """The ``Config`` of the run's modality (``modality``, default ``text``: a RunConfig; ``image``: an
    ``ImageRunConfig``, run_config_image.py), picked in the ``MODALITIES`` registry."""
    from dataclasses import fields

    from pretrainlab.modalities import MODALITIES

    cls = MODALITIES.get(data.get("modality", "text"), where="modality").Config
    if "modality" in data and "modality" not in {f.name for f in fields(cls)}:  # text: the default, no field
        data = {k: v for k, v in data.items() if k != "modality"}
    return from_dict(cls, data)
