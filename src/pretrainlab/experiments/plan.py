"""Expand an experiment into runs: arms x seeds x stages -> a DAG of jobs keyed by config hash.

A job's key is a hash of its resolved run config (run name and display-only fields removed; a parent
checkpoint is named by the parent's key, not by a path). Stages of different arms with the same config
and seed -- e.g. one base pretraining shared by five continued-pretraining arms -- hash alike and run
once; a finished job (``summary.json`` present) is skipped on re-run, an interrupted one resumes.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pretrainlab.experiments.config import ExperimentConfig

DISPLAY_ONLY = {("name",), ("train", "progress"), ("train", "loggers")}


@dataclass
class Job:
    key: str
    config: dict
    """Run config dict; ``train.init_from`` already points at the parent job's run directory."""
    run_dir: Path
    deps: list[str] = field(default_factory=list)
    uses: list[tuple[str, str, int]] = field(default_factory=list)
    """(arm, stage, seed) triples this job serves."""

    @property
    def done(self) -> bool:
        return (self.run_dir / "summary.json").exists()

    def summary(self) -> dict:
        return json.loads((self.run_dir / "summary.json").read_text())


def config_hash(config: dict, parent_key: str | None, target_key: str | None = None,
                teacher_key: str | None = None) -> str:
    """Hash of the *resolved* run config (defaults filled in), so changing a default re-runs the job."""
    from pretrainlab.config import to_dict
    from pretrainlab.run_config import build_run_config

    data = to_dict(build_run_config(copy.deepcopy(config)))
    for path in DISPLAY_ONLY:
        node = data
        for part in path[:-1]:
            node = node.get(part, {})
        node.pop(path[-1], None)
    if parent_key:
        data.setdefault("train", {})["init_from"] = f"job:{parent_key}"
    if target_key:
        data.setdefault("eval", {})["loss_target_from"] = f"job:{target_key}"
    if teacher_key:
        data.setdefault("objective", {})["teacher_from"] = f"job:{teacher_key}"
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass
class Plan:
    jobs: dict[str, Job]
    """key -> job, in an order where parents come before children."""
    index: dict[tuple[str, str, int], str]
    """(arm, stage, seed) -> job key."""
    experiment: str = ""
    """The experiment's name (trackers group its runs by it)."""

    def job(self, arm: str, stage: str, seed: int) -> Job:
        return self.jobs[self.index[arm, stage, seed]]


def build_plan(exp: ExperimentConfig, out: Path) -> Plan:
    jobs: dict[str, Job] = {}
    index: dict[tuple[str, str, int], str] = {}

    def resolve(arm: str, stage_name: str, seed: int) -> str:
        if (arm, stage_name, seed) in index:
            return index[arm, stage_name, seed]
        stage = next(s for s in exp.arm_stages(arm) if s.name == stage_name)
        config = exp.stage_config(arm, stage, seed)
        parent = None
        if stage.init_from:
            p_arm, p_stage = stage.init_from.split("/", 1) if "/" in stage.init_from else (arm, stage.init_from)
            parent = resolve(p_arm, p_stage, seed)
            config.setdefault("train", {})["init_from"] = str(jobs[parent].run_dir)
            config["train"]["init_optimizer"] = stage.init_optimizer
        target = None
        if stage.target_from:
            t_arm, t_stage = stage.target_from.split("/", 1) if "/" in stage.target_from else (arm, stage.target_from)
            target = resolve(t_arm, t_stage, seed)
            config["eval"]["loss_target_from"] = str(jobs[target].run_dir)
        teacher = None
        if stage.teacher_from:
            ref = stage.teacher_from
            teacher = resolve(*(ref.split("/", 1) if "/" in ref else (arm, ref)), seed)
            config.setdefault("objective", {})["teacher_from"] = str(jobs[teacher].run_dir)
        key = config_hash(config, parent, target, teacher)
        if key not in jobs:
            deps = [k for k in (parent, target, teacher) if k]
            jobs[key] = Job(key, config, out / "runs" / f"{stage_name}-seed{seed}-{key}", deps)
        jobs[key].uses.append((arm, stage_name, seed))
        index[arm, stage_name, seed] = key
        return key

    for arm in exp.arms:
        for seed in exp.seeds:
            for stage in exp.arm_stages(arm):
                resolve(arm, stage.name, seed)
    return Plan(jobs, index, exp.name)
