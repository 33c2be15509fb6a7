"""Experiment report: claim verdicts, per-arm metrics with spread, curves and exact configs.

``write_experiment_report(out, exp, results, claims)`` writes into the experiment directory::

    report.md            verdict table, per-arm metrics (mean ± std over seeds), curves, configs
    report.html          the same, self-contained (plots embedded as base64 PNGs, no scripts)
    plots/curves_<stage>.png   val/loss per arm (seed mean, min-max band) and train/loss dashed

It reads each run's ``metrics.jsonl`` and ``config.yaml`` through ``run_dir`` in ``results``. A failed
arm or seed shows as "missing"; NaN metrics are left out of means and counted in ``n``. Claims may
be ``ClaimResult`` objects or their dicts from ``claims.json``, so ``report_from_dir`` can re-render
a finished experiment. The look follows the run report (``pretrainlab.eval.report``).
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from pathlib import Path

import yaml

from pretrainlab.experiments.compare import fmt_mean_std, is_number, plot_mean_curves, resolve_run_dir
from pretrainlab.experiments.config import ExperimentConfig

METHOD = ("paired t interval, n-1 df (n < 8) or BCa bootstrap with sign-flip permutation p (n >= 8); "
          "superiority one-sided at 0.025 (95% interval), TOST / non-inferiority at 0.05 (90% interval); "
          "Holm over primary + secondary claims; >= 3 seeds for any verdict")
VERDICT_CLASS = {"holds": "holds", "does not hold": "fails", "inconclusive": "unsure", "no signal": "unsure",
                 "not testable": "unsure"}
CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top}
figure{display:inline-block;margin:0 1em 1em 0}img{max-width:520px}pre{background:#f6f6f6;padding:1em;overflow:auto}
td.holds{background:#d4f5d4;color:#135c13;font-weight:bold}td.fails{background:#fbd5d5;color:#8a1414;font-weight:bold}
td.unsure{background:#ffe9b3;color:#7a5200;font-weight:bold}td.missing{color:#999}td.lines{min-width:15em}details{margin:.3em 0}"""


def _as_dict(claim) -> dict:
    return claim.to_json() if hasattr(claim, "to_json") else dict(claim)


def _num(v: float, fmt: str = "+.3g") -> str:
    return format(v, fmt) if is_number(v) and math.isfinite(v) else "n/a"


def _pair_text(kind: str, p: dict) -> str:
    # claims.py orients every difference so that positive supports the claim.
    if kind in ("above", "below"):
        label = f"{p['a']} − {p['b']}" if kind == "above" else f"{p['b']} − {p['a']}"
    elif kind in ("less", "monotonic_decreasing"):
        label = f"{p['b']} − {p['a']}"
    else:
        label = f"{p['a']} − {p['b']}"
    level = p.get("ci_level", 0.95)
    text = f"{label}: {_num(p['diff_mean'], '+.4g')} [{_num(p['ci_low'])}, {_num(p['ci_high'])}]"
    text += f" ({level:.0%}, n={p['n']})"
    extras = [f"{label}={_num(p.get(key), fmt)}" for label, key, fmt in
              (("p", "p", ".2g"), ("d", "effect_size", ".2g"), ("MDE", "mde", ".3g")) if _num(p.get(key)) != "n/a"]
    return text + (f"; {', '.join(extras)}" if extras else "")


def threshold_text(c: dict) -> str:
    t = c.get("threshold", 0.0)
    kind = c["kind"]
    if kind == "equivalent":
        return f"|diff| < {t:g} (TOST)"
    if kind == "noninferior":
        return f"diff > -{t:g} (non-inferiority)"
    if kind in ("above", "below"):
        return f"{'>' if kind == 'above' else '<'} {t:g}"
    return f"diff > {t:g}"


def verdict_text(c: dict) -> str:
    flags = c.get("flags") or []
    return c["verdict"] + (f" ({', '.join(flags)})" if flags else "")


def claim_rows(claims) -> tuple[list[str], list[list]]:
    """Headers and cells of the verdict table (a cell is a string or a list of lines)."""
    headers = ["claim", "role", "verdict", "kind", "metric", "arm: mean ± std (n)", "difference [interval]",
               "p (Holm)", "threshold", "note", "paper"]
    rows = []
    for c in map(_as_dict, claims):
        arms = [f"{a}: {fmt_mean_std(c['values'].get(a, []), show_n=True)}" for a in c["arms"]]
        p_holm = c.get("p_holm", math.nan)
        p = _num(c.get("p", math.nan), ".2g") + (f" ({_num(p_holm, '.2g')})" if is_number(p_holm)
                                                 and math.isfinite(p_holm) else "")
        note = c.get("note", "")
        if c.get("missing"):
            note = (note + "; " if note else "") + "missing: " + ", ".join(
                f"{a} seeds {s}" for a, s in c["missing"].items())
        rows.append([c["name"], c.get("role", "secondary"), verdict_text(c), c["kind"], c["metric"], arms,
                     [_pair_text(c["kind"], p) for p in c["pairs"]], p, threshold_text(c), note, c.get("paper", "")])
    return headers, rows


