"""Pretraining sources (worlds/graph/families.py) and the run's choice of pretraining graphs
(modalities/graph_sources.py): sources leave the downstream data alone, each family has its structure, the
pool is their union, picks by name / feasibility rank / W2PGNN / random, the JSON cache, config errors, and a
run end to end reporting data/feasibility."""

from __future__ import annotations

import numpy as np
import pytest

import pretrainlab.modalities.graph_sources as gs
from pretrainlab.config import ConfigError
from pretrainlab.eval.graph.feasibility import FeasibilitySettings
from pretrainlab.eval.graph.graphon import STAT_NAMES, graphs_of, topo_stats
from pretrainlab.modalities import metric_names
from pretrainlab.modalities.graph_sources import GraphSourceConfig, choose_pool
from pretrainlab.run.execute import execute
from pretrainlab.run_config import build_run_config
from pretrainlab.worlds.graph import GraphWorldConfig, build_graph_world
from pretrainlab.worlds.graph.families import FAMILIES

SMALL = dict(n_train=30, n_val=10, n_test=10, n_pool=24, n_pool_val=6, n_sup=4, n_sup_val=4, n_tasks=3)
FAST = FeasibilitySettings(resolution=24, blocks=6, clusters=2, select_clusters=4, alpha_steps=10)


@pytest.fixture(scope="module")
def world():
    return build_graph_world(GraphWorldConfig(**SMALL, sources=list(FAMILIES)))


def _stats(split) -> dict:
    return dict(zip(STAT_NAMES, np.mean([topo_stats(n, e) for n, e in graphs_of(split)], axis=0)))


def test_sources_leave_the_downstream_data_alone(world):
    plain = build_graph_world(GraphWorldConfig(**SMALL))
    for split in ("train", "val", "test", "sup"):
        a, b = world.splits[split], plain.splits[split]
        assert np.array_equal(a.node_attr, b.node_attr) and np.array_equal(a.edges, b.edges)
        assert np.array_equal(a.labels, b.labels, equal_nan=True)
    assert world.tasks["train"] == plain.tasks["train"]


def test_each_source_is_its_own_split_and_the_pool_their_union(world):
    assert len(world.splits["pool"]) == 24 * len(FAMILIES) and len(world.splits["pool_val"]) == 6 * len(FAMILIES)
    for f in FAMILIES:
        assert len(world.splits[f"src_{f}"]) == 24 and len(world.splits[f"src_{f}_val"]) == 6
    chains = world.splits["src_chains"]
    pool_g = world.splits["pool"].graph(2 * 24)  # the pool's first chains graph
    assert all(np.array_equal(x, y) for x, y in zip(pool_g, chains.graph(0)))
    # a family's graphs do not depend on the other sources listed
    alone = build_graph_world(GraphWorldConfig(**SMALL, sources=["chains"]))
    assert np.array_equal(alone.splits["src_chains"].edges, chains.edges)


def test_families_have_their_structure(world):
    s = {f: _stats(world.splits[f"src_{f}"]) for f in FAMILIES}
    assert s["chains"]["cycle_rank"] == 0 and s["chains"]["ring_share"] == 0
    assert s["polycyclic"]["cycle_rank"] >= 3 > s["molecules"]["cycle_rank"]
    assert s["random"]["mean_degree"] > 3.5 > 2.5 > s["molecules"]["mean_degree"]
    motif_atoms = lambda split: np.isin(split.node_attr[:, 0], [4, 5, 6, 7]).mean()  # noqa: E731  F Cl Br P
    assert motif_atoms(world.splits["src_bare"]) == 0 < motif_atoms(world.splits["src_molecules"])


def test_unknown_source_names_the_closest_family():
    with pytest.raises(ConfigError, match="unknown source family 'chain'.*did you mean 'chains'"):
        GraphWorldConfig(sources=["chain"]).validate()
    with pytest.raises(ConfigError, match="twice"):
        GraphWorldConfig(sources=["chains", "chains"]).validate()


