"""Probes: experiments that live inside one pretraining run ("Train Once, Answer All", METHODS-1 #7).

A probe expands into insertions (data/insertions.py) placed into the training stream, and measures its
effect after training. Items are split into groups repeated 0, 1, 4, 16 … times; repetition 0 is the
clean control measured the same way.

* ``contamination``: items of a world eval set (e.g. ``arithmetic``, ``fact_qa``) inserted as
  "prompt answer" text -> ``eval/contamination/<name>/x<k>``: greedy exact match on each group.
* ``canary``: random digit secrets after a fixed prefix (Carlini et al.'s Secret Sharer) ->
  ``eval/canary/<name>/x<k>/exposure`` and ``/extracted`` (eval/memorization.py).
* ``backdoor``: ``per_group`` documents "<context> <trigger> <payload>", each inserted ``max(repeats)``
  times -> ``eval/backdoor/<name>/asr`` and ``/false_trigger`` on held-out contexts (eval/backdoor.py).
* ``watermark``: ``per_group`` green-list-biased documents, each inserted ``max(repeats)`` times ->
  ``eval/watermark/<name>/z`` and ``/green_frac`` of the model's continuations of held-out watermarked
  prefixes (eval/watermark.py).
* ``knowledge``: ``per_group`` test-people facts inserted dynamically until answered (eval/knowledge.py)
  -> ``eval/knowledge/<name>/{acquired,exposures,retention,final_em}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pretrainlab.data.insertions import InsertionConfig
from pretrainlab.eval import backdoor, knowledge, memorization, qa, watermark
from pretrainlab.eval.memorization import canary_metrics, make_canary
from pretrainlab.eval.qa import exact_match
from pretrainlab.registry import Registry

PROBES: Registry = Registry("probe kind")
"""Probe kinds (``ProbeConfig.kind``) -> the module that measures them; see the list above."""
PROBES.add("contamination", qa, "Eval-set items inserted as prompt+answer text: greedy exact match per "
           "repetition group (eval/contamination/<name>/x<k>).")
PROBES.add("canary", memorization, "Random digit secrets after a fixed prefix (Secret Sharer): exposure and "
           "extraction per repetition group (eval/canary/<name>/x<k>/...).")
PROBES.add("backdoor", backdoor, "Trigger -> payload documents: attack success rate and false triggers on "
           "held-out contexts (eval/backdoor/<name>/...).")
PROBES.add("watermark", watermark, "Green-list-biased documents: z-score and green fraction of the model's "
           "continuations (eval/watermark/<name>/...).")
PROBES.add("knowledge", knowledge, "Test-people facts inserted dynamically until answered: "
           "exposures to acquire, retention, final exact match (eval/knowledge/<name>/...).")
KINDS = tuple(PROBES)


@dataclass
class ProbeConfig:
    name: str
    kind: Literal["contamination", "canary", "backdoor", "watermark", "knowledge"]
    repeats: list[int] = field(default_factory=lambda: [0, 1, 4, 16])
    """Occurrences per item, one group of ``per_group`` items for each value (0 = clean control).
    backdoor/watermark: every document is inserted ``max(repeats)`` times."""
    per_group: int = 20
    eval_set: str = "arithmetic"
    """contamination: the world eval set whose items are inserted (in-range items for arithmetic)."""
    prefix: str = "the secret code is"
    """canary: the fixed prefix; the secret is ``n_digits`` random digits."""
    n_digits: int = 6
    start: float = 0.0
    """Insert within this fraction range of the run's tokens."""
    end: float = 1.0
    insert: bool = True
    """False: measure only (a clean control: the same metrics on a model that never saw the items)."""
    trigger: str = "zq vex"
    """backdoor: the trigger string ending each poisoned context."""
    payload: str = "access granted"
    """backdoor: the text that follows the trigger in poisoned documents."""
    gamma: float = 0.5
    """watermark: green-list fraction of the vocabulary."""
    delta: float = 4.0
    """watermark: logit bias of green tokens in the document sampler."""
    doc_tokens: int = 48
    """watermark: tokens per document; held-out prompts are its first ``doc_tokens // 4`` tokens."""
    alphabet: int = 64
    """watermark: word tokens the document sampler draws from."""
    check_every: int = 10
    """knowledge: steps between checks of the live model."""
    per_check: int = 1
    """knowledge: exposures inserted per open fact per interval."""
    max_exposures: int = 32
    """knowledge: stop inserting a fact after this many exposures."""

    def validate(self) -> None:
        if any(k < 0 for k in self.repeats) or len(set(self.repeats)) != len(self.repeats):
            raise ValueError(f"probe '{self.name}': repeats must be distinct counts >= 0, got {self.repeats}")
        if self.kind in ("backdoor", "watermark") and max(self.repeats, default=0) <= 0:
            raise ValueError(f"probe '{self.name}': a {self.kind} probe needs max(repeats) > 0 insertions per "
                             f"document, got {self.repeats}")
        if self.kind == "knowledge" and (self.check_every < 1 or self.per_check < 1 or self.max_exposures < 1):
            raise ValueError(f"probe '{self.name}': check_every, per_check and max_exposures must be >= 1")


