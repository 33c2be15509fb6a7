"""Experiment config: a base run config, arms (overrides), seeds, stages per arm, and claims.

    ExperimentConfig
      base:   run config dict (a recipe's run config, e.g. quickstart tiny)
      arms:   {name: {overrides: {dotted.key: value}, stages: [...] | null}}
      seeds:  [0, 1, 2]
      stages: [{name: pretrain}, {name: continue, init_from: pretrain, overrides: {...}}]  (default for arms)
      claims: [{name, kind: greater|less|equivalent|noninferior|monotonic_*|above|below, metric, arms,
                stage, min_effect | margin (+ better) | value, chance, role: primary|secondary|premise|sanity,
                requires: [premise names], paper}]

A stage's run config is ``base <- arm.overrides <- stage.overrides`` (+ ``seed``). ``init_from`` names an
earlier stage of the same arm, or ``ARM/STAGE`` of another arm (e.g. one shared base pretraining).
Everything is checked before anything runs: unknown arms, stages and metrics name the valid choices.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pretrainlab.config import ConfigError, apply_overrides, from_dict, merge, to_dict
from pretrainlab.run_config import build_run_config

ClaimKind = Literal["greater", "less", "equivalent", "noninferior", "monotonic_decreasing", "monotonic_increasing",
                    "above", "below"]
ClaimRole = Literal["primary", "secondary", "premise", "sanity"]
PAIR_KINDS = ("greater", "less", "equivalent", "noninferior")
VALUE_KINDS = ("above", "below")


def _choices(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1)
    return (f" (did you mean '{close[0]}'?)" if close else "") + f"; valid: {sorted(valid)}"


@dataclass
class StageConfig:
    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    """Dotted keys (``train.lr: 1e-4``) or nested mappings applied on top of the arm's config."""
    init_from: str | None = None
    """An earlier stage of this arm (``pretrain``) or of another arm (``base/pretrain``)."""
    init_optimizer: bool = False
    target_from: str | None = None
    """A stage (as for init_from) whose final val/loss is this run's ``eval.loss_target``
    (``flops_to/val_loss_target``); this run waits for it."""
    teacher_from: str | None = None
    """A stage (as for init_from) whose final checkpoint is this run's frozen teacher
    (``objective.teacher_from``, e.g. objectives/feature_distill.py); this run waits for it."""


@dataclass
class ArmConfig:
    overrides: dict[str, Any] = field(default_factory=dict)
    stages: list[StageConfig] | None = None
    """This arm's stages (default: the experiment's ``stages``)."""
    description: str = ""


@dataclass
class ClaimConfig:
    """One pre-registered claim: the statistical test, its margin, and its role in the recipe.

    Declared in the recipe and committed before the first run; ``definition_hash()`` covers every field
    that decides a verdict, so a change after results exist is detected and flagged *post hoc*.
    """

    name: str
    kind: ClaimKind
    metric: str
    arms: list[str]
    """Two arms (A, B) for greater/less/equivalent/noninferior; two or more, in order, for monotonic
    claims; one arm for above/below (compared with ``value``)."""
    stage: str | None = None
    """Stage whose summary holds the metric (default: each arm's last stage)."""
    min_effect: float = 0.0
    """greater: A - B > min_effect; less: B - A > min_effect (>= 0; use ``noninferior`` for a margin)."""
    margin: float = 0.0
    """equivalent: |A - B| < margin (TOST); noninferior: A is worse than B by less than margin."""
    better: Literal["higher", "lower"] = "higher"
    """noninferior: which direction of the metric is better."""
    value: float = 0.0
    """above/below: the constant the arm is compared with (e.g. a probe's chance level)."""
    chance: float | None = None
    """The metric's floor (e.g. 0.2 for 5-way choice): if no arm's mean is above chance + 2 SE, the
    verdict is *no signal* (a probe that cannot tell arms apart decides nothing)."""
    role: ClaimRole = "secondary"
    """primary: the paper's headline claim (the recipe's tally counts these); secondary: other paper
    claims; premise: a condition other claims need (``requires``); sanity: a design check (parameter
    counts, memory bytes), reported apart and never counted as a reproduction."""
    requires: list[str] = field(default_factory=list)
    """Premises (names of claims with role premise); if one does not hold, this claim is *not testable*."""
    paper: str = ""
    """The paper's wording of the claim, for the report."""

    def validate(self) -> None:
        where = f"claim '{self.name}'"
        n = len(self.arms)
        if self.kind in PAIR_KINDS and n != 2:
            raise ConfigError(f"{where}: kind {self.kind} compares exactly 2 arms, got {self.arms}")
        if self.kind in VALUE_KINDS and n != 1:
            raise ConfigError(f"{where}: kind {self.kind} tests 1 arm against `value`, got {self.arms}")
        if self.kind.startswith("monotonic") and n < 2:
            raise ConfigError(f"{where}: kind {self.kind} needs at least 2 arms in order, got {self.arms}")
        if self.kind in ("equivalent", "noninferior") and not self.margin > 0:
            raise ConfigError(f"{where}: kind {self.kind} needs a margin > 0 (the largest difference that "
                              f"still counts as equal/not worse, declared before any run), got margin={self.margin}")
        if self.min_effect < 0:
            raise ConfigError(f"{where}: min_effect must be >= 0, got {self.min_effect}; to test 'A is not worse "
                              f"than B by more than m' use kind: noninferior with margin: m")
        if self.role == "sanity" and self.requires:
            raise ConfigError(f"{where}: a sanity check cannot require premises ({self.requires})")

    def definition(self) -> dict:
        """The fields that decide the verdict (not the paper wording)."""
        d = {k: v for k, v in to_dict(self).items() if k != "paper"}
        return json.loads(json.dumps(d, sort_keys=True))

    def definition_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.definition(), sort_keys=True).encode()).hexdigest()[:12]


