"""Run report: loss plots (matplotlib, PNG), ``report.md`` and a self-contained ``report.html``.

The HTML embeds the plots as base64 PNGs, so the one file can be mailed or attached to an issue.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_metrics(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def plot_curves(rows: list[dict], out_dir: Path) -> list[Path]:
    """loss.png (train loss + overall val loss) and val_by_source.png (val loss per source)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    train = [r for r in rows if "train/loss" in r]
    val = [r for r in rows if "val/loss" in r]
    fig, ax = plt.subplots(figsize=(6, 4))
    if train:
        ax.plot([r["step"] for r in train], [r["train/loss"] for r in train], label="train")
    if val:
        ax.plot([r["step"] for r in val], [r["val/loss"] for r in val], "o-", label="val")
    ax.set(xlabel="step", ylabel="loss (nats/token)", title="loss")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    paths.append(out_dir / "loss.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    sources = sorted({k.split("/", 2)[2] for r in val for k in r if k.startswith("val/loss/")})
    if sources:
        fig, ax = plt.subplots(figsize=(6, 4))
        for s in sources:
            pts = [(r["step"], r[f"val/loss/{s}"]) for r in val if f"val/loss/{s}" in r]
            ax.plot(*zip(*pts), "o-", label=s)
        ax.set(xlabel="step", ylabel="val loss", title="validation loss by source")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        paths.append(out_dir / "val_by_source.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths + plot_mixture(rows, out_dir)


def plot_mixture(rows: list[dict], out_dir: Path) -> list[Path]:
    """mixture.png (delivered vs target share of training tokens per source) and train_by_source.png."""
    mix = [r for r in rows if any(k.startswith("mix/tokens/") for k in r)]
    if not mix:
        return []
    sources = sorted({k.split("/", 2)[2] for r in mix for k in r if k.startswith("mix/tokens/")})
    steps = [r["step"] for r in mix]
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, s in enumerate(sources):
        color = f"C{i % 10}"
        tot = [sum(r.get(f"mix/tokens/{x}", 0) for x in sources) or 1 for r in mix]
        ax.plot(steps, [r.get(f"mix/tokens/{s}", 0) / t for r, t in zip(mix, tot)], color=color, label=s)
        ttot = [sum(r.get(f"mix/target/{x}", 0) for x in sources) or 1 for r in mix]
        ax.plot(steps, [r.get(f"mix/target/{s}", 0) / t for r, t in zip(mix, ttot)], "--", color=color)
    ax.set(xlabel="step", ylabel="share of training tokens so far", title="delivered (solid) vs target (dashed)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths = [out_dir / "mixture.png"]
    fig.savefig(paths[0], dpi=110)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    for s in sources:
        pts = [(r["step"], r[f"train/loss/{s}"]) for r in mix if f"train/loss/{s}" in r]
        if pts:
            ax.plot(*zip(*pts), label=s)
    ax.set(xlabel="step", ylabel="train loss", title="training loss by source")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths.append(out_dir / "train_by_source.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def write_report(run_dir: Path, summary: dict, config_yaml: str, generations: list[dict], plots: list[Path]) -> None:
    """Write report.md and report.html into ``run_dir``."""
    name = summary.get("name", run_dir.name)
    md = [f"# Run report: {name}", "", "## Final metrics", "", "| metric | value |", "|---|---|"]
    md += [f"| `{k}` | {_fmt(v)} |" for k, v in summary.items() if not isinstance(v, (dict, list))]
    md += ["", "## Curves", ""] + [f"![{p.stem}](plots/{p.name})" for p in plots]
    md += ["", "## Sample generations", ""]
    for g in generations:
        md += [f"- **{g['prompt']}** {g['completion']!r}"]
    md += ["", "## Config", "", "```yaml", config_yaml.rstrip(), "```", ""]
    (run_dir / "report.md").write_text("\n".join(md))

    rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(_fmt(v))}</td></tr>"
                   for k, v in summary.items() if not isinstance(v, (dict, list)))
    imgs = "".join(f'<figure><img alt="{p.stem}" src="data:image/png;base64,'
                   f'{base64.b64encode(p.read_bytes()).decode()}"><figcaption>{p.stem}</figcaption></figure>'
                   for p in plots)
    gens = "".join(f"<li><b>{html.escape(g['prompt'])}</b> {html.escape(g['completion'])}</li>" for g in generations)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(name)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 8px}}
figure{{display:inline-block;margin:0 1em 1em 0}}img{{max-width:460px}}pre{{background:#f6f6f6;padding:1em;overflow:auto}}</style>
</head><body><h1>Run report: {html.escape(name)}</h1>
<h2>Final metrics</h2><table id="metrics"><tr><th>metric</th><th>value</th></tr>{rows}</table>
<h2>Curves</h2>{imgs}<h2>Sample generations</h2><ul>{gens}</ul>
<h2>Config</h2><pre>{html.escape(config_yaml)}</pre></body></html>"""
    (run_dir / "report.html").write_text(page)