def _md_table(headers: list[str], rows: list[list]) -> str:
    def cell(v) -> str:
        return "<br>".join(v if isinstance(v, list) else [str(v)]).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|---" * len(headers) + "|"]
    return "\n".join(lines + ["| " + " | ".join(map(cell, r)) + " |" for r in rows]) + "\n"


def _html_table(headers: list[str], rows: list[list], table_id: str, css: dict[int, dict] | None = None) -> str:
    """``css[column] = {cell text: class}`` colours cells such as verdicts (a "(flags)" suffix is ignored)."""
    def cell(i: int, v) -> str:
        text = "<br>".join(html.escape(str(x)) for x in (v if isinstance(v, list) else [v]))
        cls = (css or {}).get(i, {}).get(str(v).split(" (")[0]) if not isinstance(v, list) else None
        cls = cls or ("missing" if v == "missing" else "lines" if isinstance(v, list) else None)
        return f'<td class="{cls}">{text}</td>' if cls else f"<td>{text}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f'<table id="{table_id}"><tr>{head}</tr>{body}</table>'


def render_claims_markdown(claims) -> str:
    """The verdict table as Markdown (claims: ``ClaimResult`` objects or their dicts)."""
    return _md_table(*claim_rows(claims)) if claims else "_no claims_\n"


def _report_stages(exp: ExperimentConfig) -> dict[str, list[str]]:
    """Stages shown per arm: the last one, or all of them if any arm has several."""
    stages = {arm: [s.name for s in exp.arm_stages(arm)] for arm in exp.arms}
    every = any(len(s) > 1 for s in stages.values())
    return {arm: names if every else names[-1:] for arm, names in stages.items()}


def _seed_runs(exp: ExperimentConfig, results: dict, arm: str, stage: str) -> list[dict]:
    runs = results.get(arm, {}).get(stage, {})
    return [runs[str(s)] for s in exp.seeds if str(s) in runs]


def metric_rows(exp: ExperimentConfig, results: dict, claims) -> tuple[list[str], list[list]]:
    """Per arm (and stage): mean ± std (n) over seeds of the claim metrics, exp.metrics and val/loss."""
    wanted = list(dict.fromkeys([_as_dict(c)["metric"] for c in claims] + list(exp.metrics) + ["val/loss"]))
    all_runs = [r for stages in results.values() for seeds in stages.values() for r in seeds.values()]
    metrics = [m for m in wanted if all(is_number(r[m]) or r[m] is None for r in all_runs if m in r)]
    multi = any(len(s) > 1 for s in _report_stages(exp).values())
    rows = []
    for arm, stages in _report_stages(exp).items():
        for stage in stages:
            runs = _seed_runs(exp, results, arm, stage)
            rows.append([f"{arm} / {stage}" if multi else arm, f"{len(runs)}/{len(exp.seeds)}"]
                        + [fmt_mean_std([r.get(m) for r in runs], show_n=True) for m in metrics])
    return ["arm", "seeds"] + metrics, rows


def plot_arm_curves(exp: ExperimentConfig, results: dict, out: Path) -> list[Path]:
    """One PNG per stage name: val/loss per arm (seed mean, min-max band), train/loss dashed."""
    stage_names = list(dict.fromkeys(s.name for arm in exp.arms for s in exp.arm_stages(arm)))
    paths = []
    for stage in stage_names:
        series = {arm: [resolve_run_dir(r["run_dir"], out) for r in _seed_runs(exp, results, arm, stage)
                        if r.get("run_dir")] for arm in exp.arms}
        png = out / "plots" / f"curves_{re.sub(r'[^A-Za-z0-9_.-]', '_', stage)}.png"
        path = plot_mean_curves(series, png, "val/loss", title=f"{stage}: val/loss (solid), train/loss (dashed)")
        paths += [path] if path else []
    return paths


def config_blocks(exp: ExperimentConfig, results: dict, out: Path) -> list[tuple[str, str, str | None]]:
    """(arm / stage, overrides YAML, the first seed's resolved config.yaml or None if missing)."""
    blocks = []
    for arm, acfg in exp.arms.items():
        for stage in exp.arm_stages(arm):
            overrides = {"arm": acfg.overrides, "stage": stage.overrides}
            runs = [r for r in _seed_runs(exp, results, arm, stage.name) if r.get("run_dir")]
            path = resolve_run_dir(runs[0]["run_dir"], out) / "config.yaml" if runs else None
            text = path.read_text() if path and path.exists() else None
            blocks.append((f"{arm} / {stage.name}", yaml.safe_dump(overrides, sort_keys=False), text))
    return blocks


