"""Archived verdicts: every recorded verdict as a small JSON file in the repository, and the docs made from them.

``archive(exp_dir, recipe, size)`` copies a finished experiment's ``claims.json`` essentials into
``docs/verdicts/<recipe>-<size>.json``: per-seed metric values, claims with their verdicts and method,
the tally, the git commit and dirty flag, claim and run hashes, machine and date, plus free-text trust
notes. Runs themselves are not kept (they are large); the per-seed values are enough to re-derive every
verdict (``rejudge``).

``docs/recipes.md`` holds three generated blocks between markers, rebuilt by ``render_doc`` (and checked by
a test): the catalog table (``catalog_rows()``), the summary table (one row per recipe: primary claims
held / tested, premises, seeds, trust notes) and the Verdicts tables (one per archived file).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pretrainlab.experiments.claims import judge, recipe_status, tally
from pretrainlab.experiments.report import _md_table, claim_rows

REPO = Path(__file__).resolve().parents[3]
VERDICT_DIR = REPO / "docs" / "verdicts"
DOC = REPO / "docs" / "recipes.md"
BLOCKS = ("catalog", "summary", "verdicts")


def archive(exp_dir: Path, recipe: str, size: str, dest: Path = VERDICT_DIR, notes: str = "",
            wall_minutes: float | None = None) -> Path:
    """Write ``dest/<recipe>-<size>.json`` from a finished experiment directory (atomically)."""
    exp_dir = Path(exp_dir)
    path = exp_dir / "claims.json"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no claims.json; run `pretrainlab reproduce {recipe} --size {size} "
                                f"--out {exp_dir}` first")
    doc = json.loads(path.read_text())
    if "claims_hash" not in doc:
        raise ValueError(f"{path} was written before pre-registration was recorded (no claims_hash); re-run the "
                         f"experiment with this version to archive it")
    keep = ("experiment", "seeds", "planned_seeds", "method", "git", "machine", "claims_hash", "runs_hash", "date",
            "registrations", "tally", "claims")
    out = {"recipe": recipe, "size": size, **{k: doc.get(k) for k in keep}, "status": recipe_status(doc["claims"]),
           "wall_minutes": wall_minutes, "notes": notes}
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"{recipe}-{size}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1, default=str, allow_nan=True) + "\n")
    tmp.replace(target)
    return target


def load(dest: Path = VERDICT_DIR) -> list[dict]:
    """Every archived verdict, sorted by recipe then size (tiny before full)."""
    files = sorted(Path(dest).glob("*.json")) if Path(dest).exists() else []
    docs = [json.loads(f.read_text()) for f in files]
    return sorted(docs, key=lambda d: (d["recipe"], d["size"] != "tiny"))


def rejudge(verdict: dict) -> list:
    """Re-derive the verdicts of an archived file from its per-seed values and claim definitions."""
    from pretrainlab.config import from_dict
    from pretrainlab.experiments.config import ClaimConfig

    fields = set(ClaimConfig.__dataclass_fields__)
    claims, values = [], {}
    for c in verdict["claims"]:
        spec = {k: c[k] for k in ("name", "kind", "metric", "arms", "paper", "role", "requires") if k in c}
        spec.update({k: v for k, v in (c.get("definition") or {}).items() if k in fields})
        claims.append(from_dict(ClaimConfig, spec))
        values[c["name"]] = c["values"]
    return judge(claims, values, verdict["seeds"], verdict.get("planned_seeds") or len(verdict["seeds"]))


def best(verdicts: list[dict]) -> dict[str, dict]:
    """Per recipe, the verdict that sets its status: full if archived, else tiny."""
    out: dict[str, dict] = {}
    for v in verdicts:
        if v["recipe"] not in out or v["size"] == "full":
            out[v["recipe"]] = v
    return out


def _fmt_tally(t: dict, key: str) -> str:
    return f"{t[key]['held']}/{t[key]['tested']}" + (f" ({t[key]['total'] - t[key]['tested']} untestable)"
                                                     if t[key]["total"] > t[key]["tested"] else "")


def summary_table(verdicts: list[dict]) -> str:
    headers = ["recipe", "size", "status", "primary held/tested", "secondary held/tested", "premises held",
               "sanity checks", "seeds", "commit", "trust notes"]
    rows = []
    for v in verdicts:
        t = v["tally"]
        seeds = f"{len(v['seeds'])}/{v.get('planned_seeds') or len(v['seeds'])}"
        commit = (v.get("git") or {}).get("commit") or "?"
        dirty = " (dirty)" if (v.get("git") or {}).get("dirty") else ""
        rows.append([f"`{v['recipe']}`", v["size"], v["status"], _fmt_tally(t, "primary"), _fmt_tally(t, "secondary"),
                     f"{t['premise']['held']}/{t['premise']['total']}", f"{t['sanity']['held']}/{t['sanity']['total']}",
                     seeds, f"`{commit[:8]}`{dirty}", v.get("notes", "")])
    return _md_table(headers, rows) if rows else "_no archived verdicts yet_\n"


def verdict_section(v: dict) -> str:
    commit = (v.get("git") or {}).get("commit") or "?"
    machine = v.get("machine") or {}
    wall = f", {v['wall_minutes']:.0f} min" if isinstance(v.get("wall_minutes"), (int, float)) else ""
    head = (f"### {v['recipe']}: {v['size']} ({len(v['seeds'])} seeds; commit `{commit[:8]}`; "
            f"{machine.get('cores', '?')} cores, {machine.get('gpu', 'CPU')}{wall}; {str(v.get('date', ''))[:10]})")
    lines = [head, "", f"Status **{v['status']}**. Method: {v.get('method', '')}.", ""]
    if v.get("notes"):
        lines += [v["notes"], ""]
    return "\n".join(lines) + "\n" + _md_table(*claim_rows(v["claims"]))


def catalog_table() -> str:
    from pretrainlab.recipes.catalog import catalog_rows

    rows = [[str(r["n"]), r["paper"], f"`{r['recipe']}`", r["claim"], r["status"]] for r in catalog_rows()]
    return _md_table(["#", "paper", "recipe", "claim checked", "status"], rows)


def blocks(dest: Path = VERDICT_DIR) -> dict[str, str]:
    verdicts = load(dest)
    return {"catalog": catalog_table(), "summary": summary_table(verdicts),
            "verdicts": "\n".join(verdict_section(v) for v in verdicts) or "_no archived verdicts yet_\n"}


def render_doc(text: str, dest: Path = VERDICT_DIR) -> str:
    """``text`` with every generated block between its markers replaced."""
    for name, body in blocks(dest).items():
        begin, end = f"<!-- {name}:begin (generated) -->", f"<!-- {name}:end -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise ValueError(f"docs/recipes.md has no block '{begin} ... {end}'")
        text = pattern.sub(lambda _: f"{begin}\n{body.rstrip()}\n{end}", text)
    return text


__all__ = ["archive", "best", "blocks", "load", "recipe_status", "rejudge", "render_doc", "tally"]
