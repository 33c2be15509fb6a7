"""Claim verdicts from per-seed values: bootstrap on finite differences, orderings with infinities."""

import math

from pretrainlab.experiments.claims import evaluate_claim
from pretrainlab.experiments.config import ClaimConfig


def claim(kind="less", **kw):
    return ClaimConfig(name="c", kind=kind, metric="m", arms=["a", "b"], **kw)


def test_finite_values_use_the_bootstrap():
    r = evaluate_claim(claim(), {"a": [1.0, 1.1, 0.9], "b": [2.0, 2.2, 1.9]})
    assert r.verdict == "holds" and 0.9 < r.pairs[0].ci_low < r.pairs[0].ci_high < 1.2


def test_an_arm_that_never_reaches_a_target_loses_instead_of_dropping_out():
    # FLOPs to reach a target loss: inf = never reached. "a needs fewer FLOPs than b".
    assert evaluate_claim(claim(), {"a": [math.inf, math.inf], "b": [5.0, 6.0]}).verdict == "does not hold"
    assert evaluate_claim(claim(), {"a": [5.0, 6.0], "b": [math.inf, math.inf]}).verdict == "holds"
    mixed = evaluate_claim(claim(), {"a": [5.0, math.inf], "b": [6.0, 6.0]})
    assert mixed.verdict == "inconclusive"
    assert evaluate_claim(claim("equivalent", tolerance=1.0),
                          {"a": [math.inf, math.inf], "b": [1.0, 1.0]}).verdict == "does not hold"


def test_missing_values_drop_their_seed():
    r = evaluate_claim(claim(), {"a": [1.0, math.nan, 1.0], "b": [2.0, 2.0, 2.0]})
    assert r.pairs[0].n == 2
