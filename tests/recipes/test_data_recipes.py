"""The data-science recipes (pretrainers-guide, tinyhelen-leaner, davinci) validate at both sizes, encode
the paper's comparisons in their arms (with the controls that keep each claim from being true by
construction), and (slow) the tiny size of one runs end to end with verdicts."""

import json
from pathlib import Path

import pytest

from pretrainlab.cli import main
from pretrainlab.experiments.claims import VERDICTS
from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.recipes.common import seeds
from pretrainlab.recipes.davinci import pipeline

NAMES = ["pretrainers-guide", "tinyhelen-leaner", "davinci"]
SEEDS_TINY = seeds("tiny")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", ["tiny", "full"])
def test_data_recipe_validates(name, size, tmp_path):
    raw = recipe_experiment(name, size)
    exp = build_experiment(raw)
    assert len([c for c in exp.claims if c.role != "premise"]) == len(get_recipe(name).CLAIMS)
    primary = [c.name for c in exp.claims if c.role == "primary"]
    assert 1 <= len(primary) <= 2 and all(f"{n} (primary)" in get_recipe(name).CLAIMS for n in primary)
    for c in exp.claims:  # accuracy-type claims carry their chance level
        assert c.chance == 0.2 if c.metric.startswith("eval/") else c.chance is None, c.name
    plan = build_plan(exp, tmp_path)
    assert len(plan.jobs) >= 2 * len(raw["seeds"]) and all(j.config for j in plan.jobs.values())


def _stage_cfg(exp, arm, seed=0):
    plan = build_plan(exp, Path("/tmp/unused"))
    return [plan.jobs[k].config for (a, _, s), k in plan.index.items() if a == arm and s == seed][-1]


def test_pretrainers_guide_arms_differ_only_where_claimed():
    exp = build_experiment(recipe_experiment("pretrainers-guide", "tiny"))
    old, new = (_stage_cfg(exp, a)["data"]["world"] for a in ("age-2000-04", "age-2010-14"))
    assert list(old["val_years"]) == list(new["val_years"]) == [2015, 2019] and old["train_years"] != new["train_years"]
    inverse = _stage_cfg(exp, "inverse-toxicity")["data"]["curate"]
    assert inverse == [{"name": "toxicity", "invert": True, "domains": ["dialog"]}]
    control = _stage_cfg(exp, "random-drop")["data"]["curate"]
    assert control == [{"name": "random_drop", "match": _stage_cfg(exp, "toxicity-filter")["data"]["curate"][0],
                        "domains": ["dialog"]}]
    story, code = (_stage_cfg(exp, a)["data"]["weights"] for a in ("drop-story", "drop-code"))
    assert "story" not in story and "code" not in code and story["code"] == code["story"]
    shared = {"encyclopedia", "dialog", "arithmetic", "qa"}
    assert {k: v for k, v in story.items() if k in shared} == {k: v for k, v in code.items() if k in shared}
    by_name = {c.name: c for c in exp.claims}
    toxic = by_name["toxicity filter lowers toxic likelihood beyond data loss"]
    assert toxic.arms == ["toxicity-filter", "random-drop"] and toxic.metric == "val/bpb/dialog/toxic_lines"
    base = _stage_cfg(exp, "baseline")
    assert base["eval"]["toxic_lines"] == ["dialog"] and base["data"]["world"]["val_noise_rate"] == 0


def test_davinci_depths_are_cumulative_and_ratios_share_stage1():
    steps = [len(pipeline(d)) for d in ("L1", "L2", "L3", "L4", "L5")]
    assert steps == sorted(steps) and len(set(steps)) == 5
    assert pipeline("L5")[-1]["rewriter"] == "complete"
    exp = build_experiment(recipe_experiment("davinci", "full"))
    plan = build_plan(exp, Path("/tmp/unused"))
    stage1 = {k for (_, stage, seed), k in plan.index.items() if stage == "stage1" and seed == 0}
    assert stage1 == {plan.index["L1", "pretrain", 0]}  # the ratio arms' stage 1 is the L1 run itself
    assert _stage_cfg(exp, "L5")["data"]["world"]["val_noise_rate"] == 0
    premise = [c for c in exp.claims if c.role == "premise"]
    assert [(c.kind, c.arms, c.value) for c in premise] == [("above", ["L1"], 0.2)]
    probe = [c for c in exp.claims if c.metric == "eval/arithmetic_mc" and c.role != "premise"]
    assert probe and all(c.requires == [premise[0].name] for c in probe)
    u_shape = [c for c in exp.claims if c.metric == "val/loss"]  # balanced beats BOTH extremes
    assert sorted(c.arms[1] for c in u_shape) == ["g10-r90", "g90-r10"] and all(c.arms[0] == "g50-r50" for c in u_shape)


def test_tinyhelen_controls():
    exp = build_experiment(recipe_experiment("tinyhelen-leaner", "tiny"))
    plan = build_plan(exp, Path("/tmp/unused"))
    control = _stage_cfg(exp, "leaner-origtok")["data"]
    assert control["world"]["rewriter"] == "simplify" and control["tokenizer"]["world"] == {"rewriter": None}
    curriculum = plan.job("leaner-curriculum", "pretrain", 0).config
    assert curriculum["eval"]["loss_target_from"] == str(plan.job("leaner", "pretrain", 0).run_dir)
    claim = next(c for c in exp.claims if c.metric == "flops_to/val_loss_target")
    assert claim.arms == ["leaner-curriculum", "leaner"] and claim.min_effect > 0


@pytest.mark.slow
def test_tinyhelen_tiny_reproduce_end_to_end(tmp_path):
    out = tmp_path / "th"
    assert main(["reproduce", "tinyhelen-leaner", "--size", "tiny", "--out", str(out)]) == 0
    claims = json.loads((out / "claims.json").read_text())["claims"]
    assert len(claims) == len(recipe_experiment("tinyhelen-leaner", "tiny")["claims"])
    for c in claims:
        assert c["verdict"] in VERDICTS
        assert all(len(v) == len(SEEDS_TINY) for v in c["values"].values())
