"""``curation_report.json`` / ``.md``: what each step did, and how well, against ground truth.

Per step: documents seen, kept, dropped by reason, modified by reason, skipped by domain. When the
documents carry the synthetic world's labels (``meta.noise``, ``toxic``, ``dup_of``, ``pii``), each
step is also scored against its ``target`` label. A filter "predicts noise" when it drops a
document:

* ``precision`` = dropped docs with the target label / dropped docs;
* ``recall`` = dropped target docs / target docs that reached the step (``recall_of_input``:
  / target docs in the pipeline input; a doc removed earlier cannot be caught later);
* ``recall_by_noise``: the same per noise type; ``drop_rate_clean``: collateral damage, the share
  of clean docs (not noisy, toxic or duplicate) dropped, per domain;
* dedup also gets ``cluster_precision``/``cluster_recall``: a drop is right when an earlier
  document of the same ground-truth cluster (``dup_of`` or own ``id``) was seen, whichever copy
  came first; recall is over such redundant documents;
* ``modified_by_noise``: share of noisy docs of each type the step *repaired* instead (e.g. C4
  removing boilerplate policy lines);
* ``pii`` (masking): ``value_recall`` = share of ``meta.pii_values`` no longer in the text,
  ``doc_precision`` = share of modified docs that had PII.

Filters target ``noisy``, ``toxicity`` targets ``toxic``, dedup targets ``dup`` (``meta.dup_of``;
a copy whose original was dropped earlier is kept, and counts as a miss). The pipeline section
sums all steps: overall recall per label and noise type, which step caught what, and collateral
damage per domain.
"""

from __future__ import annotations

import json
from pathlib import Path

from pretrainlab.config import to_dict
from pretrainlab.data.curate.base import StepStats
from pretrainlab.data.curate.pipeline import STEPS, PipelineConfig

TARGETS = ("noisy", "toxic", "dup")


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def merged_stats(result: dict) -> dict[str, StepStats]:
    """Step stats summed over shard markers (phase 1) plus the global marker (phase 2)."""
    stats = {s.key: StepStats() for s in result["specs"]}
    for marker in result["markers"]:
        for key, data in marker["steps"].items():
            if key in stats:
                stats[key].merge(StepStats.from_dict(data))
    for key, data in ((result["global"] or {}).get("steps") or {}).items():
        stats[key].merge(StepStats.from_dict(data))
    return stats


def step_scores(stats: StepStats, target: str | None) -> dict:
    """Ground-truth metrics of one step (empty when its documents carry no labels)."""
    seen, dropped = stats.labels.get("in", {}), stats.labels.get("dropped", {})
    if not seen.get("all"):
        return {}
    out: dict = {"labelled": seen["all"], "target": target}
    if target in TARGETS:
        tp = dropped.get(target, 0)
        out.update(precision=_ratio(tp, dropped.get("all", 0)), recall=_ratio(tp, seen.get(target, 0)),
                   tp=tp, fp=dropped.get("all", 0) - tp, fn=seen.get(target, 0) - tp)
    if target == "dup" and "gt_redundant" in stats.counters:
        c = stats.counters
        out.update(cluster_precision=_ratio(c.get("gt_dropped_redundant", 0), stats.n_dropped),
                   cluster_recall=_ratio(c.get("gt_dropped_redundant", 0), c["gt_redundant"]))
    if target == "pii":
        modified, c = stats.labels.get("modified", {}), stats.counters
        out.update(value_recall=_ratio(c.get("pii_values_masked", 0), c.get("pii_values_total", 0)),
                   doc_recall=_ratio(modified.get("pii", 0), seen.get("pii", 0)),
                   doc_precision=_ratio(modified.get("pii", 0), modified.get("all", 0)))
    out["recall_by_noise"] = {k[6:]: _ratio(dropped.get(k, 0), n)
                              for k, n in sorted(seen.items()) if k.startswith("noise:")}
    modified = stats.labels.get("modified", {})
    out["modified_by_noise"] = {k[6:]: _ratio(modified.get(k, 0), n) for k, n in sorted(seen.items())
                                if k.startswith("noise:") and modified.get(k)}
    out["drop_rate_clean"] = {k[6:]: _ratio(dropped.get(k, 0), n)
                              for k, n in sorted(seen.items()) if k.startswith("clean:")}
    return out


