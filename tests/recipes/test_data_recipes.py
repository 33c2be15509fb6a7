"""The data-science recipes (pretrainers-guide, tinyhelen-leaner, davinci) validate at both sizes, encode
the paper's comparisons in their arms, and (slow) the tiny size of one runs end to end with verdicts."""

import json
from pathlib import Path

import pytest

from pretrainlab.cli import main
from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.recipes.davinci import pipeline

NAMES = ["pretrainers-guide", "tinyhelen-leaner", "davinci"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", ["tiny", "full"])
def test_data_recipe_validates(name, size, tmp_path):
    raw = recipe_experiment(name, size)
    exp = build_experiment(raw)
    assert len(exp.claims) == len(get_recipe(name).CLAIMS)
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
    assert "story" not in {k for k, v in _stage_cfg(exp, "drop-story")["data"]["weights"].items() if v > 0}


def test_davinci_depths_are_cumulative_and_ratios_share_stage1():
    steps = [len(pipeline(d)) for d in ("L1", "L2", "L3", "L4", "L5")]
    assert steps == sorted(steps) and len(set(steps)) == 5
    assert pipeline("L5")[-1]["rewriter"] == "complete"
    exp = build_experiment(recipe_experiment("davinci", "full"))
    plan = build_plan(exp, Path("/tmp/unused"))
    stage1 = {k for (_, stage, seed), k in plan.index.items() if stage == "stage1" and seed == 0}
    assert len(stage1) == 1  # one shared stage-1 run per seed for the three ratio arms


@pytest.mark.slow
def test_tinyhelen_tiny_reproduce_end_to_end(tmp_path):
    out = tmp_path / "th"
    assert main(["reproduce", "tinyhelen-leaner", "--size", "tiny", "--out", str(out)]) == 0
    claims = json.loads((out / "claims.json").read_text())["claims"]
    assert len(claims) == 3
    for c in claims:
        assert c["verdict"] in {"holds", "does not hold", "inconclusive"}
        assert all(len(v) == 2 for v in c["values"].values())
