"""Curation throughput per core: each filter step, the default phase-1 chain, and the dedup steps.

Documents are ~300-word prose docs of the synthetic world (``doc_min_words=300``, story /
encyclopedia / dialog) with its noise, toxicity, PII and duplicate knobs on, so the filters see a
realistic mix. Every arm runs in this one process over the same in-memory documents (reading and
writing JSONL excluded; ``--e2e`` adds a full ``curate()`` run from disk), repeated ``--rounds``
times; the report gives the median docs/s and MB/s (UTF-8 text) per CPU second of this process
(one core; robust to other load on the machine).

    python benchmarks/curation.py [--docs 2000] [--rounds 3] [--e2e] [--workers 1]

Prints one JSON object.

Side by side with datatrove 0.10.1 (``pip install 'pretrainlab[bench]'``: datatrove, spaCy and
orjson for its English word tokenizer, which is ``spacy.blank("en")``, so nothing is downloaded;
without them that half is skipped with a message). On the same documents, one core, ``--rounds``
repeats alternating the two tools. Times are CPU seconds of this process (``time.process_time``:
the shared 2-core box runs other work, so wall time mostly measures waiting; wall-clock rates are
reported too). Medians over rounds; ``speedup`` = datatrove time / our time, per round:

* filters: Gopher repetition -> Gopher quality -> C4 -> FineWeb, every threshold at datatrove's
  defaults on both sides (our steps' defaults are datatrove's); scored against ``meta.noise``;
* MinHash dedup: datatrove's 4 stages (signatures, buckets, clusters, filter; its files in a temp
  dir) vs our ``minhash_dedup`` (datasketch), both 5-gram shingles, 14 bands x 8 rows; scored
  against ``meta.dup_of``.

Precision = dropped docs that carry the label / dropped docs; recall = labelled docs dropped /
labelled docs. Docs/s and MB/s count every input document and its UTF-8 bytes.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from pretrainlab.data.curate import EXAMPLE_PIPELINE, STEPS, curate
from pretrainlab.data.curate.base import StepStats
from pretrainlab.data.curate.pipeline import build_steps, parse_steps, phases
from pretrainlab.worlds.text import TextWorld, TextWorldConfig, write_world

PROSE = {"story": 1.0, "encyclopedia": 1.0, "dialog": 1.0}


def world_config(n_docs: int) -> TextWorldConfig:
    return TextWorldConfig(n_docs=n_docs, n_people=300, mix=PROSE, doc_min_words=300,
                           noise_rate=0.1, toxicity_rate=0.03, pii_rate=0.02, dup_rate=0.03,
                           near_dup_rate=0.03)


def time_steps(steps, docs: list[dict], rounds: int) -> dict:
    """Median docs/s and MB/s per CPU second of running ``steps`` (fresh copies) over ``docs``."""
    mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    times = []
    for _ in range(rounds):
        fresh = copy.deepcopy(docs)
        chain = [s() if callable(s) and isinstance(s, type) else s for s in steps]
        start = time.process_time()
        it = iter(fresh)
        for step in chain:
            it = step(it, StepStats())
        kept = sum(1 for _ in it)
        times.append(time.process_time() - start)
        steps = [type(s)(s.cfg) for s in chain]  # dedup state must not carry over rounds
    t = statistics.median(times)
    return {"docs_per_s": round(len(docs) / t), "mb_per_s": round(mb / t, 3), "kept": kept}


FILTER_CHAIN = ("gopher_repetition", "gopher_quality", "c4", "fineweb")


def missing_datatrove() -> str | None:
    """Why the datatrove half cannot run (None when it can)."""
    for module in ("datatrove", "spacy", "orjson", "xxhash"):
        try:
            __import__(module)
        except ImportError:
            return (f"datatrove comparison skipped: {module} is not installed "
                    "(pip install 'pretrainlab[bench]')")
    return None


def scores(docs: list[dict], kept_ids: set[str], label) -> dict:
    """Precision and recall of the dropped documents against ``label(meta)`` (truthy = should go),
    with recall per label value."""
    dropped = [d["meta"] for d in docs if d["meta"]["id"] not in kept_ids]
    positives = [d["meta"] for d in docs if label(d["meta"])]
    tp = sum(1 for m in dropped if label(m))
    by_value: dict[str, list[int]] = {}
    for m in positives:
        by_value.setdefault(str(label(m)), [0, 0])[1] += 1
        by_value[str(label(m))][0] += m["id"] not in kept_ids
    return {"dropped": len(dropped), "labelled": len(positives),
            "precision": round(tp / max(len(dropped), 1), 4),
            "recall": round(tp / max(len(positives), 1), 4),
            "recall_by_label": {k: round(a / b, 4) for k, (a, b) in sorted(by_value.items())}}


def clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def elapsed(start: tuple[float, float]) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds) since ``start``."""
    return time.process_time() - start[0], time.perf_counter() - start[1]