@dataclass
class SelectionConfig:
    """A tuned arm: per seed, the arm of ``arms`` with the best ``metric`` over the *other* seeds.

    Claims may name a selection where they name an arm (e.g. ``galore`` over ``galore-lr1e-3`` ...): for seed
    s the value is the claim's metric of the arm whose mean ``metric`` over the seeds other than s is best
    (leave one seed out, so the choice is not made on the noise it is judged on; ties to the first arm).
    Use a validation metric, never the claim's test metric.
    """

    arms: list[str]
    metric: str = "val/loss"
    mode: Literal["min", "max"] = "min"
    stage: str | None = None


@dataclass
class ExperimentConfig:
    name: str
    base: dict[str, Any]
    arms: dict[str, ArmConfig]
    seeds: list[int] = field(default_factory=lambda: [0])
    stages: list[StageConfig] = field(default_factory=lambda: [StageConfig("pretrain")])
    claims: list[ClaimConfig] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    """Extra metrics to show in reports beside the claims' metrics (default: val/loss)."""
    workers: int = 0
    """Parallel runs on this machine (0: auto, sized so threads x workers = cores)."""
    executor: Literal["local", "submitit"] = "local"
    slurm: dict[str, Any] = field(default_factory=dict)
    """submitit executor parameters (e.g. ``{partition: gpu, timeout_min: 60}``); ``folder`` for logs."""
    paper: str = ""
    selections: dict[str, SelectionConfig] = field(default_factory=dict)
    """Tuned arms chosen per seed on a validation metric (``SelectionConfig``); claims may name them."""
    planned_seeds: int = 0
    """The recipe's number of seeds (0: ``len(seeds)``); fewer seeds run marks verdicts *underpowered*."""

    def validate(self) -> None:
        if not self.arms:
            raise ConfigError(f"experiment '{self.name}': no arms")
        if not self.seeds:
            raise ConfigError(f"experiment '{self.name}': no seeds")
        if self.workers < 0:
            raise ConfigError(f"workers must be >= 0 (0: auto), got {self.workers}")
        for arm, acfg in self.arms.items():
            stages = self.arm_stages(arm)
            names = [s.name for s in stages]
            if len(set(names)) != len(names):
                raise ConfigError(f"arm '{arm}': duplicate stage names {names}")
            for i, st in enumerate(stages):
                if st.init_from:
                    self._check_ref(arm, st.init_from, names[:i], f"arm '{arm}' stage '{st.name}' init_from")
                if st.target_from:
                    self._check_ref(arm, st.target_from, names[:i], f"arm '{arm}' stage '{st.name}' target_from")
                if st.teacher_from:
                    self._check_ref(arm, st.teacher_from, names[:i], f"arm '{arm}' stage '{st.name}' teacher_from")
        if any(not isinstance(s, int) or s < 0 for s in self.seeds):
            raise ConfigError(f"experiment '{self.name}': seeds must be integers >= 0, got {self.seeds}")
        if len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"experiment '{self.name}': duplicate seeds {self.seeds}")
        self._check_claim_graph()
        for name, sel in self.selections.items():
            if name in self.arms:
                raise ConfigError(f"selection '{name}' has the name of an arm; rename one of them")
            if len(sel.arms) < 2:
                raise ConfigError(f"selection '{name}': choose among at least 2 arms, got {sel.arms}")
            for arm in sel.arms:
                if arm not in self.arms:
                    raise ConfigError(f"selection '{name}': unknown arm '{arm}'{_choices(arm, list(self.arms))}")
        for claim in self.claims:
            for ref in claim.arms:
                if ref not in self.arms and ref not in self.selections:
                    raise ConfigError(f"claim '{claim.name}': unknown arm '{ref}'"
                                      f"{_choices(ref, list(self.arms) + list(self.selections))}")
            for arm in self.claim_arms(claim):
                if claim.stage:
                    names = [s.name for s in self.arm_stages(arm)]
                    if claim.stage not in names:
                        raise ConfigError(f"claim '{claim.name}': arm '{arm}' has no stage '{claim.stage}'"
                                          f"{_choices(claim.stage, names)}")

    def _check_claim_graph(self) -> None:
        """Unique claim names; ``requires`` names premises; no premise depends on itself."""
        names = [c.name for c in self.claims]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError(f"experiment '{self.name}': duplicate claim names {dup}")
        by_name = {c.name: c for c in self.claims}
        premises = [c.name for c in self.claims if c.role == "premise"]
        for c in self.claims:
            for req in c.requires:
                if req not in by_name or by_name[req].role != "premise":
                    raise ConfigError(f"claim '{c.name}': requires '{req}', which is not a premise of this "
                                      f"experiment{_choices(req, premises)}")

        def visit(name: str, path: list[str]) -> None:
            if name in path:
                cycle = " -> ".join(path[path.index(name):] + [name])
                raise ConfigError(f"premise cycle: {cycle}; a premise may not depend on itself")
            for req in by_name[name].requires:
                visit(req, path + [name])

        for c in self.claims:
            visit(c.name, [])

    def _check_ref(self, arm: str, ref: str, earlier: list[str], where: str) -> None:
        if "/" in ref:
            other, stage = ref.split("/", 1)
            if other not in self.arms:
                raise ConfigError(f"{where}: unknown arm '{other}'{_choices(other, list(self.arms))}")
            names = [s.name for s in self.arm_stages(other)]
            if stage not in names:
                raise ConfigError(f"{where}: arm '{other}' has no stage '{stage}'{_choices(stage, names)}")
        elif ref not in earlier:
            raise ConfigError(f"{where}: '{ref}' is not an earlier stage of this arm{_choices(ref, earlier)}")

    def claim_arms(self, claim: ClaimConfig) -> list[str]:
        """The real arms a claim reads (a selection's candidates in place of its name)."""
        out = []
        for ref in claim.arms:
            out += self.selections[ref].arms if ref in self.selections else [ref]
        return list(dict.fromkeys(out))

    def arm_stages(self, arm: str) -> list[StageConfig]:
        return self.arms[arm].stages or self.stages

    def stage_config(self, arm: str, stage: StageConfig, seed: int) -> dict:
        """The run config dict of one stage of one arm for one seed (before init_from is resolved)."""
        data = copy.deepcopy(self.base)
        data = _apply(data, self.arms[arm].overrides)
        data = _apply(data, stage.overrides)
        if stage.target_from:  # a placeholder until the plan points it at the target run's directory
            data.setdefault("eval", {})["loss_target_from"] = stage.target_from
        data["seed"] = seed
        data["name"] = f"{self.name}/{arm}/{stage.name}/seed{seed}"
        return data


