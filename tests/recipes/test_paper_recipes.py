"""Every paper recipe builds at both sizes, and the tiny size runs end to end with verdicts (slow)."""

import json

import pytest

from pretrainlab.cli import main
from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import RECIPES, recipe_experiment

EXPERIMENTS = [name for name, m in RECIPES.items() if hasattr(m, "experiment")]
CI_TINY = {"rewarm", "spt", "davinci", "explora"}
"""Tiny reproductions run in CI (a few minutes each on 2 cores). The others (10-25 min each) carry the
``recipe_tiny`` marker: ``bash scripts/test.sh -m recipe_tiny`` runs them all; each recipe also has a
shorter end-to-end test of its own."""


@pytest.mark.parametrize("name", sorted(RECIPES))
@pytest.mark.parametrize("size", ["tiny", "full"])
def test_recipe_builds(name, size, tmp_path):
    exp = build_experiment(recipe_experiment(name, size))
    plan = build_plan(exp, tmp_path)
    assert plan.jobs and all(j.config for j in plan.jobs.values())


@pytest.mark.slow
@pytest.mark.parametrize("name", [n if n in CI_TINY else pytest.param(n, marks=pytest.mark.recipe_tiny)
                                  for n in EXPERIMENTS])
def test_tiny_reproduce_gives_verdicts(name, tmp_path):
    out = tmp_path / name
    assert main(["reproduce", name, "--size", "tiny", "--out", str(out)]) == 0
    claims = json.loads((out / "claims.json").read_text())["claims"]
    assert len(claims) == len(recipe_experiment(name, "tiny")["claims"])
    for c in claims:
        assert c["verdict"] in {"holds", "does not hold", "inconclusive"}
        assert all(len(v) == 2 for v in c["values"].values())  # both seeds measured
    assert (out / "report.html").exists()