def ours_once(step_names: tuple[str, ...], docs: list[dict]) -> tuple[tuple[float, float], set[str]]:
    fresh = copy.deepcopy(docs)
    it = iter(fresh)
    chain = [STEPS[name]() for name in step_names]
    start = clock()
    for step in chain:
        it = step(it, StepStats())
    kept = {d["meta"]["id"] for d in it}
    return elapsed(start), kept


def datatrove_filters_once(docs: list[dict]) -> tuple[tuple[float, float], set[str]]:
    from datatrove.data import Document
    from datatrove.pipeline.filters import (C4QualityFilter, FineWebQualityFilter, GopherQualityFilter,
                                            GopherRepetitionFilter)

    fresh = [Document(text=d["text"], id=d["meta"]["id"]) for d in docs]
    chain = [GopherRepetitionFilter(), GopherQualityFilter(), C4QualityFilter(), FineWebQualityFilter()]
    start = clock()
    it = iter(fresh)
    for step in chain:
        it = step.run(it, 0, 1)
    kept = {d.id for d in it}
    return elapsed(start), kept


def datatrove_minhash_once(docs: list[dict]) -> tuple[tuple[float, float], set[str]]:
    from datatrove.data import Document
    from datatrove.pipeline.dedup.minhash import (MinhashConfig, MinhashDedupBuckets, MinhashDedupCluster,
                                                  MinhashDedupFilter, MinhashDedupSignature)

    cfg = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8)
    fresh = [Document(text=d["text"], id=d["meta"]["id"]) for d in docs]
    with tempfile.TemporaryDirectory() as tmp:
        start = clock()
        MinhashDedupSignature(output_folder=f"{tmp}/sigs", config=cfg).run(iter(fresh), 0, 1)
        buckets = MinhashDedupBuckets(input_folder=f"{tmp}/sigs", output_folder=f"{tmp}/buckets", config=cfg)
        for rank in range(cfg.num_buckets):  # one bucket per task, run one after the other
            buckets.run(None, rank, cfg.num_buckets)
        MinhashDedupCluster(input_folder=f"{tmp}/buckets", output_folder=f"{tmp}/remove", config=cfg).run()
        kept = {d.id for d in MinhashDedupFilter(input_folder=f"{tmp}/remove").run(iter(fresh), 0, 1)}
        return elapsed(start), kept


