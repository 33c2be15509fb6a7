"""provable-unsup: the experiment validates and plans at both sizes, arms vary only m, the claims are the
pre-registered ones, and the arms of one seed share their world (nested pools, same draws and test set)."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.recipes.provable_unsup import SIZES
from pretrainlab.run_config import build_run_config
from pretrainlab.worlds.latent.gmm import build_gmm_world


def _cfg(exp, arm: str, seed: int = 0):
    (stage,) = exp.arm_stages(arm)
    return build_run_config(exp.stage_config(arm, stage, seed))


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_experiment_builds_and_plans(size, tmp_path):
    exp = build_experiment(recipe_experiment("provable-unsup", size))
    s = SIZES[size]
    assert list(exp.arms) == [f"m{m}" for m in s.ms] and len(exp.seeds) == {"tiny": 3, "full": 5}[size]
    assert len(build_plan(exp, tmp_path).jobs) == len(exp.seeds) * len(s.ms)
    cfgs = {arm: _cfg(exp, arm) for arm in exp.arms}
    assert [c.data.world.n_unlabeled for c in cfgs.values()] == list(s.ms)
    for c in cfgs.values():  # only m differs between arms
        assert c.eval.n_labeled == list(s.n_labeled) and c.data.world.seed is None and c.train.weight_decay == 0
        assert c.data.world.n_labeled == max(s.n_labeled) and c.model.resolved_components() == 8
    assert max(s.ms) >= 10 * max(s.n_labeled)  # "m >> n" for the large arm
    claims = {c.name: c for c in exp.claims}
    (primary,) = [c for c in exp.claims if c.role == "primary"]
    (premise,) = [c for c in exp.claims if c.role == "premise"]
    assert primary.kind == "above" and primary.value == 0.05 and primary.metric == "eval/gap/n10/error"
    assert primary.arms == [f"m{max(s.ms)}"] and primary.requires == [premise.name]
    assert premise.metric == "eval/gmm/cluster_acc" and premise.value == 0.8 and premise.chance == 1 / 8
    assert claims["the gap closes as n grows"].metric == "eval/gap/closing/error"
    more = claims["more unlabeled data lowers the pretrained risk"]
    assert more.kind == "less" and more.arms == [f"m{max(s.ms)}", f"m{min(s.ms)}"]
    assert more.metric == f"eval/pretrained/n{max(s.n_labeled)}/error"
    assert get_recipe("provable-unsup").STATUS in ("runs", "holds", "partly holds", "does not hold", "inconclusive")


def test_arms_of_a_seed_share_their_world():
    exp = build_experiment(recipe_experiment("provable-unsup", "tiny"))
    small, large = (_cfg(exp, a, seed=2).data.world for a in ("m100", "m10000"))
    small.n_test = large.n_test = 500  # the same streams, fewer points
    a, b = build_gmm_world(small, 2), build_gmm_world(large, 2)
    assert np.array_equal(a["unlabeled"], b["unlabeled"][:100])
    assert np.array_equal(a["pool_x"], b["pool_x"]) and np.array_equal(a["test_y"], b["test_y"])


def test_unknown_size():
    with pytest.raises(ValueError, match="unknown size 'huge'"):
        get_recipe("provable-unsup").experiment("huge")
