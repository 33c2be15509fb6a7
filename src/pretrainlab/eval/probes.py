"""Probes: experiments that live inside one pretraining run ("Train Once, Answer All", METHODS-1 #7).

A probe expands into insertions (data/insertions.py) placed into the training stream, and measures its
effect after training. Items are split into groups repeated 0, 1, 4, 16 … times; repetition 0 is the
clean control measured the same way.

* ``contamination``: items of a world eval set (e.g. ``arithmetic``, ``fact_qa``) inserted as
  "prompt answer" text -> ``eval/contamination/<name>/x<k>``: greedy exact match on each group.
* ``canary``: random digit secrets after a fixed prefix (Carlini et al.'s Secret Sharer) ->
  ``eval/canary/<name>/x<k>/exposure`` and ``/extracted`` (eval/memorization.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pretrainlab.data.insertions import InsertionConfig
from pretrainlab.eval.memorization import canary_metrics, make_canary
from pretrainlab.eval.qa import exact_match


@dataclass
class ProbeConfig:
    name: str
    kind: Literal["contamination", "canary"]
    repeats: list[int] = field(default_factory=lambda: [0, 1, 4, 16])
    """Occurrences per item, one group of ``per_group`` items for each value (0 = clean control)."""
    per_group: int = 20
    eval_set: str = "arithmetic"
    """contamination: the world eval set whose items are inserted (in-range items for arithmetic)."""
    prefix: str = "the secret code is"
    """canary: the fixed prefix; the secret is ``n_digits`` random digits."""
    n_digits: int = 6
    start: float = 0.0
    """Insert within this fraction range of the run's tokens."""
    end: float = 1.0

    def validate(self) -> None:
        if any(k < 0 for k in self.repeats) or len(set(self.repeats)) != len(self.repeats):
            raise ValueError(f"probe '{self.name}': repeats must be distinct counts >= 0, got {self.repeats}")


def probe_groups(probe: ProbeConfig, eval_sets: dict[str, list[dict]], seed: int) -> dict[int, list[dict]]:
    """repeat count -> items ({"prompt", "answer"}), a pure function of (seed, probe, eval sets)."""
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


def _text(probe: ProbeConfig, item: dict) -> str:
    return item["answer"] if probe.kind == "canary" else item["prompt"] + item["answer"]


def probe_insertions(probe: ProbeConfig, groups: dict[int, list[dict]]) -> list[InsertionConfig]:
    return [InsertionConfig(name=f"{probe.name}-x{k}", items=[_text(probe, it) for it in items], count=k,
                            start=probe.start, end=probe.end)
            for k, items in groups.items() if k > 0]


def measure_probe(probe: ProbeConfig, groups: dict[int, list[dict]], model, tokenizer) -> dict[str, float]:
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
