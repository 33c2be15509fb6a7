"""Re-judge recipes one after another (nothing else timed beside them) and archive each verdict.

    .venv/bin/python scripts/verdict_queue.py --size tiny rewarm spt ...   # default: every paper recipe

Each recipe runs ``pretrainlab reproduce RECIPE --size SIZE --out runs/verdicts/RECIPE-SIZE`` (finished runs
are reused, so the queue resumes after an interruption), then ``pretrainlab verdicts archive`` with its wall
time. A failed recipe is reported and the queue goes on. ``--plan`` prints the jobs per recipe and stops.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    from pretrainlab.experiments.config import build_experiment
    from pretrainlab.experiments.plan import build_plan
    from pretrainlab.recipes import RECIPES, recipe_experiment

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recipes", nargs="*", help="recipes in order (default: every registered paper recipe)")
    ap.add_argument("--size", default="tiny", choices=["tiny", "full"])
    ap.add_argument("--out", default=str(REPO / "runs" / "verdicts"))
    ap.add_argument("--plan", action="store_true", help="print the number of runs per recipe and stop")
    args = ap.parse_args()
    names = args.recipes or [n for n, m in RECIPES.items() if hasattr(m, "experiment")]
    total = 0
    for name in names:
        exp = build_experiment(recipe_experiment(name, args.size))
        jobs = len(build_plan(exp, Path(args.out) / f"{name}-{args.size}").jobs)
        total += jobs
        print(f"{name}: {jobs} runs, {len(exp.seeds)} seeds, {len(exp.claims)} claims", flush=True)
    print(f"total: {total} runs", flush=True)
    if args.plan:
        return 0
    failed = []
    for name in names:
        out = Path(args.out) / f"{name}-{args.size}"
        start = time.time()
        print(f"== {name} ({args.size}) -> {out}", flush=True)
        rc = subprocess.call([sys.executable, "-m", "pretrainlab.cli", "reproduce", name, "--size", args.size,
                              "--out", str(out)])
        minutes = (time.time() - start) / 60
        print(f"== {name}: exit {rc} after {minutes:.1f} min", flush=True)
        if rc != 0:
            failed.append(name)
            continue
        subprocess.call([sys.executable, "-m", "pretrainlab.cli", "verdicts", "archive", str(out), "--recipe", name,
                         "--size", args.size, "--wall-minutes", f"{minutes:.1f}"])
    print(f"failed: {failed}" if failed else "all archived", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