def _apply(data: dict, overrides: dict) -> dict:
    """Overrides may be dotted keys or nested mappings (``data`` must be a private copy)."""
    overrides = copy.deepcopy(overrides)
    dotted = {k: v for k, v in overrides.items() if "." in k}
    nested = {k: v for k, v in overrides.items() if "." not in k}
    data = merge(data, nested)
    for key, value in dotted.items():
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return data


def build_experiment(data: dict) -> ExperimentConfig:
    from pretrainlab.modalities import metric_names

    for i, c in enumerate(data.get("claims") or []):
        if isinstance(c, dict) and "tolerance" in c:
            raise ConfigError(f"claims[{i}] ('{c.get('name', '?')}'): `tolerance` is now `margin` (equivalence by "
                              f"TOST within +-margin); rename the key")
    exp = from_dict(ExperimentConfig, data)
    # Validate every stage's run config and every claim's metric now, before anything runs.
    metrics: dict[tuple[str, str], set[str]] = {}
    for arm in exp.arms:
        for stage in exp.arm_stages(arm):
            try:
                run_cfg = build_run_config(exp.stage_config(arm, stage, exp.seeds[0]))
            except ConfigError as e:
                raise ConfigError(f"arm '{arm}' stage '{stage.name}': {e}") from None
            metrics[arm, stage.name] = metric_names(run_cfg)
    wanted_all = [(s.metric, s.arms, s.stage, f"selection '{n}'") for n, s in exp.selections.items()]
    for claim in exp.claims + [None]:
        wanted = [(claim.metric, exp.claim_arms(claim), claim.stage, f"claim '{claim.name}'")] if claim else \
            [(m, list(exp.arms), None, "experiment.metrics") for m in exp.metrics] + wanted_all
        for metric, arms, stage, where in wanted:
            for arm in arms:
                valid = metrics[arm, stage or exp.arm_stages(arm)[-1].name]
                if metric not in valid:
                    raise ConfigError(f"{where}: arm '{arm}' does not report metric '{metric}'"
                                      f"{_choices(metric, list(valid))}")
    return exp


__all__ = ["ArmConfig", "ClaimConfig", "ExperimentConfig", "SelectionConfig", "StageConfig", "apply_overrides", "build_experiment"]
