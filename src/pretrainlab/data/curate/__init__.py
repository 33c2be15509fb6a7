"""Curation pipeline (issue #4): datatrove-style filters, PII masking, dedup, decontamination.

Documents are ``{"text": str, "meta": {...}}`` dicts streamed through small steps, each an
iterator-in, iterator-out :class:`Step` that counts what it keeps, drops and modifies by reason
(datatrove's reason strings) in a :class:`StepStats`. ``curate(PIPELINE.yaml)`` runs a pipeline
over JSONL shards (phase 1 per shard in parallel, phase 2 global dedup in one process; resumable
via completion markers) and writes ``curation_report.json``/``.md``, which scores each step against
the synthetic world's ground-truth labels when documents carry them::

    from pretrainlab.data.curate import curate, EXAMPLE_PIPELINE
    report = curate("pipeline.yaml")       # or a dict / PipelineConfig

Files:
    base.py: Step, StepConfig, StepStats, label_keys.      text.py: regex tokens, n-grams.
    normalize.py, gopher_quality.py, gopher_repetition.py, c4.py, fineweb.py: rule steps.
    classifier.py: HashedLogReg (hashed n-grams + logistic regression in numpy).
    quality_classifier.py, toxicity.py, pii.py, decontaminate.py, simplify.py: more steps.
    random_drop.py: size-matched random drops (the data-loss control of a filter).
    exact_dedup.py, minhash_dedup.py: global dedup steps (MinHash needs the ``dedup`` extra).
    pipeline.py: PipelineConfig, STEPS registry, validation. runner.py: phases, resume, curate.
    report.py: JSON/Markdown report with precision/recall. default_pipeline.yaml: the example.
"""

from pretrainlab.data.curate.base import Step, StepConfig, StepStats, label_keys
from pretrainlab.data.curate.classifier import HashedLogReg
from pretrainlab.data.curate.pipeline import EXAMPLE_PIPELINE, STEPS, PipelineConfig
from pretrainlab.data.curate.runner import curate, load_config, run_pipeline

__all__ = ["EXAMPLE_PIPELINE", "HashedLogReg", "PipelineConfig", "STEPS", "Step", "StepConfig",
           "StepStats", "curate", "label_keys", "load_config", "run_pipeline"]
