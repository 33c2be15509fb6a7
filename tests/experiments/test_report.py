"""Experiment report on fake experiment directories (JSON/JSONL/YAML written directly; no training).

The headless Chromium test renders report.html and keeps a screenshot in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pretrainlab.config import from_dict, to_dict
from pretrainlab.experiments.config import ExperimentConfig
from pretrainlab.experiments.report import render_claims_markdown, report_from_dir, write_experiment_report
from pretrainlab.experiments.run import evaluate_claims

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def fake_run(run_dir: Path, seed: int, offset: float, steps: int = 60) -> dict:
    """A finished run directory; returns its results.json entry (summary + run_dir)."""
    run_dir.mkdir(parents=True)
    rows = []
    for step in range(0, steps + 1, 10):
        rows.append({"step": step, "train/loss": 5 - step / 30 + offset + 0.02 * seed, "train/lr": 1e-3})
        if step % 30 == 0:
            rows.append({"step": step, "val/loss": 5.1 - step / 30 + offset + 0.03 * seed, "val/bpb": 1.2})
    val = rows[-1]["val/loss"]
    summary = {"name": run_dir.name, "data_dir": "/data", "val/loss": val, "val/loss/web": val + 0.1,
               "val/bpb": 1.2 + offset, "eval/fact_qa/train_people": math.nan if seed == 1 else 0.5 - offset}
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (run_dir / "summary.json").write_text(json.dumps(summary))
    (run_dir / "config.yaml").write_text(yaml.safe_dump({"name": run_dir.name, "seed": seed,
                                                         "train": {"lr": 1e-3, "steps": steps}}))
    return {**summary, "run_dir": str(run_dir)}


def fake_experiment(out: Path, stages: tuple[str, ...] = ("pretrain",)):
    """Arms baseline and ours (0.3 lower loss) over seeds 0, 1, 2; arm 'broken' failed (no runs)."""
    exp = from_dict(ExperimentConfig, {
        "name": "toy", "paper": "Toy et al. 2024", "base": {}, "seeds": [0, 1, 2],
        "stages": [{"name": s} for s in stages],
        "arms": {"baseline": {}, "ours": {"overrides": {"train.lr": 3e-3}, "description": "higher lr"},
                 "broken": {"overrides": {"train.lr": 1.0}}},
        "metrics": ["eval/fact_qa/train_people"],
        "claims": [
            {"name": "ours lowers loss", "kind": "less", "metric": "val/loss", "arms": ["ours", "baseline"],
             "paper": "our method reaches lower loss"},
            {"name": "same loss", "kind": "equivalent", "metric": "val/loss", "arms": ["ours", "baseline"],
             "margin": 0.01},
            {"name": "broken beats baseline", "kind": "greater", "metric": "val/loss",
             "arms": ["broken", "baseline"]},
        ]})
    results = {arm: {st: {str(s): fake_run(out / "runs" / f"{arm}-{st}-seed{s}", s, off) for s in exp.seeds}
                     for st in stages} for arm, off in (("baseline", 0.0), ("ours", -0.3))}
    claims = evaluate_claims(exp, results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "experiment.yaml").write_text(yaml.safe_dump(to_dict(exp), sort_keys=False))
    (out / "results.json").write_text(json.dumps(results))
    (out / "claims.json").write_text(json.dumps({"experiment": exp.name, "seeds": exp.seeds,
                                                 "claims": [c.to_json() for c in claims]}))
    return exp, results, claims


@pytest.fixture
def report_dir(tmp_path) -> Path:
    out = tmp_path / "exp"
    write_experiment_report(out, *fake_experiment(out))
    return out


def test_verdicts(tmp_path):
    _, _, claims = fake_experiment(tmp_path / "exp")
    assert [c.verdict for c in claims] == ["holds", "does not hold", "inconclusive"]
    md = render_claims_markdown(claims)
    assert md.startswith("| claim | role | verdict | kind | metric |")
    assert "baseline − ours: +0.3 [+0.3, +0.3] (95%, n=3)" in md  # "less" is measured as B - A
    assert "ours: 2.83 ± 0.03 (n=3)" in md
    assert "inconclusive (missing runs)" in md and "missing: broken seeds [0, 1, 2]" in md
    assert "broken: missing" in md
    assert render_claims_markdown([c.to_json() for c in claims]) == md


def test_report_files(report_dir):
    md = (report_dir / "report.md").read_text()
    assert "# Experiment report: toy" in md and "Toy et al. 2024" in md and "seeds: 0, 1, 2" in md
    for verdict in ("holds", "does not hold", "inconclusive", "our method reaches lower loss"):
        assert verdict in md
    assert "| broken | 0/3 | missing | missing |" in md  # failed arm, no crash
    assert "0.5 ± 0 (n=2)" in md  # seed 1 has a NaN QA score: left out of the mean
    assert (report_dir / "plots" / "curves_pretrain.png").stat().st_size > 10_000
    assert "![curves_pretrain](plots/curves_pretrain.png)" in md
    assert "train.lr: 0.003" in md and "steps: 60" in md  # overrides and the resolved config


def test_html_self_contained(report_dir):
    page = (report_dir / "report.html").read_text()
    assert '<table id="verdicts">' in page
    assert '<img alt="curves_pretrain" src="data:image/png;base64,' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page
    assert '<td class="holds">holds</td>' in page and '<td class="fails">does not hold</td>' in page
    assert '<td class="unsure">inconclusive (missing runs)</td>' in page
    assert "<details><summary>ours / pretrain</summary>" in page


def test_stages_and_rerender(tmp_path):
    out = tmp_path / "exp"
    fake_experiment(out, stages=("pretrain", "anneal"))
    assert report_from_dir(out) == out / "report.html"
    md = (out / "report.md").read_text()
    assert "| ours / pretrain | 3/3 |" in md and "| ours / anneal | 3/3 |" in md
    assert {p.name for p in (out / "plots").iterdir()} == {"curves_pretrain.png", "curves_anneal.png"}


def test_all_runs_missing(tmp_path):
    exp, _, _ = fake_experiment(tmp_path / "exp")
    out = tmp_path / "empty"
    write_experiment_report(out, exp, {}, evaluate_claims(exp, {}))
    assert "no curves" in (out / "report.md").read_text()
    assert not re.search(r"\bnan\b", (out / "report.html").read_text())


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_chromium_renders(report_dir, tmp_path):
    if shutil.which("chromium") is None:
        pytest.skip("chromium not installed (CI installs Debian's chromium)")
    url = (report_dir / "report.html").as_uri()
    shot = tmp_path / "experiment_report.png"
    proc = _chromium([f"--screenshot={shot}", "--window-size=1200,1600", url], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / "experiment_report.png")
    dom = _chromium(["--dump-dom", url], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'id="verdicts"' in dom.stdout
    for verdict in ("holds", "does not hold", "inconclusive (missing runs)"):
        assert f">{verdict}</td>" in dom.stdout
