"""Knowledge acquisition with dynamic insertion: exposures needed to learn a fact, and its retention.

"Train Once, Answer All" (METHODS-1 #7, experiment "knowledge acquisition"): a fact ("Q: ... A: answer")
is inserted into the training stream again and again until the live model's greedy completion of its
prompt is correct. Every ``check_every`` steps the model is asked each not-yet-acquired fact; a fact
answered correctly after at least one exposure is *acquired* with the number of exposures trained so far
(placements at earlier steps) -- a correct answer before any exposure is a guess (a small model often
completes with a frequent answer) and does not count; the others get ``per_check`` more exposures spread over the next interval (up to
``max_exposures``). At the end of training:

* ``acquired``  = fraction of facts acquired during training;
* ``exposures`` = mean exposures-to-acquire over acquired facts (NaN if none);
* ``retention`` = fraction of acquired facts still answered correctly at the end (NaN if none);
* ``final_em``  = greedy exact match on all facts at the end.

Facts are the world's ``test_people`` fact-QA items (their QA form never appears in the corpus). The
state (per-fact counters and every dynamic placement) is saved next to each checkpoint by
``train/callbacks/dynamic_insertion.py``, so a resumed run continues the same schedule.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from pretrainlab.data.insertions import InsertionPlan, Placement
from pretrainlab.eval.qa import exact_match


@dataclass
class FactState:
    item: str
    acquired_step: int | None = None
    exposures_to_acquire: int | None = None
    scheduled: int = 0


@dataclass
class KnowledgeState:
    name: str
    facts: list[FactState]
    checks: int = 0
    placements: list[Placement] = field(default_factory=list)

    def to_json(self, step: int) -> dict:
        return {"name": self.name, "step": step, "checks": self.checks, "facts": [asdict(f) for f in self.facts],
                "placements": [{**asdict(p), "tokens": list(p.tokens)} for p in self.placements]}

    @classmethod
    def from_json(cls, data: dict) -> "KnowledgeState":
        return cls(data["name"], [FactState(**f) for f in data["facts"]], data["checks"],
                   [Placement(**{**p, "tokens": tuple(p["tokens"])}) for p in data["placements"]])


def correct(model, tokenizer, items: list[dict]) -> list[bool]:
    if not items:
        return []
    _, preds = exact_match(model, tokenizer, items)
    return [p == it["answer"].strip() for p, it in zip(preds, items)]


class KnowledgeTracker:
    """The dynamic schedule of one knowledge probe over an ``InsertionPlan`` (pure function of the
    model's answers at each check, the seed and the step)."""

    def __init__(self, name: str, items: list[dict], tokenizer, plan: InsertionPlan, seed: int,
                 check_every: int, per_check: int, max_exposures: int):
        self.name, self.items, self.tokenizer, self.plan, self.seed = name, items, tokenizer, plan, seed
        self.every, self.per_check, self.max_exposures = check_every, per_check, max_exposures
        self.tokens = [(tokenizer.eos_id, *tokenizer.encode(it["prompt"] + it["answer"]), tokenizer.eos_id)
                       for it in items]
        self.state = KnowledgeState(name, [FactState(f"{name}-{i}") for i in range(len(items))])

    def exposures_before(self, index: int, step: int) -> int:
        item = self.state.facts[index].item
        return sum(1 for p in self.state.placements if p.item == item and p.step < step)

    def check(self, model, step: int) -> None:
        """Ask every open fact; mark acquisitions; schedule more exposures in [step, step + every)."""
        open_ = [i for i, f in enumerate(self.state.facts) if f.acquired_step is None]
        hits = correct(model, self.tokenizer, [self.items[i] for i in open_])
        self.state.checks += 1
        lo = step * self.plan.B * self.plan.T1
        hi = min(step + self.every, self.plan.steps) * self.plan.B * self.plan.T1
        for i, hit in zip(open_, hits):
            fact = self.state.facts[i]
            if hit and self.exposures_before(i, step) > 0:
                fact.acquired_step, fact.exposures_to_acquire = step, self.exposures_before(i, step)
                continue
            if hi <= lo:
                continue
            rng = np.random.default_rng([self.seed, step, i])
            for _ in range(min(self.per_check, self.max_exposures - fact.scheduled)):
                p = self.plan.add_dynamic(self.name, fact.item, fact.scheduled, self.tokens[i],
                                          int(rng.integers(lo, hi)))
                if p is None:
                    break
                fact.scheduled += 1
                self.state.placements.append(p)

    def restore(self, data: dict) -> None:
        self.state = KnowledgeState.from_json(data)
        self.plan.restore(self.state.placements)

    def metrics(self, model) -> dict[str, float]:
        facts = self.state.facts
        final = correct(model, self.tokenizer, self.items)
        got = [i for i, f in enumerate(facts) if f.acquired_step is not None]
        pre = f"eval/knowledge/{self.name}"
        return {
            f"{pre}/acquired": len(got) / max(len(facts), 1),
            f"{pre}/exposures": float(np.mean([facts[i].exposures_to_acquire for i in got])) if got else math.nan,
            f"{pre}/retention": float(np.mean([final[i] for i in got])) if got else math.nan,
            f"{pre}/final_em": float(np.mean(final)) if final else math.nan,
        }
