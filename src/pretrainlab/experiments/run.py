"""Run an experiment end to end: plan -> execute (cached) -> collect -> claims -> report.

Experiment directory::

    experiment.yaml   the resolved experiment config
    runs/<stage>-seed<k>-<hash>/   one run directory per distinct job (shared stages appear once)
    data/<fingerprint>/            prepared data shared by the runs
    results.json      {arm: {stage: {seed: summary}}} plus the job of each
    claims.json       verdicts, per-seed values, intervals and method, tally, commit + claim hashes
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
from pretrainlab.experiments.claims import ClaimResult, judge, tally
from pretrainlab.experiments.config import ExperimentConfig
from pretrainlab.experiments.executor import run_plan
from pretrainlab.experiments.plan import Plan, build_plan
from pretrainlab.experiments.preregistration import registrations
from pretrainlab.outdir import claim_dir


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
    """The metric per seed (NaN: missing); a selection's value is its chosen arm's (``selected_arms``)."""
    if arm in exp.selections:
        chosen = selected_arms(exp, results, arm)
        return [claim_values(exp, results, metric, c, stage)[i] if c else math.nan for i, c in enumerate(chosen)]
    stage = stage or exp.arm_stages(arm)[-1].name
    runs = results.get(arm, {}).get(stage, {})
    return [float(runs[str(s)].get(metric, math.nan)) if str(s) in runs else math.nan for s in exp.seeds]


def selected_arms(exp: ExperimentConfig, results: dict, name: str) -> list[str | None]:
    """Per seed s, the selection's arm with the best mean ``metric`` over the other seeds (None: no data)."""
    sel = exp.selections[name]
    table = {a: claim_values(exp, results, sel.metric, a, sel.stage) for a in sel.arms}
    sign = 1.0 if sel.mode == "min" else -1.0
    chosen = []
    for i in range(len(exp.seeds)):
        scores = {}
        for a, vals in table.items():
            others = [v for j, v in enumerate(vals) if j != i and not math.isnan(v)]
            if others and not math.isnan(vals[i]):
                scores[a] = sign * sum(others) / len(others)
        chosen.append(min(scores, key=lambda a: (scores[a], sel.arms.index(a))) if scores else None)
    return chosen


def evaluate_claims(exp: ExperimentConfig, results: dict, registrations: dict | None = None) -> list[ClaimResult]:
    """Judge every claim (premises, Holm, flags); ``registrations`` (preregistration) marks post hoc claims."""
    values = {c.name: {a: claim_values(exp, results, c.metric, a, c.stage) for a in c.arms} for c in exp.claims}
    judged = judge(exp.claims, values, list(exp.seeds), exp.planned_seeds or len(exp.seeds))
    for r in judged:
        picks = {a: selected_arms(exp, results, a) for a in r.arms if a in exp.selections}
        for a, chosen in picks.items():
            edge = {c for c in chosen if c in (exp.selections[a].arms[0], exp.selections[a].arms[-1])}
            text = f"{a} per seed: {', '.join(c or 'missing' for c in chosen)}"
            text += " (a choice at the grid's edge: tuning may be incomplete)" if edge else ""
            r.note = (r.note + "; " if r.note else "") + text
    for r in judged:
        if (registrations or {}).get(r.name, {}).get("post_hoc"):
            r.flags.append("post hoc")
    return judged


def claims_document(exp: ExperimentConfig, claims: list[ClaimResult], previous: dict | None = None) -> dict:
    """The content of claims.json: verdicts, per-seed values, method, tally and pre-registration evidence."""
    from pretrainlab.experiments.preregistration import provenance

    return {"experiment": exp.name, "seeds": exp.seeds, "planned_seeds": exp.planned_seeds or len(exp.seeds),
            "method": "paired t interval (n < 8) / BCa bootstrap + sign-flip permutation (n >= 8); "
                      "TOST at alpha 0.05 for equivalence and non-inferiority; Holm over primary+secondary",
            **provenance(exp), "registrations": (previous or {}).get("registrations", {}),
            "tally": tally(claims), "claims": [c.to_json() for c in claims]}


def run_experiment(exp: ExperimentConfig, out: str | Path, console: Console | None = None,
                   report: bool = True) -> tuple[dict, list[ClaimResult]]:
    console = console or Console(stderr=True)
    out = claim_dir(out, "experiment", legacy=lambda p: (p / "experiment.yaml").is_file())
    (out / "experiment.yaml").write_text(yaml.safe_dump(to_dict(exp), sort_keys=False))
    plan = build_plan(exp, out)
    run_plan(plan, out, console, exp.workers, exp.executor, exp.slurm)
    results = collect(exp, plan)
    previous = json.loads((out / "claims.json").read_text()) if (out / "claims.json").exists() else None
    regs = registrations(exp, previous)
    claims = evaluate_claims(exp, results, regs)
    _write_json(out / "results.json", results)
    _write_json(out / "claims.json", claims_document(exp, claims, {"registrations": regs}))
    if report:
        from pretrainlab.experiments.report import write_experiment_report

        write_experiment_report(out, exp, results, claims)
    return results, claims


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    os.replace(tmp, path)


def verdict_table(claims: list[ClaimResult], title: str = "claims") -> Table:
    from pretrainlab.experiments.report import claim_rows

    headers, rows = claim_rows(claims)
    keep = ["claim", "role", "verdict", "metric", "arm: mean ± std (n)", "difference [interval]", "p (Holm)", "note"]
    table = Table(title=title)
    for col in keep:
        table.add_column(col)
    for row in rows:
        cells = dict(zip(headers, row))
        color = {"holds": "green", "does not hold": "red"}.get(cells["verdict"].split(" (")[0], "yellow")
        cells["verdict"] = f"[{color}]{cells['verdict']}[/]"
        table.add_row(*["\n".join(v) if isinstance(v, list) else str(v) for v in (cells[k] for k in keep)])
    return table