def pipeline_scores(result: dict, stats: dict[str, StepStats]) -> dict:
    """Whole-pipeline recall per label and noise type, who caught what, collateral damage."""
    first = stats[result["specs"][0].key].labels.get("in", {})
    if not first.get("all"):
        return {}
    dropped: dict[str, int] = {}
    caught: dict[str, dict[str, int]] = {}
    for key, st in stats.items():
        for label, n in st.labels.get("dropped", {}).items():
            dropped[label] = dropped.get(label, 0) + n
            if n and (label.startswith(("noise:", "clean:")) or label in TARGETS):
                caught.setdefault(label, {})[key] = n
    bad = dropped.get("all", 0) - dropped.get("clean", 0)
    return {
        "labelled": first["all"],
        "input": {k: first.get(k, 0) for k in ("noisy", "toxic", "dup", "pii", "clean")},
        "removal_precision": _ratio(bad, dropped.get("all", 0)),
        "recall": {t: _ratio(dropped.get(t, 0), first.get(t, 0)) for t in TARGETS},
        "recall_by_noise": {k[6:]: _ratio(dropped.get(k, 0), n)
                            for k, n in sorted(first.items()) if k.startswith("noise:")},
        "drop_rate_clean": {k[6:]: _ratio(dropped.get(k, 0), n)
                            for k, n in sorted(first.items()) if k.startswith("clean:")},
        "caught_by": caught,
    }


def build_report(cfg: PipelineConfig, result: dict) -> dict:
    """The report dict (see the module docstring)."""
    stats = merged_stats(result)
    read: dict = {"files": 0, "documents": 0, "skipped": 0, "skipped_reasons": {}, "examples": []}
    for marker in result["markers"]:
        rs = marker["read_stats"]
        for k in ("files", "documents", "skipped"):
            read[k] += rs.get(k, 0)
        for reason, n in rs.get("skipped_reasons", {}).items():
            read["skipped_reasons"][reason] = read["skipped_reasons"].get(reason, 0) + n
        read["examples"] += rs.get("examples", [])[: max(0, 10 - len(read["examples"]))]
    docs_out = (result["global"]["docs_out"] if result["global"]
                else sum(m["docs_out"] for m in result["markers"]))
    steps, dropped_total = [], {}
    for spec in result["specs"]:
        st, cls = stats[spec.key], STEPS[spec.name]
        for reason, n in st.dropped.items():
            dropped_total[reason] = dropped_total.get(reason, 0) + n
        steps.append({"key": spec.key, "name": spec.name, "params": spec.params,
                      "phase": 1 if spec.key in result["phase1_keys"] else 2, "seen": st.seen,
                      "kept": st.kept, "dropped_total": st.n_dropped, "dropped": st.dropped,
                      "docs_modified": st.docs_modified, "modified": st.modified,
                      "skipped_domain": st.skipped_domain, "counters": st.counters, "info": st.info,
                      "scores": step_scores(st, cls.target)})
    return {
        "config": to_dict(cfg),
        "input": {"shards": len(result["shards"]), **read,
                  "failed_shards": [{"shard": f["shard"], "error": f["failed"]}
                                    for f in result["failed"]]},
        "output": {"documents": docs_out, "kept_frac": _ratio(docs_out, read["documents"]),
                   "shards_dir": str(Path(cfg.output) / "shards")},
        "runner": {"shards_run": result["ran"],
                   "shards_reused": len(result["markers"]) - len(result["ran"]),
                   "global_ran": result.get("global_ran")},
        "steps": steps,
        "totals": {"dropped": sum(dropped_total.values()), "dropped_by_reason": dropped_total},
        "ground_truth": pipeline_scores(result, stats),
    }


