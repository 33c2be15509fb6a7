"""rewarm and spt: pre-registered roles, the warm-up-length claim and its premise, seeds per size; CLAIMS lists."""

import pytest

from pretrainlab.recipes import recipe_experiment, rewarm
from pretrainlab.recipes.common import seeds


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_rewarm_warmup_claim_compares_arms_that_differ_only_in_warmup(size):
    raw = recipe_experiment("rewarm", size)
    claims = {c["name"]: c for c in raw["claims"]}
    warm = claims["warm-up length matters little"]
    assert warm["kind"] == "equivalent" and warm["margin"] == rewarm.SIZES[size].warm_margin > 0
    assert claims[warm["requires"][0]]["role"] == "premise"
    a, b = (raw["arms"][arm]["stages"][1]["overrides"] for arm in warm["arms"])
    assert {k for k in a if a[k] != b[k]} == {"train.warmup_steps"}
    assert a["train.warmup_steps"] > b["train.warmup_steps"]
    assert {c["metric"] for c in raw["claims"]} >= {"val/loss/downstream", "val/loss/upstream"}
    assert [c["name"] for c in raw["claims"] if c.get("role") == "primary"] == [
        "rewarming lowers downstream loss vs constant LR", "continuing beats from-scratch on downstream"]
    assert raw["seeds"] == seeds(size)


@pytest.mark.parametrize("name", ["rewarm", "spt", "syne-cpt", "afriquellm"])
def test_claims_list_matches_the_claim_names(name):
    from pretrainlab.recipes import RECIPES

    assert RECIPES[name].CLAIMS == [c["name"] for c in recipe_experiment(name, "tiny")["claims"]]
