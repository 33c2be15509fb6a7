"""Claim verdicts: calibrated intervals, TOST, no signal, premises, Holm, flags, bad input."""

import math

import numpy as np
import pytest

from pretrainlab.config import ConfigError
from pretrainlab.experiments.claims import evaluate_claim, holm, judge, recipe_status, tally
from pretrainlab.experiments.config import ArmConfig, ClaimConfig, ExperimentConfig


def claim(kind="less", name="c", arms=("a", "b"), **kw):
    return ClaimConfig(name=name, kind=kind, metric="m", arms=list(arms), **kw)


def test_a_clear_effect_holds_with_a_t_interval():
    r = evaluate_claim(claim(), {"a": [1.0, 1.1, 0.9], "b": [2.0, 2.2, 1.9]})
    assert r.verdict == "holds"
    p = r.pairs[0]
    assert "paired t" in p.method and p.ci_level == 0.95
    # t interval of d = [1.0, 1.1, 1.0]: mean 1.0333, sd 0.0577, t(0.975, 2) = 4.303
    half = 4.302653 * 0.0577350 / math.sqrt(3)
    assert p.ci_low == pytest.approx(1.0333333 - half, rel=1e-4) and p.ci_high == pytest.approx(1.0333333 + half, rel=1e-4)
    assert p.effect_size == pytest.approx(1.0333333 / 0.0577350, rel=1e-4) and p.mde > 0


@pytest.mark.parametrize("n", [3, 5])
def test_greater_is_calibrated_under_no_effect(n):
    # The old 2-3 seed percentile bootstrap said "holds" 12-24% of the time with no effect (nominal 2.5%).
    rng = np.random.default_rng(0)
    sims = 2000
    held = sum(evaluate_claim(claim("greater"), {"a": list(rng.normal(size=n)), "b": list(rng.normal(size=n))})
               .verdict == "holds" for _ in range(sims))
    assert held / sims < 0.045


def test_equivalence_at_the_margin_is_calibrated():
    rng = np.random.default_rng(1)
    sims, n, margin = 2000, 5, 0.5
    held = 0
    for _ in range(sims):
        b = rng.normal(size=n)
        a = b + margin + rng.normal(scale=0.3, size=n)  # the true difference sits exactly on the margin
        held += evaluate_claim(claim("equivalent", margin=margin), {"a": list(a), "b": list(b)}).verdict == "holds"
    assert held / sims < 0.07  # TOST at alpha 0.05


def test_eight_or_more_seeds_use_bca_and_sign_flip():
    rng = np.random.default_rng(2)
    a, b = rng.normal(1.0, 0.2, size=10), rng.normal(0.0, 0.2, size=10)
    r = evaluate_claim(claim("greater"), {"a": list(a), "b": list(b)})
    assert r.verdict == "holds" and "BCa" in r.pairs[0].method and r.pairs[0].p == pytest.approx(1 / 1024)


def test_fewer_than_three_seeds_is_inconclusive():
    r = evaluate_claim(claim(), {"a": [1.0, 1.1], "b": [5.0, 5.2]})
    assert r.verdict == "inconclusive" and "at least 3" in r.note


def test_shared_floor_is_no_signal_for_every_kind():
    for kind, kw in [("greater", {}), ("less", {}), ("equivalent", {"margin": 0.1})]:
        r = evaluate_claim(claim(kind, **kw), {"a": [0.0, 0.0, 0.0], "b": [0.0, 0.0, 0.0]})
        assert r.verdict == "no signal", kind


def test_a_probe_at_chance_is_no_signal():
    r = evaluate_claim(claim("greater", chance=0.2), {"a": [0.21, 0.19, 0.22], "b": [0.18, 0.2, 0.2]})
    assert r.verdict == "no signal" and "chance" in r.note
    r = evaluate_claim(claim("greater", chance=0.2), {"a": [0.6, 0.62, 0.61], "b": [0.3, 0.31, 0.29]})
    assert r.verdict == "holds"


def test_noninferiority_and_above():
    ni = claim("noninferior", margin=0.15, better="lower")
    assert evaluate_claim(ni, {"a": [2.05, 2.1, 2.02], "b": [2.0, 2.04, 2.0]}).verdict == "holds"
    assert evaluate_claim(ni, {"a": [3.0, 3.1, 3.05], "b": [2.0, 2.04, 2.0]}).verdict == "does not hold"
    up = claim("above", arms=["a"], value=0.25)
    assert evaluate_claim(up, {"a": [0.6, 0.62, 0.58]}).verdict == "holds"
    assert evaluate_claim(up, {"a": [0.1, 0.12, 0.11]}).verdict == "does not hold"


def test_an_arm_that_never_reaches_a_target_uses_the_sign_test():
    # FLOPs to reach a target loss: inf = never reached. 3 seeds cannot reach alpha 0.025 with a sign test.
    r = evaluate_claim(claim(), {"a": [5.0, 6.0, 5.5], "b": [math.inf] * 3})
    assert r.verdict == "inconclusive" and "sign test" in r.pairs[0].method
    r = evaluate_claim(claim(), {"a": [5.0, 6.0, 5.5, 5, 5, 5], "b": [math.inf] * 6})
    assert r.verdict == "holds"
    r = evaluate_claim(claim(), {"a": [math.inf] * 6, "b": [5.0, 6.0, 5.5, 5, 5, 5]})
    assert r.verdict == "does not hold"