def _header(exp: ExperimentConfig, claims) -> list[str]:
    from pretrainlab.experiments.claims import tally as count

    t = count(claims)
    tally = (f"primary {t['primary']['held']}/{t['primary']['total']} hold, secondary "
             f"{t['secondary']['held']}/{t['secondary']['total']}, premises {t['premise']['held']}/"
             f"{t['premise']['total']}, sanity checks {t['sanity']['held']}/{t['sanity']['total']}")
    arms = [f"{a}" + (f": {c.description}" if c.description else "") for a, c in exp.arms.items()]
    planned = exp.planned_seeds or len(exp.seeds)
    seeds = ", ".join(map(str, exp.seeds)) + (f" (underpowered: the recipe plans {planned})"
                                              if len(exp.seeds) < planned else "")
    return [f"paper: {exp.paper or '-'}", f"seeds: {seeds}", f"claims: {tally}", f"method: {METHOD}",
            "arms: " + "; ".join(arms)]


def _markdown(exp, claims, metrics, plots, configs, out: Path) -> str:
    md = [f"# Experiment report: {exp.name}", ""] + [f"- {line}" for line in _header(exp, claims)]
    md += ["", "## Claims", "", render_claims_markdown(claims), "## Per-arm metrics (mean ± std over seeds)", "",
           _md_table(*metrics), "## Curves", ""]
    md += [f"![{p.stem}]({p.relative_to(out).as_posix()})" for p in plots] or ["_no curves (no finished runs)_"]
    md += ["", "## Configs", ""]
    for title, overrides, text in configs:
        md += [f"### {title}", "", "overrides:", "```yaml", overrides.rstrip(), "```", ""]
        md += ["resolved config (first seed):", "```yaml", text.rstrip(), "```", ""] if text else ["missing", ""]
    return "\n".join(md)


def _html(exp, claims, metrics, plots, configs) -> str:
    verdicts = _html_table(*claim_rows(claims), "verdicts", {2: VERDICT_CLASS}) if claims else "<p>no claims</p>"
    imgs = "".join(f'<figure><img alt="{p.stem}" src="data:image/png;base64,'
                   f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{p.stem}</figcaption></figure>'
                   for p in plots) or "<p>no curves (no finished runs)</p>"
    cfgs = "".join(f"<details><summary>{html.escape(t)}</summary><p>overrides</p><pre>{html.escape(o)}</pre>"
                   f"<p>resolved config (first seed)</p><pre>{html.escape(c) if c else 'missing'}</pre></details>"
                   for t, o, c in configs)
    name = html.escape(exp.name)
    header = "".join(f"<li>{html.escape(line)}</li>" for line in _header(exp, claims))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{name}</title><style>{CSS}</style>
</head><body><h1>Experiment report: {name}</h1><ul>{header}</ul>
<h2>Claims</h2>{verdicts}<h2>Per-arm metrics (mean ± std over seeds)</h2>{_html_table(*metrics, "arm-metrics")}
<h2>Curves</h2>{imgs}<h2>Configs</h2>{cfgs}</body></html>"""


def write_experiment_report(out: Path, exp: ExperimentConfig, results: dict, claims: list) -> None:
    """Write ``report.md``, ``report.html`` and ``plots/*.png`` into the experiment directory ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    metrics = metric_rows(exp, results, claims)
    plots = plot_arm_curves(exp, results, out)
    configs = config_blocks(exp, results, out)
    (out / "report.md").write_text(_markdown(exp, claims, metrics, plots, configs, out))
    (out / "report.html").write_text(_html(exp, claims, metrics, plots, configs))


def report_from_dir(exp_dir: Path) -> Path:
    """Re-render the report of a finished experiment from its experiment.yaml, results.json, claims.json."""
    from pretrainlab.config import from_dict, load_yaml

    exp_dir = Path(exp_dir)
    for name in ("experiment.yaml", "results.json", "claims.json"):
        if not (exp_dir / name).exists():
            raise ValueError(f"{exp_dir}: no {name}; expected an experiment directory written by run_experiment")
    exp = from_dict(ExperimentConfig, load_yaml(exp_dir / "experiment.yaml"))
    results = json.loads((exp_dir / "results.json").read_text())
    claims = json.loads((exp_dir / "claims.json").read_text())["claims"]
    write_experiment_report(exp_dir, exp, results, claims)
    return exp_dir / "report.html"
