"""Graphon estimates and topology (eval/graph/graphon.py): degree sorting, the aligned step function, the SAS
estimate on hand-made graphs, topological statistics by hand, and the seeded k-means."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.eval.graph.graphon import STAT_NAMES, aligned, kmeans, sas_graphon, sorted_adjacency, topo_stats

STAR = (4, np.array([[1, 0], [1, 2], [1, 3]]))           # hub = node 1
TRIANGLE = (3, np.array([[0, 1], [1, 2], [2, 0]]))
PATH4 = (4, np.array([[0, 1], [1, 2], [2, 3]]))


def test_sorted_adjacency_puts_the_hub_first():
    a = sorted_adjacency(*STAR)
    assert a[0].tolist() == [0, 1, 1, 1] and a[1:, 1:].sum() == 0


def test_aligned_single_edge_by_hand():
    got = aligned(2, np.array([[0, 1]]), 4)
    want = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]])
    assert np.array_equal(got, want)


def test_sas_graphon_by_hand():
    # an edge and an empty pair of nodes: the mean step function is half the edge's
    one_edge, no_edge = (2, np.array([[0, 1]])), (2, np.zeros((0, 2), dtype=np.int64))
    assert sas_graphon([one_edge, no_edge], resolution=4, blocks=2) == pytest.approx(np.array([[0, 0.5], [0.5, 0]]))
    # complete graphs K_n: 1 off the diagonal; blocks average the zero diagonal cells of each graph
    w = sas_graphon([(6, np.array([(i, j) for i in range(6) for j in range(i + 1, 6)]))], resolution=6, blocks=3)
    assert w == pytest.approx(np.array([[0.5, 1, 1], [1, 0.5, 1], [1, 1, 0.5]]))
    with pytest.raises(ValueError, match="multiple"):
        sas_graphon([one_edge], resolution=10, blocks=3)


def test_topo_stats_by_hand():
    s = dict(zip(STAT_NAMES, topo_stats(*TRIANGLE)))
    assert s == pytest.approx({"nodes": 3, "mean_degree": 2, "degree_std": 0, "density": 1, "cycle_rank": 1,
                               "ring_share": 1, "clustering": 1})
    s = dict(zip(STAT_NAMES, topo_stats(*PATH4)))
    assert s == pytest.approx({"nodes": 4, "mean_degree": 1.5, "degree_std": 0.5, "density": 0.5, "cycle_rank": 0,
                               "ring_share": 0, "clustering": 0})
    two_parts = (5, np.array([[0, 1], [1, 2], [2, 0], [3, 4]]))  # a triangle and an edge: 4 - 5 + 2 = 1 cycle
    assert dict(zip(STAT_NAMES, topo_stats(*two_parts)))["cycle_rank"] == 1


def test_kmeans_finds_separated_groups_and_is_seeded():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (20, 2)), rng.normal([0, 9], 0.1, (25, 2))])
    labels = kmeans(x, 3, seed=1)
    assert labels[0] == 0 and len(set(labels[:30])) == 1 and len(set(labels[30:50])) == 1
    assert len(set(labels[50:])) == 1 and len(set(labels)) == 3
    assert np.array_equal(labels, kmeans(x, 3, seed=1))
    assert kmeans(np.ones((5, 2)), 3).tolist() == [0] * 5  # k capped at the distinct rows
