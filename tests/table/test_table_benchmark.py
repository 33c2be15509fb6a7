"""benchmarks/table_throughput.py: both arms take real UniTabE steps in-process (seconds)."""

import importlib.util
from pathlib import Path

from pretrainlab.worlds.table import TableWorldConfig, build_table_world

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "table_throughput.py"


def test_benchmark_arms_step():
    spec = importlib.util.spec_from_file_location("bench_table", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = build_table_world(TableWorldConfig(n_pretrain_tables=3, pretrain_rows=16, n_downstream_tables=1,
                                              downstream_train_rows=8, downstream_test_rows=8))
    for fusion in (True, False):
        arm = bench.Arm(data, "test", 8, fusion)
        before = arm.model.cls.detach().clone()
        assert arm.run(2) > 0 and arm.step == 2
        assert not arm.model.cls.detach().equal(before)  # the encoder trained
