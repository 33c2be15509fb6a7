"""Table pretraining throughput: rows/s of UniTabE steps (masked cells + contrastive views, AdamW) on CPU.

Arms, timed in alternating rounds in one process (shared machines drift; medians are reported):

* ``tabunit``: the TabUnit encoder as trained by the unitabe recipe (column-name fusion on);
* ``no-names``: the same encoder with ``name_fusion=False`` (a column-position embedding instead of
  the column name's tokens), the baseline that isolates the cost of reading column names.

Batches are real rows of the table world (60 pretraining tables, 5-12 columns), gathered as the run's
``get_batch`` does (``data/table_batch.py``), so gathering is part of the time.

    python benchmarks/table_throughput.py [--preset test] [--batch 64] [--steps 20] [--rounds 5] [--threads 2]

Prints one JSON object: rows/s per arm (median over rounds, each round ``--steps`` steps after a warm-up
step) and ``ratio_tabunit_vs_no_names``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np
import torch

from pretrainlab.data.table_batch import batch_seed, gather, sample_rows
from pretrainlab.models.tabunit import TabUnit, TabUnitConfig
from pretrainlab.objectives.unitabe import UniTabE
from pretrainlab.worlds.table import TableWorldConfig, build_table_world


class Arm:
    def __init__(self, data, preset: str, batch: int, name_fusion: bool):
        torch.manual_seed(0)
        self.model = TabUnit(TabUnitConfig.preset(preset, vocab_size=len(data.vocab), name_fusion=name_fusion))
        self.objective = UniTabE(self.model.cfg.dim, len(data.vocab))
        params = [*self.model.parameters(), *self.objective.parameters()]
        self.opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
        self.data, self.batch, self.step = data, batch, 0
        self.pool = np.arange(len(data.pretrain))

    def run(self, steps: int) -> float:
        t0 = time.perf_counter()
        for _ in range(steps):
            rows = sample_rows(0, self.step, self.batch, self.pool)
            batch = {**gather(self.data.pretrain, rows), "rng_seed": batch_seed(0, self.step, 0)}
            loss, _ = self.objective(self.model, batch)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.step += 1
        return steps * self.batch / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="test")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    data = build_table_world(TableWorldConfig(n_pretrain_tables=60, n_downstream_tables=1))
    arms = {"tabunit": Arm(data, args.preset, args.batch, True), "no-names": Arm(data, args.preset, args.batch, False)}
    for arm in arms.values():
        arm.run(1)  # warm-up
    rates: dict[str, list[float]] = {name: [] for name in arms}
    for r in range(args.rounds):
        for name in (list(arms) if r % 2 == 0 else list(reversed(arms))):
            rates[name].append(arms[name].run(args.steps))
    med = {name: statistics.median(v) for name, v in rates.items()}
    print(json.dumps({"benchmark": "table_throughput", "preset": args.preset, "batch": args.batch,
                      "threads": args.threads, "rounds": args.rounds, "steps_per_round": args.steps,
                      "rows_per_s": med, "rows_per_s_all": rates,
                      "ratio_tabunit_vs_no_names": med["tabunit"] / med["no-names"],
                      "params": {n: a.model.num_params() for n, a in arms.items()},
                      "torch": torch.__version__, "machine": platform.machine()}, indent=1))


if __name__ == "__main__":
    main()