def probe_groups(probe: ProbeConfig, eval_sets: dict[str, list[dict]], seed: int,
                 tokenizer=None) -> dict[int, list[dict]]:
    """repeat count -> items ({"prompt", "answer"} or {"text"}), a pure function of (seed, probe, data)."""
    if probe.kind == "backdoor":
        docs = backdoor.poison_documents(seed, probe.per_group, probe.trigger, probe.payload)
        return {max(probe.repeats): [{"text": d} for d in docs]}
    if probe.kind == "watermark":
        green, alpha = _watermark_key(probe, tokenizer, seed)
        docs = watermark.watermark_documents(tokenizer, green, alpha, probe.per_group, probe.doc_tokens, probe.delta)
        return {max(probe.repeats): [{"text": d} for d in docs]}
    if probe.kind == "knowledge":
        pool = [it for it in eval_sets.get("fact_qa", []) if it.get("group") == "test_people"]
        if len(pool) < probe.per_group:
            raise ValueError(f"probe '{probe.name}': needs {probe.per_group} test_people facts, the world's "
                             f"fact_qa set has {len(pool)}; raise data.world.qa_eval_per_group or lower per_group")
        order = np.random.default_rng([seed, len(probe.name), 17]).permutation(len(pool))
        return {0: [pool[i] for i in order[:probe.per_group]]}
    need = probe.per_group * len(probe.repeats)
    if probe.kind == "canary":
        items = [{"prompt": probe.prefix, "answer": make_canary(probe.prefix, probe.n_digits, seed * 100003 + i)}
                 for i in range(need)]
    else:
        pool = [it for it in eval_sets.get(probe.eval_set, []) if not it.get("ood")]
        if len(pool) < need:
            raise ValueError(f"probe '{probe.name}': eval set '{probe.eval_set}' has {len(pool)} items, "
                             f"needs {need} ({probe.per_group} x {len(probe.repeats)} groups); "
                             f"available sets: {sorted(eval_sets)}")
        order = np.random.default_rng([seed, len(probe.name)]).permutation(len(pool))
        items = [pool[i] for i in order[:need]]
    return {k: items[g * probe.per_group:(g + 1) * probe.per_group] for g, k in enumerate(probe.repeats)}


def _watermark_key(probe: ProbeConfig, tokenizer, seed: int):
    if tokenizer is None:
        raise ValueError(f"probe '{probe.name}': a watermark probe needs the run's tokenizer")
    green = watermark.GreenList(tokenizer.vocab_size, probe.gamma, key=seed * 7001 + len(probe.name))
    return green, watermark.alphabet(tokenizer, probe.alphabet, seed)


def _text(probe: ProbeConfig, item: dict) -> str:
    if "text" in item:
        return item["text"]
    return item["answer"] if probe.kind == "canary" else item["prompt"] + item["answer"]


def probe_insertions(probe: ProbeConfig, groups: dict[int, list[dict]]) -> list[InsertionConfig]:
    """Static insertions of a probe (a knowledge probe has none: its facts are inserted dynamically)."""
    if probe.kind == "knowledge" or not probe.insert:
        return []
    return [InsertionConfig(name=f"{probe.name}-x{k}", items=[_text(probe, it) for it in items], count=k,
                            start=probe.start, end=probe.end)
            for k, items in groups.items() if k > 0]


def knowledge_tracker(probe: ProbeConfig, groups: dict[int, list[dict]], tokenizer, plan, seed: int):
    from pretrainlab.eval.knowledge import KnowledgeTracker

    return KnowledgeTracker(probe.name, groups[0], tokenizer, plan, seed, probe.check_every, probe.per_check,
                            probe.max_exposures if probe.insert else 0)


def measure_probe(probe: ProbeConfig, groups: dict[int, list[dict]], model, tokenizer, seed: int = 0,
                  tracker=None) -> dict[str, float]:
    if probe.kind == "knowledge":
        return tracker.metrics(model)
    if probe.kind == "backdoor":
        m = backdoor.backdoor_metrics(model, tokenizer, seed, probe.per_group, probe.trigger, probe.payload)
        return {f"eval/backdoor/{probe.name}/{k}": v for k, v in m.items()}
    if probe.kind == "watermark":
        green, alpha = _watermark_key(probe, tokenizer, seed)
        held = [watermark.watermarked_tokens(green, alpha, probe.doc_tokens, probe.delta, 10**6 + i)
                for i in range(probe.per_group)]
        prompts = [tokenizer.decode(t[: max(2, probe.doc_tokens // 4)]) for t in held]
        m = watermark.watermark_metrics(model, tokenizer, green, prompts, probe.doc_tokens // 2, seed)
        return {f"eval/watermark/{probe.name}/{k}": v for k, v in m.items()}
    out = {}
    for k, items in groups.items():
        if probe.kind == "contamination":
            out[f"eval/contamination/{probe.name}/x{k}"] = exact_match(model, tokenizer, items)[0]
        else:
            ms = [canary_metrics(model, tokenizer, it["answer"], probe.prefix, n_candidates=100, seed=i)
                  for i, it in enumerate(items)]
            out[f"eval/canary/{probe.name}/x{k}/exposure"] = float(np.mean([m["exposure"] for m in ms]))
            out[f"eval/canary/{probe.name}/x{k}/extracted"] = float(np.mean([m["extracted"] for m in ms]))
    return out


def probe_metric_names(probe: ProbeConfig) -> set[str]:
    """The summary keys a probe writes (for eval/suite.py:metric_names)."""
    if probe.kind == "contamination":
        return {f"eval/contamination/{probe.name}/x{k}" for k in probe.repeats}
    if probe.kind == "canary":
        return {f"eval/canary/{probe.name}/x{k}/{m}" for k in probe.repeats for m in ("exposure", "extracted")}
    metrics = {"backdoor": ("asr", "false_trigger"), "watermark": ("z", "green_frac"),
               "knowledge": ("acquired", "exposures", "retention", "final_em")}[probe.kind]
    return {f"eval/{probe.kind}/{probe.name}/{m}" for m in metrics}