def write_report(report: dict, out_dir: str | Path) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "curation_report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "curation_report.md").write_text(render_markdown(report), encoding="utf-8")


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _reasons(counts: dict[str, int], top: int = 4) -> str:
    items = sorted(counts.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v}" for k, v in items[:top]) + (" ..." if len(items) > top else "")


def render_markdown(report: dict) -> str:
    inp, outp = report["input"], report["output"]
    lines = ["# Curation report", "",
             f"Input: {inp['documents']} documents in {inp['shards']} shards; output: "
             f"{outp['documents']} documents ({_pct(outp['kept_frac'])} kept).", "",
             "| step | phase | seen | dropped | modified | other domain | drop reasons | "
             "modify reasons |", "|---|---|---|---|---|---|---|---|"]
    for s in report["steps"]:
        lines.append(f"| {s['key']} | {s['phase']} | {s['seen']} | {s['dropped_total']} | "
                     f"{s['docs_modified']} | {s['skipped_domain']} | {_reasons(s['dropped'])} | "
                     f"{_reasons(s['modified'])} |")
    lines += _ground_truth_md(report)
    if inp["skipped"] or inp["failed_shards"]:
        lines += ["", "## Input problems", "",
                  f"Skipped {inp['skipped']} items: {_reasons(inp['skipped_reasons'], 10)}."]
        lines += [f"- {e}" for e in inp["examples"]]
        lines += [f"- FAILED shard {f['shard']}: {f['error']}" for f in inp["failed_shards"]]
    return "\n".join(lines) + "\n"


def _ground_truth_md(report: dict) -> list[str]:
    gt = report["ground_truth"]
    if not gt:
        return []
    lines = ["", "## Against ground truth (world labels)", "",
             f"Labelled input: {gt['input']}. Share of removed docs that were noisy, toxic or "
             f"duplicate: {_pct(gt['removal_precision'])}. Overall recall: "
             + ", ".join(f"{t} {_pct(r)}" for t, r in gt["recall"].items()) + ".", "",
             "| step | target | precision | recall | recall by noise type | clean drop rate | "
             "modified by noise type |", "|---|---|---|---|---|---|---|"]
    for s in report["steps"]:
        sc = s["scores"]
        if not sc:
            continue
        if sc["target"] == "pii":
            p, r = sc["doc_precision"], sc["value_recall"]
        else:
            p, r = sc.get("precision"), sc.get("recall")
        by_noise = ", ".join(f"{k} {_pct(v)}" for k, v in sc["recall_by_noise"].items() if v)
        clean = ", ".join(f"{k} {_pct(v)}" for k, v in sc["drop_rate_clean"].items() if v)
        target = sc["target"] or "-"
        if "cluster_precision" in sc:
            target += (f" (cluster P {_pct(sc['cluster_precision'])}, "
                       f"R {_pct(sc['cluster_recall'])})")
        fixed = ", ".join(f"{k} {_pct(v)}" for k, v in sc["modified_by_noise"].items())
        lines.append(f"| {s['key']} | {target} | {_pct(p)} | {_pct(r)} | "
                     f"{by_noise or '-'} | {clean or '-'} | {fixed or '-'} |")
    lines += ["", "| noise type | recall | caught by |", "|---|---|---|"]
    for kind, r in gt["recall_by_noise"].items():
        lines.append(f"| {kind} | {_pct(r)} | {_reasons(gt['caught_by'].get('noise:' + kind, {}))} |")
    lines += ["", "Collateral damage (clean docs dropped, by domain):", "",
              "| domain | drop rate | by step |", "|---|---|---|"]
    for dom, r in gt["drop_rate_clean"].items():
        lines.append(f"| {dom} | {_pct(r)} | {_reasons(gt['caught_by'].get('clean:' + dom, {}))} |")
    return lines
