"""Run an experiment end to end: plan -> execute (cached) -> collect -> claims -> report.

Experiment directory::

    experiment.yaml   the resolved experiment config
    runs/<stage>-seed<k>-<hash>/   one run directory per distinct job (shared stages appear once)
    data/<fingerprint>/            prepared data shared by the runs
    results.json      {arm: {stage: {seed: summary}}} plus the job of each
    claims.json       verdicts with means, spread and confidence intervals
    report.md, report.html
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

from pretrainlab.config import to_dict
from pretrainlab.experiments.claims import ClaimResult, evaluate_claim
from pretrainlab.experiments.config import ExperimentConfig
from pretrainlab.experiments.executor import run_plan
from pretrainlab.experiments.plan import Plan, build_plan


def collect(exp: ExperimentConfig, plan: Plan) -> dict:
    """{arm: {stage: {seed: summary}}} from the finished jobs (missing runs are left out)."""
    results: dict = {}
    for (arm, stage, seed), key in plan.index.items():
        job = plan.jobs[key]
        if job.done:
            entry = results.setdefault(arm, {}).setdefault(stage, {})
            entry[str(seed)] = {**job.summary(), "run_dir": str(job.run_dir)}
    return results


def claim_values(exp: ExperimentConfig, results: dict, metric: str, arm: str, stage: str | None) -> list[float]:
    stage = stage or exp.arm_stages(arm)[-1].name
    runs = results.get(arm, {}).get(stage, {})
    return [float(runs[str(s)].get(metric, math.nan)) if str(s) in runs else math.nan for s in exp.seeds]


def evaluate_claims(exp: ExperimentConfig, results: dict) -> list[ClaimResult]:
    return [evaluate_claim(c, {a: claim_values(exp, results, c.metric, a, c.stage) for a in c.arms})
            for c in exp.claims]


def run_experiment(exp: ExperimentConfig, out: str | Path, console: Console | None = None,
                   report: bool = True) -> tuple[dict, list[ClaimResult]]:
    console = console or Console(stderr=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "experiment.yaml").write_text(yaml.safe_dump(to_dict(exp), sort_keys=False))
    plan = build_plan(exp, out)
    run_plan(plan, out, console, exp.workers, exp.executor, exp.slurm)
    results = collect(exp, plan)
    claims = evaluate_claims(exp, results)
    _write_json(out / "results.json", results)
    _write_json(out / "claims.json", {"experiment": exp.name, "seeds": exp.seeds,
                                      "claims": [c.to_json() for c in claims]})
    if report:
        from pretrainlab.experiments.report import write_experiment_report

        write_experiment_report(out, exp, results, claims)
    return results, claims


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    os.replace(tmp, path)


def verdict_table(claims: list[ClaimResult], title: str = "claims") -> Table:
    table = Table(title=title)
    for col in ("claim", "metric", "arms: mean ± std", "diff [CI]", "verdict"):
        table.add_column(col)
    for c in claims:
        arms = "\n".join(f"{a}: {c.means[a]:.4g} ± {c.stds[a]:.2g}" for a in c.arms)
        diffs = "\n".join(f"{p.a}-{p.b}: {p.diff_mean:+.4g} [{p.ci_low:+.3g}, {p.ci_high:+.3g}]" for p in c.pairs)
        color = {"holds": "green", "does not hold": "red"}.get(c.verdict, "yellow")
        table.add_row(c.name, c.metric, arms, diffs, f"[{color}]{c.verdict}[/]")
    return table
