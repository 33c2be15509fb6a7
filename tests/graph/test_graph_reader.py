"""User JSONL graphs: a good file becomes a scaffold-split world; every bad line names file, line and fix."""

from __future__ import annotations

import json

import pytest

from pretrainlab.config import ConfigError
from pretrainlab.run_config import build_run_config
from pretrainlab.worlds.graph import GraphReadError, GraphWorldConfig, build_graph_world
from pretrainlab.worlds.graph.reader import read_jsonl


def ring(n: int, atom: int, tail: int, label: int) -> dict:
    """An n-ring of ``atom`` with a ``tail``-atom chain: distinct rings give distinct scaffolds."""
    nodes = [[atom, 0]] * n + [[0, 1]] * tail
    edges = [[i, (i + 1) % n, 1] for i in range(n)] + [[n - 1 + i if i else 0, n + i, 0] for i in range(tail)]
    return {"nodes": nodes, "edges": edges, "labels": [label, None if tail % 2 else 1 - label]}


def write(path, rows) -> str:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return str(path)


def test_good_file_becomes_a_scaffold_split_world(tmp_path):
    rows = [ring(6, 0, t % 3, t % 2) for t in range(12)] + [ring(5, 1, t, t % 2) for t in range(4)] + \
           [ring(4, 2, 1, 1), ring(4, 2, 2, 0), ring(7, 3, 1, 0), ring(7, 3, 2, 1)]
    data = build_graph_world(GraphWorldConfig(kind="jsonl", path=write(tmp_path / "g.jsonl", rows), val_frac=0.2,
                                              test_frac=0.2), tmp_path / "cache")
    assert len(data.splits["train"]) == 12 and len(data.splits["val"]) == 4 and len(data.splits["test"]) == 4
    assert data.node_vocab == [4, 2] and data.edge_vocab == [2] and data.tasks["train"] == ["task0", "task1"]
    assert data.splits["pool"].labels.shape == (12, 0)  # the train graphs, unlabeled
    graphs, labels, _ = read_jsonl(tmp_path / "g.jsonl")
    assert labels.shape == (20, 2) and graphs[0][1].shape == (6, 2)


BAD = [
    ('{"nodes": [[1], [2]], "edges": [[0, 5, 1]], "labels": [1]}',
     r"line 2: edge 0 \[0, 5, 1\] points to node 5, but the graph has 2 nodes \(valid indices 0..1\)"),
    ('{"nodes": [[1], [2]], "edges": [[0, 1, 1]], "labels": [1]', r"line 2: not valid JSON"),
    ('{"nodes": [[1], [2, 3]], "edges": [], "labels": [1]}', r"line 2: node 1 has 2 attributes, expected 1"),
    ('{"nodes": [[1], [2]], "edges": [[0, 1]], "labels": [1, 0]}', r"line 2: 2 labels, expected 1"),
    ('{"nodes": [[1], [2]], "edges": [[1, 1, 0]], "labels": [1]}', r"line 2: edge 0 \[1, 1, 0\] is a self-loop"),
    ('{"nodes": [[1], [2]], "edges": [[0, 1, 0], [1, 0, 1]], "labels": [1]}', r"repeats the edge \[0, 1\] with other"),
    ('{"nodes": [[1], [-2]], "edges": [], "labels": [1]}', r"line 2: node 1 is \[-2\]; expected a non-negative int"),
    ('{"nodes": [[1], [2]], "edges": [[0, 1, 0]], "labels": [2]}', r"'labels' is \[2\]; expected a list of 0, 1"),
    ('{"nodes": [], "edges": [], "labels": [1]}', r"line 2: 'nodes' must be a non-empty list"),
    ('[1, 2]', r"line 2: expected an object"),
]


@pytest.mark.parametrize("line,message", BAD)
def test_bad_lines_name_file_line_and_fix(tmp_path, line, message):
    path = write(tmp_path / "bad.jsonl", [{"nodes": [[0], [1]], "edges": [[0, 1]], "labels": [0]}, line])
    with pytest.raises(GraphReadError, match=message) as e:
        read_jsonl(path)
    assert str(e.value).startswith(f"{path}, line 2")


def test_empty_unlabeled_and_missing_files(tmp_path):
    with pytest.raises(GraphReadError, match="no graphs"):
        read_jsonl(write(tmp_path / "empty.jsonl", []))
    with pytest.raises(GraphReadError, match="line 1: no 'labels'"):
        read_jsonl(write(tmp_path / "nolab.jsonl", [{"nodes": [[0]], "edges": []}]))
    with pytest.raises(GraphReadError, match="no such file"):
        read_jsonl(tmp_path / "nope.jsonl")
    one = write(tmp_path / "one.jsonl", [ring(6, 0, t, 1) for t in range(3)])  # one ring system only
    with pytest.raises(GraphReadError, match=r"scaffold split leaves \['train', 'val'\] empty \(1 distinct"):
        build_graph_world(GraphWorldConfig(kind="jsonl", path=one))


def test_config_errors_name_the_key():
    base = {"modality": "graph"}
    with pytest.raises(ConfigError, match="kind 'jsonl' needs the path"):
        build_run_config({**base, "data": {"world": {"kind": "jsonl"}}})
    with pytest.raises(ConfigError, match="objective.name.*did you mean 'attr_mask'"):
        build_run_config({**base, "objective": {"name": "attr_mask_"}})
    with pytest.raises(ConfigError, match="unknown key 'objective.mask_rat'.*did you mean 'objective.mask_rate'"):
        build_run_config({**base, "objective": {"name": "attr_mask", "mask_rat": 0.2}})
    with pytest.raises(ConfigError, match="graph_supervised' needs labelled graphs.*data.split: sup"):
        build_run_config({**base, "objective": {"name": "graph_supervised"}})
    with pytest.raises(ConfigError, match="model.node_vocab: set by the graph world"):
        build_run_config({**base, "model": {"preset": "test", "node_vocab": [3]}})
    with pytest.raises(ConfigError, match="unknown GIN preset 'huge'"):
        build_run_config({**base, "model": {"preset": "huge"}})
    with pytest.raises(ConfigError, match="unknown key 'model.dimm'"):
        build_run_config({**base, "model": {"dimm": 8}})
    with pytest.raises(ConfigError, match="n_scaffolds=4 leaves no train scaffold"):
        build_run_config({**base, "data": {"world": {"n_scaffolds": 4}}})
