"""The molecule-like graph world: determinism, shapes, the scaffold split, motif switch, rules, cache."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from pretrainlab.worlds.graph import GraphSet, GraphWorldConfig, build_graph_world, collate
from pretrainlab.worlds.graph.chemistry import BR, CL, F, MOTIFS, P
from pretrainlab.worlds.graph.molecules import rule_labels
from pretrainlab.worlds.graph.scaffold import scaffold_key, scaffold_split

SMALL = dict(n_train=60, n_val=20, n_test=30, n_pool=50, n_pool_val=10, n_sup=40, n_sup_val=10, n_tasks=6)


@pytest.fixture(scope="module")
def world():
    return build_graph_world(GraphWorldConfig(**SMALL))


def _equal(a: GraphSet, b: GraphSet) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True) for f in fields(GraphSet))


def test_world_is_a_pure_function_of_seed_and_config(world, tmp_path):
    again = build_graph_world(GraphWorldConfig(**SMALL), tmp_path)
    assert all(_equal(world.splits[s], again.splits[s]) for s in world.splits)
    cached = build_graph_world(GraphWorldConfig(**SMALL), tmp_path)  # from graph_molecules_<fp>.npz
    assert list(tmp_path.glob("graph_molecules_*.npz")) and cached.tasks == world.tasks
    assert all(_equal(world.splits[s], cached.splits[s]) for s in world.splits)
    other = build_graph_world(GraphWorldConfig(**SMALL, seed=1))
    assert not np.array_equal(other.splits["train"].node_attr[:50], world.splits["train"].node_attr[:50])


def test_shapes_sizes_and_vocabularies(world):
    cfg = GraphWorldConfig(**SMALL)
    sizes = {"train": 60, "val": 20, "test": 30, "pool": 50, "pool_val": 10, "sup": 40, "sup_val": 10}
    for name, split in world.splits.items():
        assert len(split) == sizes[name]
        n = np.diff(split.node_ptr)
        assert n.min() >= cfg.min_nodes and n.max() <= cfg.max_nodes
        for g in range(len(split)):
            nodes, edges, eattr = split.graph(g)
            assert edges.min() >= 0 and edges.max() < len(nodes) and len(eattr) == len(edges)
        assert (split.node_attr < np.array(world.node_vocab)).all()
        assert (split.edge_attr < np.array(world.edge_vocab)).all()
        assert split.labels.shape == (len(split), len(world.tasks[name]))
    assert world.n_tasks == 6 and len(world.tasks["sup"]) == len(MOTIFS) // 2 + 8  # mixed: motifs + ring properties
    assert np.isnan(world.splits["train"].labels).any()  # missing_rate 0.1


def test_scaffold_split_is_disjoint_and_matches_ring_system_keys(world):
    ids = {s: set(world.splits[s].scaffold.tolist()) for s in world.splits}
    assert not ids["train"] & ids["test"] and not ids["train"] & ids["val"] and not ids["val"] & ids["test"]
    pre = ids["pool"] | ids["sup"] | ids["pool_val"] | ids["sup_val"]
    assert not pre & (ids["train"] | ids["val"] | ids["test"])  # no pretraining graph has a downstream scaffold
    test = world.splits["test"]
    keys = [scaffold_key(*test.graph(g)) for g in range(len(test))]
    by_id = {}
    for k, s in zip(keys, test.scaffold.tolist()):
        by_id.setdefault(s, set()).add(k)
    assert all(len(v) == 1 for v in by_id.values())  # motifs and chains are stripped: one key per scaffold


def test_scaffold_split_puts_the_largest_groups_in_train():
    keys = ["a"] * 6 + ["b"] * 2 + ["c"] + ["d"]
    split = scaffold_split(keys, 0.2, 0.2)
    assert split["train"].tolist() == [0, 1, 2, 3, 4, 5] and split["val"].tolist() == [6, 7]
    assert split["test"].tolist() == [8, 9]


def test_pretraining_pool_without_motifs_has_no_motif_atoms():
    motif_only = [F, CL, BR, P]  # atom types that only functional motifs bring
    on = build_graph_world(GraphWorldConfig(**SMALL)).splits["pool"].node_attr[:, 0]
    off = build_graph_world(GraphWorldConfig(**SMALL, pretrain_motifs=False)).splits["pool"].node_attr[:, 0]
    assert np.isin(on, motif_only).any() and not np.isin(off, motif_only).any()


def test_rules_on_hand_counts():
    counts = np.array([[0, 0], [1, 0], [0, 1], [2, 1]])
    assert rule_labels(("has", 0, 0), counts).tolist() == [0, 1, 0, 1]
    assert rule_labels(("and", 0, 1), counts).tolist() == [0, 0, 0, 1]
    assert rule_labels(("or", 0, 1), counts).tolist() == [0, 1, 1, 1]
    assert rule_labels(("andnot", 0, 1), counts).tolist() == [0, 1, 0, 0]
    assert rule_labels(("two", 0, 0), counts).tolist() == [0, 0, 0, 1]


def test_noise_free_labels_are_complete_and_binary():
    w = build_graph_world(GraphWorldConfig(**SMALL, label_noise=0.0, missing_rate=0.0))
    y = w.splits["train"].labels
    assert not np.isnan(y).any() and set(np.unique(y)) <= {0.0, 1.0}


def test_collate_offsets_and_both_directions(world):
    split = world.splits["train"]
    b = collate(split, np.array([3, 1]))
    n3, n1 = len(split.graph(3)[0]), len(split.graph(1)[0])
    e = len(split.graph(3)[1]) + len(split.graph(1)[1])
    assert b["x"].shape == (n3 + n1, 3) and b["edge_index"].shape == (2, 2 * e)
    assert b["batch"].tolist() == [0] * n3 + [1] * n1
    ei = b["edge_index"]
    assert ei[:, :e].flip(0).tolist() == ei[:, e:].tolist()  # every bond both ways
    assert ei[:, len(split.graph(3)[1]):e].min() >= n3       # the second graph's nodes are offset
    assert b["index"].tolist() == [3, 1]
