"""The default pipeline on a few hundred labelled documents of the synthetic world.

Skipped when the world has no noise knobs yet (``TextWorldConfig.noise_rate``)."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from pretrainlab.data.curate import EXAMPLE_PIPELINE, curate
from pretrainlab.data.curate.pipeline import build_steps, parse_steps
from pretrainlab.worlds.text import TextWorldConfig, write_world

HAS_KNOBS = "noise_rate" in {f.name for f in dataclasses.fields(TextWorldConfig)}
pytestmark = pytest.mark.skipif(not HAS_KNOBS, reason="the world has no noise knobs yet")


def default_steps() -> list[dict]:
    steps = yaml.safe_load(EXAMPLE_PIPELINE)["steps"]
    try:
        import datasketch  # noqa: F401
    except ImportError:
        steps = [s for s in steps if s["name"] != "minhash_dedup"]
    return steps


def test_default_pipeline_builds():
    build_steps(parse_steps(default_steps()))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    cfg = TextWorldConfig(n_docs=420, n_people=100, noise_rate=0.35, toxicity_rate=0.3,
                          pii_rate=0.15, dup_rate=0.04, near_dup_rate=0.04)
    write_world(cfg, root / "world", docs_per_shard=200)
    return root


@pytest.fixture(scope="module")
def report(world):
    return curate({"input": str(world / "world" / "train"), "output": str(world / "out"),
                   "steps": default_steps(), "workers": 1})


def test_rules_catch_their_noise_types_without_hurting_clean_prose(report):
    gt = report["ground_truth"]
    assert gt["labelled"] == report["input"]["documents"] == 399
    for kind in ("repetition", "short", "symbols", "foreign"):
        if kind in gt["recall_by_noise"]:
            assert gt["recall_by_noise"][kind] >= 0.9, kind
    assert gt["recall_by_noise"].get("typos", 0.0) <= 0.2  # no heuristic catches typos
    assert gt["removal_precision"] >= 0.95
    assert all(rate == 0.0 for rate in gt["drop_rate_clean"].values())


def test_toxicity_pii_and_dedup_scores(report):
    steps = {s["key"]: s["scores"] for s in report["steps"]}
    assert steps["toxicity"]["recall"] == 1.0 and steps["toxicity"]["precision"] == 1.0
    assert steps["pii"]["value_recall"] == 1.0 and steps["pii"]["doc_precision"] == 1.0
    assert steps["exact_dedup"]["cluster_precision"] == 1.0
    if "minhash_dedup" in steps:
        assert report["ground_truth"]["recall"]["dup"] >= 0.9


def test_simplify_step_wraps_the_world_rewriter(world):
    report = curate({"input": str(world / "world" / "train"), "output": str(world / "simple"),
                     "steps": [{"name": "simplify", "world": str(world / "world")}], "workers": 1})
    (step,) = report["steps"]
    assert step["dropped_total"] == 0 and step["modified"]["simplified"] == step["docs_modified"] > 0
    assert step["scores"]["modified_by_noise"].get("boilerplate") == 1.0
