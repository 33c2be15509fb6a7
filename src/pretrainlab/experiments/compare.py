"""Compare run and experiment directories side by side: a metrics table and overlaid loss curves.

Each directory gives one or more *columns*:

* a run directory (has ``summary.json``) is one column named after the directory;
* an experiment directory (has ``results.json``) gives one column per arm, ``<exp>:<arm>``, or per
  arm and stage, ``<exp>:<arm>/<stage>``, when that arm has several stages. Its cells are
  ``"mean ± std"`` over seeds; its curves are the seed mean with a min-max band.

    >>> cols, rows = compare_dirs([Path("runs/a"), Path("runs/exp1")], ["val/loss"])
    >>> rows[0]
    {'metric': 'val/loss', 'a': 3.21, 'exp1:baseline': '3.18 ± 0.012', 'exp1:ours': '3.05 ± 0.009'}

The helpers here (``Column``, ``fmt_mean_std``, ``mean_curve``, ``plot_mean_curves``) are shared
with the experiment report.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.table import Table

from pretrainlab.eval.report import read_metrics  # also selects the Agg backend

import matplotlib.pyplot as plt  # noqa: E402  isort: skip


@dataclass
class Column:
    name: str
    summaries: list[dict] = field(default_factory=list)
    """One summary per seed (a run directory has one)."""
    run_dirs: list[Path] = field(default_factory=list)
    aggregate: bool = False
    """True for experiment arms: cells are ``mean ± std`` over seeds."""


def is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def finite(values) -> list[float]:
    return [float(v) for v in values if is_number(v) and math.isfinite(v)]


def fmt_mean_std(values, show_n: bool = False) -> str:
    """``"3.142 ± 0.012"`` over the finite values; ``"missing"`` if there are none."""
    vals = finite(values)
    if not vals:
        return "missing"
    mean = f"{np.mean(vals):.4g}"
    text = f"{mean} ± {np.std(vals, ddof=1):.2g}" if len(vals) > 1 else mean
    return f"{text} (n={len(vals)})" if show_n or len(vals) == 1 else text


def sort_metrics(keys) -> list[str]:
    """val/* first, then alphabetical."""
    return sorted(set(keys), key=lambda k: (not k.startswith("val/"), k))


def resolve_run_dir(run_dir: str | Path, exp_dir: Path) -> Path:
    """``run_dir`` as recorded, or under ``exp_dir/runs`` if the experiment directory was moved."""
    path = Path(run_dir)
    moved = exp_dir / "runs" / path.name
    return path if path.exists() or not moved.exists() else moved


def experiment_columns(exp_dir: Path, results: dict) -> list[Column]:
    cols = []
    for arm, stages in results.items():
        for stage, seeds in stages.items():
            name = f"{exp_dir.name}:{arm}" + (f"/{stage}" if len(stages) > 1 else "")
            runs = [s for _, s in sorted(seeds.items(), key=lambda kv: kv[0])]
            dirs = [resolve_run_dir(s["run_dir"], exp_dir) for s in runs if s.get("run_dir")]
            cols.append(Column(name, runs, dirs, aggregate=True))
    return cols


def dir_columns(path: Path) -> list[Column]:
    """The columns of a run directory or an experiment directory (ValueError for anything else)."""
    path = Path(path)
    if (path / "summary.json").exists():
        return [Column(path.name, [json.loads((path / "summary.json").read_text())], [path])]
    if (path / "results.json").exists():
        return experiment_columns(path, json.loads((path / "results.json").read_text()))
    what = "does not exist" if not path.exists() else "has neither summary.json nor results.json"
    raise ValueError(f"{path}: {what}; expected a run directory (with summary.json, written by "
                     f"`pretrainlab run`) or an experiment directory (with results.json)")


def _cell(col: Column, metric: str):
    values = [s.get(metric) for s in col.summaries]
    if col.aggregate:
        return fmt_mean_std(values)
    v = values[0] if values else None
    return v if is_number(v) else "missing"


def compare_dirs(dirs: list[Path], metrics: list[str] | None = None) -> tuple[list[str], list[dict]]:
    """Column names and rows ``{"metric": m, col: value or "mean ± std"}``."""
    cols = [c for d in dirs for c in dir_columns(Path(d))]
    if metrics is None:
        metrics = sort_metrics(k for c in cols for s in c.summaries for k, v in s.items() if is_number(v))
    rows = [{"metric": m, **{c.name: _cell(c, m) for c in cols}} for m in metrics]
    return [c.name for c in cols], rows


def _text(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def compare_table(dirs: list[Path], metrics: list[str] | None = None) -> Table:
    names, rows = compare_dirs(dirs, metrics)
    table = Table(title="comparison")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    for row in rows:
        table.add_row(row["metric"], *(_text(row[n]) for n in names))
    return table


def compare_markdown(dirs: list[Path], metrics: list[str] | None = None) -> str:
    names, rows = compare_dirs(dirs, metrics)
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    lines += [f"| `{r['metric']}` | " + " | ".join(_text(r[n]) for n in names) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def mean_curve(run_dirs: list[Path], key: str) -> tuple[np.ndarray, ...] | None:
    """(steps, mean, min, max) of ``key`` over runs' metrics.jsonl, at every logged step; None if absent."""
    per_run = [{r["step"]: r[key] for r in read_metrics(Path(d) / "metrics.jsonl")
                if is_number(r.get(key)) and "step" in r} for d in run_dirs]
    steps = sorted({s for run in per_run for s in run})
    if not steps:
        return None
    table = np.array([[run.get(s, math.nan) for s in steps] for run in per_run], dtype=float)
    with warnings.catch_warnings():  # a step where every run is NaN stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.array(steps), np.nanmean(table, 0), np.nanmin(table, 0), np.nanmax(table, 0)


def plot_mean_curves(series: dict[str, list[Path]], out_png: Path, metric: str = "val/loss",
                     title: str = "") -> Path | None:
    """One line per series (seed mean, min-max band) of ``metric``, its train/ twin dashed."""
    train_key = metric.replace("val/", "train/", 1) if metric.startswith("val/") else None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    drawn = False
    for i, (name, run_dirs) in enumerate(series.items()):
        color = f"C{i % 10}"
        val = mean_curve(run_dirs, metric)
        if val is not None:
            ax.plot(val[0], val[1], "o-", ms=3, color=color, label=f"{name} {metric}")
            if len(run_dirs) > 1:
                ax.fill_between(val[0], val[2], val[3], color=color, alpha=0.2, lw=0)
        train = mean_curve(run_dirs, train_key) if train_key else None
        if train is not None:
            ax.plot(train[0], train[1], "--", color=color, alpha=0.7, label=f"{name} {train_key}")
        drawn |= val is not None or train is not None
    if not drawn:
        plt.close(fig)
        return None
    ax.set(xlabel="step", ylabel=metric, title=title or metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return out_png


def plot_compare(dirs: list[Path], out_png: Path, metric: str = "val/loss") -> Path:
    """Overlay ``metric`` vs step for each run (or each experiment arm's seed mean)."""
    series = {c.name: c.run_dirs for d in dirs for c in dir_columns(Path(d))}
    path = plot_mean_curves(series, out_png, metric, title=f"{metric} vs step")
    if path is None:
        raise ValueError(f"no '{metric}' curve in the metrics.jsonl of {', '.join(map(str, dirs))}")
    return path
