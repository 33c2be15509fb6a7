"""Curation throughput per core: each filter step, the default phase-1 chain, and the dedup steps.

Documents are ~300-word prose docs of the synthetic world (``doc_min_words=300``, story /
encyclopedia / dialog) with its noise, toxicity, PII and duplicate knobs on, so the filters see a
realistic mix. Every arm runs in this one process over the same in-memory documents (reading and
writing JSONL excluded; ``--e2e`` adds a full ``curate()`` run from disk), repeated ``--rounds``
times; the report gives the median docs/s and MB/s (UTF-8 text) per core.

    python benchmarks/curation.py [--docs 2000] [--rounds 3] [--e2e] [--workers 1]

Prints one JSON object. A datatrove comparison runs only if ``datatrove`` (and spaCy, which its
English word tokenizer needs) are importable; otherwise the output says so.
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
    """Median docs/s and MB/s of running ``steps`` (fresh copies) over ``docs``."""
    mb = sum(len(d["text"].encode("utf-8")) for d in docs) / 1e6
    times = []
    for _ in range(rounds):
        fresh = copy.deepcopy(docs)
        chain = [s() if callable(s) and isinstance(s, type) else s for s in steps]
        start = time.perf_counter()
        it = iter(fresh)
        for step in chain:
            it = step(it, StepStats())
        kept = sum(1 for _ in it)
        times.append(time.perf_counter() - start)
        steps = [type(s)(s.cfg) for s in chain]  # dedup state must not carry over rounds
    t = statistics.median(times)
    return {"docs_per_s": round(len(docs) / t), "mb_per_s": round(mb / t, 3), "kept": kept}


def datatrove_note() -> dict:
    try:
        import datatrove  # noqa: F401
        import spacy  # noqa: F401
    except ImportError as e:
        return {"skipped": f"datatrove comparison not run ({e.name} not installed; pip install "
                           "datatrove spacy orjson to add it)"}
    return {"skipped": "datatrove is importable, but the comparison arm is not implemented yet"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--e2e", action="store_true", help="also time curate() from JSONL on disk")
    ap.add_argument("--workers", type=int, default=1, help="workers for --e2e")
    args = ap.parse_args()

    world = TextWorld(world_config(args.docs))
    docs = list(world.documents("train"))
    words = statistics.mean(len(d["text"].split()) for d in docs)
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
           "python": platform.python_version(), "arms": arms, "datatrove": datatrove_note()}
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
