"""compare_dirs / compare_table / compare_markdown / plot_compare on fake run and experiment dirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from pretrainlab.experiments.compare import compare_dirs, compare_markdown, compare_table, plot_compare


def fake_run(run_dir: Path, loss: float) -> dict:
    run_dir.mkdir(parents=True)
    rows = [{"step": s, "train/loss": loss + 2 - s / 50} for s in range(0, 101, 10)]
    rows += [{"step": s, "val/loss": loss + 2.1 - s / 50} for s in (0, 50, 100)]
    summary = {"name": run_dir.name, "data_dir": "/data", "val/loss": loss, "val/bpb": loss / 3,
               "baseline/unigram_loss": 6.0, "eval/fact_qa/train_people": 0.25}
    (run_dir / "summary.json").write_text(json.dumps(summary))
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {**summary, "run_dir": str(run_dir)}


@pytest.fixture
def dirs(tmp_path) -> tuple[Path, Path]:
    run = tmp_path / "single"
    fake_run(run, 3.0)
    exp = tmp_path / "exp1"
    results = {
        "base": {"pretrain": {str(s): fake_run(exp / "runs" / f"base-{s}", 3.1 + 0.1 * s) for s in (0, 1)}},
        "ours": {st: {str(s): fake_run(exp / "runs" / f"ours-{st}-{s}", 2.8 + 0.1 * s) for s in (0, 1)}
                 for st in ("pretrain", "anneal")},
    }
    (exp / "results.json").write_text(json.dumps(results))
    return run, exp


def test_columns_and_cells(dirs):
    cols, rows = compare_dirs(list(dirs))
    assert cols == ["single", "exp1:base", "exp1:ours/pretrain", "exp1:ours/anneal"]
    assert [r["metric"] for r in rows] == ["val/bpb", "val/loss", "baseline/unigram_loss",
                                           "eval/fact_qa/train_people"]  # val/* first, numeric only
    loss = rows[1]
    assert loss["single"] == 3.0
    assert loss["exp1:base"] == "3.15 ± 0.071"
    assert loss["exp1:ours/anneal"] == "2.85 ± 0.071"


def test_given_metrics_and_missing(dirs):
    _, rows = compare_dirs(list(dirs), ["val/loss", "val/loss/code"])
    assert [r["metric"] for r in rows] == ["val/loss", "val/loss/code"]
    assert rows[1]["single"] == "missing" and rows[1]["exp1:base"] == "missing"


def test_table_and_markdown(dirs):
    table = compare_table(list(dirs), ["val/loss"])
    assert [c.header for c in table.columns] == ["metric", "single", "exp1:base", "exp1:ours/pretrain",
                                                 "exp1:ours/anneal"]
    console = Console(width=200, record=True)
    console.print(table)
    assert "3.15 ± 0.071" in console.export_text()
    md = compare_markdown(list(dirs), ["val/loss"])
    assert md.splitlines() == ["| metric | single | exp1:base | exp1:ours/pretrain | exp1:ours/anneal |",
                               "|---|---|---|---|---|",
                               "| `val/loss` | 3 | 3.15 ± 0.071 | 2.85 ± 0.071 | 2.85 ± 0.071 |"]


def test_plot(dirs, tmp_path):
    png = plot_compare(list(dirs), tmp_path / "plots" / "compare.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    with pytest.raises(ValueError, match="no 'val/acc' curve"):
        plot_compare(list(dirs), tmp_path / "x.png", metric="val/acc")


def test_moved_experiment_dir(dirs, tmp_path):
    run, exp = dirs
    moved = exp.rename(tmp_path / "moved")  # run_dir paths in results.json are now stale
    assert plot_compare([moved], tmp_path / "moved.png").exists()


def test_bad_dir(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"empty: has neither summary.json nor results.json; expected a run"):
        compare_dirs([tmp_path / "empty"])
    with pytest.raises(ValueError, match="nope: does not exist"):
        compare_table([tmp_path / "nope"])