def _pick(tmp_path, **src):
    """A freshly loaded world (choose_pool replaces its pool) and the info of ``src``'s pick."""
    world = GraphWorldConfig(**SMALL, sources=list(FAMILIES))
    data = build_graph_world(world, tmp_path)
    return data, choose_pool(data, world, GraphSourceConfig(**src, feasibility=FAST), seed=3, root=tmp_path,
                             report=True)


def test_pick_by_rank_takes_the_most_feasible_source_and_caches_scores(tmp_path, monkeypatch):
    data, info = _pick(tmp_path, pick="rank", rank=1)
    scores = gs.source_scores(data, list(FAMILIES), FAST, gs._cache_file(tmp_path, data, FAST))
    best = max(FAMILIES, key=lambda f: scores[f])
    assert info["source_index"] == FAMILIES.index(best) and info["feasibility"] == scores[best]
    assert np.array_equal(data.splits["pool"].edges, data.splits[f"src_{best}"].edges)
    assert np.array_equal(data.splits["pool_val"].edges, data.splits[f"src_{best}_val"].edges)
    monkeypatch.setattr(gs, "feasibility", lambda *a, **k: pytest.fail("scores must come from the cache"))
    _, last = _pick(tmp_path, pick="rank", rank=len(FAMILIES))
    worst = min(FAMILIES, key=lambda f: scores[f])
    assert last["source_index"] == FAMILIES.index(worst) and last["n_pretrain"] == 24


def test_pick_by_name_and_selections(tmp_path):
    data, info = _pick(tmp_path, pick="name", name="random")
    assert info["source_index"] == FAMILIES.index("random")
    data, info = _pick(tmp_path, pick="w2pgnn", size=20)
    assert info == {"source_index": -1, "n_pretrain": 20, "feasibility": info["feasibility"]}
    data2, _ = _pick(tmp_path, pick="w2pgnn", size=20)
    assert np.array_equal(data.splits["pool"].edges, data2.splits["pool"].edges)
    data, info = _pick(tmp_path, pick="random", size=20)
    assert info["n_pretrain"] == len(data.splits["pool"]) == 20


@pytest.mark.parametrize("src,world_over,match", [
    ({"pick": "rank"}, {}, "needs pretraining sources: set data.world.sources"),
    ({"pick": "rank", "rank": 4}, {"sources": ["chains", "random"]}, "rank must be in 1..2"),
    ({"pick": "name", "name": "bare"}, {"sources": ["chains"]}, "'bare' is not one of data.world.sources"),
    ({"pick": "random", "size": 999}, {"sources": ["chains"]}, "size must be in 0..40"),
    ({"pick": "best"}, {"sources": ["chains"]}, "data.source.pick"),
])
def test_bad_source_configs_say_what_to_fix(src, world_over, match):
    with pytest.raises(ConfigError, match=match):
        build_run_config({"modality": "graph", "data": {"world": {**SMALL, "n_pool": 40, **world_over},
                                                        "source": src}})


def test_run_reports_feasibility_and_source(tmp_path):
    cfg = build_run_config({
        "modality": "graph", "name": "w",
        "data": {"world": {**SMALL, "sources": ["molecules", "random"]},
                 "source": {"pick": "rank", "rank": 2, "feasibility": {"resolution": 24, "blocks": 6, "clusters": 2,
                                                                       "alpha_steps": 5}}},
        "train": {"steps": 2, "batch_size": 8, "warmup_steps": 1, "ckpt_every": 0, "log_every": 1, "threads": 1,
                  "progress": False, "dtype": "fp32"},
        "eval": {"protocols": ["finetune"], "finetune_epochs": 1, "reference": True, "feasibility": True,
                 "report": False}})
    summary = execute(cfg, tmp_path / "run")
    names = metric_names(cfg)
    assert names <= set(summary), sorted(names - set(summary))
    assert {"data/feasibility", "data/source_index", "data/n_pretrain"} <= names
    assert summary["data/source_index"] in (0, 1) and summary["data/n_pretrain"] == 24
    assert summary["data/feasibility"] < 0
