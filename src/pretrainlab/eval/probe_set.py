"""``ProbeSet``: a run's insertions and probes as one component (data/insertions.py, eval/probes.py).

A text run with ``data.insertions`` or ``data.probes`` carries one. It owns everything those features add
to a run, so the plug-in only asks it at four points::

    probes = ProbeSet.build(cfg, data)        # groups, insertion plan, knowledge trackers (seeded)
    Mixture(..., insertions=probes.plan)      # the plan places sequences into the training stream
    probes.callbacks(model, run)              # dynamic insertion trackers (knowledge probes)
    probes.measure(model) / probes.facts()    # eval/<kind>/<name>/... and insertions/count, token_fraction

A run with neither is ``ProbeSet.empty()``: no plan, no callbacks, no metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pretrainlab.data.insertions import InsertionPlan
from pretrainlab.eval.probes import ProbeConfig, knowledge_tracker, measure_probe, probe_groups, probe_insertions


@dataclass
class ProbeSet:
    groups: list[tuple[ProbeConfig, dict]] = field(default_factory=list)
    """Each probe with its items by repetition count (0: the clean control)."""
    plan: InsertionPlan | None = None
    trackers: dict = field(default_factory=dict)
    """Knowledge probes' dynamic trackers, by probe name."""
    tokenizer: object = None
    seed: int = 0

    @classmethod
    def empty(cls) -> "ProbeSet":
        return cls()

    @classmethod
    def build(cls, cfg, data) -> "ProbeSet":
        """The probes and insertions of text run config ``cfg`` over prepared data ``data``."""
        tc, tok = cfg.train, data.tokenizer
        groups = [(p, probe_groups(p, data.eval_sets, cfg.seed, tok)) for p in cfg.data.probes]
        insertions = list(cfg.data.insertions) + [c for p, g in groups for c in probe_insertions(p, g)]
        if not insertions and not groups:
            return cls.empty()
        plan = InsertionPlan(insertions, tok, cfg.seed, tc.batch_size, cfg.data.seq_len, tc.steps)
        trackers = {p.name: knowledge_tracker(p, g, tok, plan, cfg.seed) for p, g in groups if p.kind == "knowledge"}
        return cls(groups, plan, trackers, tok, cfg.seed)

    def write_log(self, path: Path) -> None:
        """insertions.jsonl: every placement (rank 0)."""
        if self.plan is not None:
            self.plan.write_log(path)

    def callbacks(self, model, run) -> list:
        """A ``DynamicInsertion`` per knowledge probe: checks and re-inserts its facts as training goes."""
        from pretrainlab.train.callbacks.dynamic_insertion import DynamicInsertion

        tc = run.cfg.train
        return [DynamicInsertion(t, model, run.out / "checkpoints", tc.ckpt_every, run.out / "insertions.jsonl",
                                 run.info.is_main, run.state.step) for t in self.trackers.values()]

    def measure(self, model) -> dict[str, float]:
        """Every probe's summary keys after training."""
        out: dict[str, float] = {}
        for probe, items in self.groups:
            out.update(measure_probe(probe, items, model, self.tokenizer, self.seed, self.trackers.get(probe.name)))
        return out

    def facts(self) -> dict[str, float]:
        if self.plan is None:
            return {}
        return {"insertions/count": len(self.plan.placements()), "insertions/token_fraction": self.plan.token_fraction()}