def test_missing_runs_are_reported_not_dropped():
    r = evaluate_claim(claim(), {"a": [1.0, math.nan, 1.0, 1.1], "b": [2.0, 2.0, 2.1, 2.0]}, seeds=[0, 1, 2, 3],
                       planned_seeds=5)
    assert r.pairs[0].n == 3 and r.missing == {"a": [1]}
    assert "missing runs" in r.flags and "underpowered" in r.flags


def test_premises_gate_claims_and_holm_adjusts_the_family():
    claims = [claim("greater", name="premise", role="premise"),
              claim("greater", name="main", role="primary", requires=["premise"]),
              claim("greater", name="other", arms=["a", "c"])]
    values = {"premise": {"a": [1, 1.1, 0.9], "b": [1, 1.1, 0.95]},
              "main": {"a": [2, 2.1, 2.2], "b": [1, 1, 1]},
              "other": {"a": [2, 2.1, 2.2], "c": [1, 1, 1]}}
    out = {r.name: r for r in judge(claims, values, [0, 1, 2])}
    assert out["premise"].verdict != "holds" and out["main"].verdict == "not testable"
    assert "premise 'premise'" in out["main"].note
    assert out["other"].verdict == "holds" and out["other"].p_holm == pytest.approx(min(1, 2 * out["other"].p))
    t = tally(list(out.values()))
    assert t["primary"] == {"held": 0, "total": 1, "tested": 0}
    assert recipe_status(list(out.values())) == "not testable"


def test_holm():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert math.isnan(holm([math.nan, 0.01])[0])


def test_holm_turns_a_marginal_hold_inconclusive():
    # Each claim's one-sided p is ~0.02 (holds alone at 0.025); three of them do not survive Holm.
    vals = {"a": [0.7, 1.4, 1.2], "b": [0.0, 0.0, 0.0]}
    claims = [claim("greater", name=f"c{i}") for i in range(3)]
    out = judge(claims, {f"c{i}": vals for i in range(3)}, [0, 1, 2])
    alone = evaluate_claim(claims[0], vals)
    assert alone.verdict == "holds"
    assert all(r.verdict == "inconclusive" and "Holm" in r.note for r in out)


@pytest.mark.parametrize("kw, message", [
    ({"kind": "equivalent", "margin": 0.0}, "margin > 0"),
    ({"kind": "noninferior", "margin": -1.0}, "margin > 0"),
    ({"kind": "less", "min_effect": -0.15}, "noninferior"),
    ({"kind": "above", "arms": ["a", "b"]}, "1 arm"),
])
def test_bad_claims_fail_with_the_fix(kw, message):
    kw = {"name": "c", "kind": "less", "metric": "m", "arms": ["a", "b"], **kw}
    with pytest.raises(ConfigError, match=message):
        ClaimConfig(**kw).validate()


def _exp(claims, seeds=(0, 1, 2)):
    return ExperimentConfig(name="e", base={}, arms={"a": ArmConfig(), "b": ArmConfig()}, seeds=list(seeds), claims=claims)


def test_premise_cycles_unknown_premises_and_bad_seeds_fail_before_running():
    p1 = claim(name="p1", role="premise", requires=["p2"])
    p2 = claim(name="p2", role="premise", requires=["p1"])
    with pytest.raises(ConfigError, match="premise cycle: p1 -> p2 -> p1"):
        _exp([p1, p2]).validate()
    with pytest.raises(ConfigError, match="not a premise"):
        _exp([claim(name="x", requires=["nope"])]).validate()
    with pytest.raises(ConfigError, match="seeds"):
        _exp([], seeds=[-1]).validate()
    with pytest.raises(ConfigError, match="duplicate claim"):
        _exp([claim(), claim()]).validate()


def test_definition_hash_ignores_wording_but_not_margins():
    a = claim("equivalent", margin=0.1, paper="x")
    assert a.definition_hash() == claim("equivalent", margin=0.1, paper="y").definition_hash()
    assert a.definition_hash() != claim("equivalent", margin=0.2).definition_hash()
    assert a.definition_hash() != claim("equivalent", margin=0.1, role="primary").definition_hash()


def test_claim_builders_add_only_the_fields_passed():
    from pretrainlab.experiments import claims as c

    assert c.greater("g", "a", "b", "val/acc", "p", chance=0.25, role="primary") == {
        "name": "g", "kind": "greater", "metric": "val/acc", "arms": ["a", "b"], "paper": "p", "chance": 0.25,
        "role": "primary"}
    assert c.less("l", "a", "b", "val/loss", "p") == {"name": "l", "kind": "less", "metric": "val/loss",
                                                      "arms": ["a", "b"], "paper": "p"}
    arms = ("a", "b", "c")
    made = c.claim("m", "monotonic_increasing", "val/acc", arms, "p", margin=0.1)
    assert made["arms"] == ["a", "b", "c"] and made["margin"] == 0.1
    assert ClaimConfig(**made).kind == "monotonic_increasing"
