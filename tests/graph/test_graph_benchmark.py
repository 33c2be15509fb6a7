"""benchmarks/graph_throughput.py: the dense-adjacency baseline computes the same GIN as the sparse one, and
both arms train."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

from pretrainlab.worlds.graph import GraphWorldConfig, build_graph_world

BENCH = Path(__file__).parents[2] / "benchmarks" / "graph_throughput.py"


def test_dense_baseline_matches_sparse_gin_and_trains():
    spec = importlib.util.spec_from_file_location("bench_graph", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    world = build_graph_world(GraphWorldConfig(n_train=4, n_val=4, n_test=4, n_pool=16, n_pool_val=4, n_sup=4,
                                               n_sup_val=4))
    batches = mod.make_batches(world, 8, 2)
    sparse, dense = mod.Arm("sparse", "test", world, batches), mod.Arm("dense", "test", world, batches)
    with torch.no_grad():
        assert torch.allclose(sparse.embed(batches[0]), dense.embed(batches[0]), atol=1e-4)
    before = dense.head.weight.clone()
    assert dense.run(1) > 0 and sparse.run(1) > 0
    assert not torch.equal(before, dense.head.weight)
