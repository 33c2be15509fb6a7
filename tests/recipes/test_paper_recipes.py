"""Every paper recipe builds at both sizes, and the tiny size runs end to end with verdicts (slow)."""

import json

import pytest

from pretrainlab.cli import main
from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.experiments.claims import VERDICTS
from pretrainlab.recipes import RECIPES, recipe_experiment
from pretrainlab.recipes.common import SEEDS

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
    seeds = recipe_experiment(name, "tiny")["seeds"]
    for c in claims:
        assert c["verdict"] in VERDICTS
        assert all(len(v) == len(seeds) for v in c["values"].values())  # every seed measured or listed missing
    assert (out / "report.html").exists()


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_recipe_preregisters_a_primary_claim_and_enough_seeds(name):
    for size, n in SEEDS.items():
        exp = build_experiment(recipe_experiment(name, size))
        assert len(exp.seeds) >= n, (name, size, exp.seeds)
        roles = [c.role for c in exp.claims]
        assert "primary" in roles, f"{name}: mark the paper's headline claim(s) role: primary"