def side_by_side(docs: list[dict], rounds: int) -> dict:
    """Our steps vs datatrove on ``docs`` (see the module docstring)."""
    reason = missing_datatrove()
    if reason:
        return {"skipped": reason}
    import datatrove.pipeline.dedup.minhash  # noqa: F401 - datatrove adds its log sink on import
    from loguru import logger

    logger.remove()  # datatrove logs every step at INFO
    from importlib.metadata import version

    mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    tasks = {
        "filters": (lambda: ours_once(FILTER_CHAIN, docs), lambda: datatrove_filters_once(docs),
                    lambda m: m.get("noise")),
        "minhash_dedup": (lambda: ours_once(("minhash_dedup",), docs), lambda: datatrove_minhash_once(docs),
                          lambda m: m.get("dup_kind") if m.get("dup_of") is not None else None),
    }
    ours_once(FILTER_CHAIN, docs[:20]), datatrove_filters_once(docs[:20])  # warm up (spaCy load)
    out: dict = {"datatrove_version": version("datatrove"), "rounds": rounds}
    for task, (ours, theirs, label) in tasks.items():
        times: dict[str, list[tuple[float, float]]] = {"pretrainlab": [], "datatrove": []}
        kept: dict[str, set[str]] = {}
        for r in range(rounds):  # alternate which tool goes first
            order = [("pretrainlab", ours), ("datatrove", theirs)][:: 1 if r % 2 == 0 else -1]
            for tool, fn in order:
                t, kept[tool] = fn()
                times[tool].append(t)
        res = {}
        for tool, ts in times.items():
            cpu, wall = statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts)
            res[tool] = {"docs_per_s": round(len(docs) / cpu, 1), "mb_per_s": round(mb / cpu, 3),
                         "docs_per_s_wall": round(len(docs) / wall, 1),
                         "cpu_seconds": [round(t[0], 3) for t in ts], "kept": len(kept[tool]),
                         **scores(docs, kept[tool], label)}
        res["docs_decided_differently"] = len(kept["pretrainlab"] ^ kept["datatrove"])
        ratios = [b[0] / a[0] for a, b in zip(times["pretrainlab"], times["datatrove"])]
        res["speedup_ours_vs_datatrove"] = round(statistics.median(ratios), 2)
        res["speedup_per_round"] = [round(x, 2) for x in ratios]
        res["speedup_wall"] = round(statistics.median(b[1] / a[1] for a, b in zip(times["pretrainlab"],
                                                                                  times["datatrove"])), 2)
        out[task] = res
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--e2e", action="store_true", help="also time curate() from JSONL on disk")
    ap.add_argument("--workers", type=int, default=1, help="workers for --e2e")
    ap.add_argument("--only-compare", action="store_true", help="only the side-by-side with datatrove")
    args = ap.parse_args()

    world = TextWorld(world_config(args.docs))
    docs = list(world.documents("train"))
    words = statistics.mean(len(d["text"].split()) for d in docs)
    if args.only_compare:
        print(json.dumps({"docs": len(docs), "mean_words_per_doc": round(words, 1),
                          "datatrove": side_by_side(docs, args.rounds)}, indent=2))
        return
    pipeline = yaml.safe_load(EXAMPLE_PIPELINE)
    specs = parse_steps(pipeline["steps"])
    local, global_ = phases(specs)
    arms: dict[str, dict] = {}
    for name in ("normalize", "gopher_repetition", "gopher_quality", "c4", "fineweb", "pii"):
        arms[name] = time_steps([STEPS[name]()], docs, args.rounds)
    arms["default_filters_phase1"] = time_steps(build_steps(local), docs, args.rounds)
    arms["exact_dedup"] = time_steps([STEPS["exact_dedup"]()], docs, args.rounds)
    try:
        arms["minhash_dedup_14x8"] = time_steps([STEPS["minhash_dedup"]()], docs, args.rounds)
        arms["default_dedup_phase2"] = time_steps(build_steps(global_), docs, args.rounds)
    except Exception as e:  # noqa: BLE001 - datasketch missing: say so in the output
        arms["minhash_dedup_14x8"] = {"skipped": str(e)}
    out = {"docs": len(docs), "mean_words_per_doc": round(words, 1),
           "note": "single process, in-memory; docs/s and MB/s are per core",
           "python": platform.python_version(), "arms": arms, "datatrove": side_by_side(docs, args.rounds)}
    if args.e2e:
        with tempfile.TemporaryDirectory() as tmp:
            write_world(world_config(args.docs), Path(tmp) / "world", docs_per_shard=500)
            start = time.perf_counter()
            curate({**pipeline, "input": f"{tmp}/world/train", "output": f"{tmp}/out",
                    "workers": args.workers})
            t = time.perf_counter() - start
        out["e2e_curate"] = {"workers": args.workers, "seconds": round(t, 2),
                             "docs_per_s": round(len(docs) / t)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
