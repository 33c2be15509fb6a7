"""Pipeline config and the step registry; building validates every step before any data is read.

A pipeline YAML names an input, an output folder and a list of steps, each ``{name: STEP,
**params}`` (or just ``STEP``). :func:`build_steps` checks step names (an unknown one lists the
valid steps and the closest match) and parameters (an unknown key names the closest valid key,
via ``pretrainlab.config.from_dict``), then builds each step, which checks its own resources
(model files, eval sets, the ``datasketch`` extra, the world's marker list). All of this happens
before the runner opens a data file. ``EXAMPLE_PIPELINE`` is ``default_pipeline.yaml``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.data.curate.base import Step
from pretrainlab.data.curate.c4 import C4
from pretrainlab.data.curate.decontaminate import Decontaminate
from pretrainlab.data.curate.exact_dedup import ExactDedup
from pretrainlab.data.curate.fineweb import FineWeb
from pretrainlab.data.curate.gopher_quality import GopherQuality
from pretrainlab.data.curate.gopher_repetition import GopherRepetition
from pretrainlab.data.curate.minhash_dedup import MinHashDedup
from pretrainlab.data.curate.normalize import Normalize
from pretrainlab.data.curate.pii import Pii
from pretrainlab.data.curate.quality_classifier import QualityClassifier
from pretrainlab.data.curate.random_drop import RandomDrop
from pretrainlab.data.curate.simplify import Simplify
from pretrainlab.data.curate.toxicity import Toxicity
from pretrainlab.registry import Registry

STEPS: Registry[type[Step]] = Registry("step")
"""Every step by its config name."""
for _cls in (Normalize, GopherQuality, GopherRepetition, C4, FineWeb, QualityClassifier, Toxicity, Pii,
             Decontaminate, Simplify, RandomDrop, ExactDedup, MinHashDedup):
    STEPS.add(_cls.name, _cls)


@dataclass
class PipelineConfig:
    """A curation run: where the shards are, where results go, and the steps in order."""

    input: str = ""
    """A ``.jsonl``/``.jsonl.gz`` file or a folder of them (recursive); each file is one shard."""
    output: str = ""
    """Output folder: ``shards/``, ``completions/``, ``excluded/``, ``curation_report.*``."""
    text_field: str = "text"
    """JSONL key holding the text (written back under the same key)."""
    steps: list[Any] = field(default_factory=list)
    """Steps in order: ``{name: step, **params}`` or a bare step name."""
    workers: int = 0
    """Processes for phase 1 (0: one per CPU core)."""
    on_error: Literal["raise", "skip"] = "raise"
    """Corrupt input: ``raise`` stops at the first bad line (naming file:line); ``skip`` skips it
    and lists it in the report."""
    write_excluded: bool = False
    """Write dropped documents to ``excluded/<step>/<shard>.jsonl`` (with the reason in meta)."""

    def validate(self) -> None:
        if not self.input:
            raise ConfigError("input is required: a .jsonl file or a folder of .jsonl shards")
        if not self.output:
            raise ConfigError("output is required: the folder for curated shards and the report")
        if self.workers < 0:
            raise ConfigError(f"workers must be >= 0 (0 = one per core), got {self.workers}")
        parse_steps(self.steps)


@dataclass
class StepSpec:
    """One parsed step entry: its stats key (unique), registry name and params."""

    key: str
    name: str
    params: dict[str, Any]


def parse_steps(entries: list[Any]) -> list[StepSpec]:
    """Check names and parameters of every step entry (no step is built)."""
    if not entries:
        raise ConfigError(f"steps is empty; add at least one of: {', '.join(STEPS)}")
    specs: list[StepSpec] = []
    for i, entry in enumerate(entries):
        where = f"steps[{i}]"
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or "name" not in entry:
            raise ConfigError(f"{where}: expected {{name: STEP, ...params}}, got {entry!r}")
        name, params = entry["name"], {k: v for k, v in entry.items() if k != "name"}
        STEPS.get(name, where=where)  # unknown: did-you-mean and the valid steps
        try:
            from_dict(STEPS[name].Config, params, prefix=where)
        except ConfigError as e:
            raise ConfigError(f"{e} [step {name}]") from None
        taken = sum(s.name == name for s in specs)
        specs.append(StepSpec(name if not taken else f"{name}#{taken + 1}", name, params))
    return specs


def build_steps(specs: list[StepSpec]) -> list[Step]:
    """Instantiate the steps (each checks its resources: models, eval sets, extras)."""
    steps = []
    for i, spec in enumerate(specs):
        cls = STEPS[spec.name]
        cfg = from_dict(cls.Config, spec.params, prefix=f"steps[{i}]")
        try:
            steps.append(cls(cfg))
        except ConfigError as e:
            raise ConfigError(f"steps[{i}] ({spec.name}): {e}") from None
    return steps


def phases(specs: list[StepSpec]) -> tuple[list[StepSpec], list[StepSpec]]:
    """Split into phase 1 (before the first global step) and phase 2 (from it on)."""
    for i, spec in enumerate(specs):
        if STEPS[spec.name].scope == "global":
            return specs[:i], specs[i:]
    return specs, []


def fingerprint(*parts: Any) -> str:
    """Short stable hash of JSON-able parts (decides whether a completed shard is still valid)."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


EXAMPLE_PIPELINE = """\
# Curation pipeline for the synthetic text world: `pretrainlab data curate PIPELINE.yaml`.
# Make the input first: `pretrainlab data synth --out data/world`.
# Phase 1 runs the per-document steps on each input shard in parallel (one process per core);
# phase 2 runs the global steps (exact_dedup, minhash_dedup) over all phase-1 outputs in one
# process, in shard order. Reruns skip shards whose completion marker matches the config.
input: data/world/train      # a .jsonl(.gz) file or a folder of them; each file is one shard
output: data/world_curated   # shards/, completions/, curation_report.json and .md go here
text_field: text
workers: 0                   # 0 = one per CPU core
on_error: raise              # skip: bad lines/files are skipped and listed (file:line) in the report
write_excluded: false        # true: dropped docs go to OUTPUT/excluded/<step>/<shard>.jsonl
steps:
  - name: normalize          # NFC + whitespace cleanup (keeps code indentation)
  # Web heuristics with datatrove's thresholds, applied to prose only: arithmetic, code and QA
  # docs fail them by design (remove `domains` to measure that collateral damage).
  - name: gopher_repetition
    domains: [story, encyclopedia, dialog]
  - name: gopher_quality
    domains: [story, encyclopedia, dialog]
    count_punctuation: false # world prose has short sentences: with punctuation tokens counted
                             # (datatrove/spaCy) the alpha rule drops nearly all dialog
  - name: c4
    domains: [story, encyclopedia, dialog]
    filter_no_terminal_punct: false   # as FineWeb runs it
  - name: fineweb
    domains: [story, encyclopedia, dialog]
  - name: toxicity           # marker lexicon: pretrainlab.worlds.text.toxicity.TOXIC_MARKERS
  - name: pii                # e-mails, phones, public IPv4 -> <EMAIL>, <PHONE>, <IP>
  # Decontamination against the world's eval sets. Off by default: the world puts the QA of the
  # "train people" into training on purpose (qa_in_pretrain), and this would remove it.
  # - name: decontaminate
  #   eval_paths: [data/world/eval]
  #   n: 13
  - name: exact_dedup
  - name: minhash_dedup      # needs pip install 'pretrainlab[dedup]' (datasketch)
    num_buckets: 14
    hashes_per_bucket: 8
"""
"""The default pipeline (identical to the packaged ``default_pipeline.yaml``)."""
