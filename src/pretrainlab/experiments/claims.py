"""Claims: declarative assertions over arms' metrics, decided with statistics over seeds.

For a pair (A, B), the per-seed differences d_s = A_s - B_s (paired by seed: same data order and
init seed) get a percentile bootstrap confidence interval of their mean (10,000 resamples, seeded).
With a threshold t (``min_effect`` for greater/less, ``+-tolerance`` for equivalence):

* greater:    holds if CI_low > t;  does not hold if CI_high <= t;  else inconclusive.
* less:       the same on B - A.
* equivalent: holds if -tol < CI_low and CI_high < tol; does not hold if the CI lies outside
  (-tol, tol) entirely; else inconclusive.
* monotonic_decreasing / increasing over [a, b, c, ...]: each consecutive pair as less / greater;
  holds if all pairs hold, does not hold if any pair does not, else inconclusive.

One seed gives no spread, so every verdict from a single seed is "inconclusive": the verdict comes only
from measured metrics, never from defaults.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from pretrainlab.experiments.config import ClaimConfig

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"


@dataclass
class PairResult:
    a: str
    b: str
    diff_mean: float
    ci_low: float
    ci_high: float
    n: int
    verdict: str


@dataclass
class ClaimResult:
    name: str
    kind: str
    metric: str
    arms: list[str]
    means: dict[str, float]
    stds: dict[str, float]
    values: dict[str, list[float]]
    pairs: list[PairResult]
    verdict: str
    threshold: float
    paper: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def bootstrap_ci(diffs: np.ndarray, confidence: float = 0.95, n_boot: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap CI of the mean of ``diffs``."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(diffs), size=(n_boot, len(diffs)))
    means = diffs[idx].mean(axis=1)
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def _pair(a: str, b: str, va: list[float], vb: list[float], kind: str, claim: ClaimConfig) -> PairResult:
    d = np.asarray(va, dtype=float) - np.asarray(vb, dtype=float)
    if kind == "less":
        d = -d
    finite = d[~np.isnan(d)]  # a missing value (NaN) drops its seed; +-inf is an ordering (e.g. never reached)
    if len(finite) < 2:
        mean = float(finite.mean()) if len(finite) else math.nan
        return PairResult(a, b, mean, math.nan, math.nan, len(finite), UNSURE)
    if np.isinf(finite).any():  # no bootstrap over infinities: decide on the range of the paired differences
        lo, hi = float(finite.min()), float(finite.max())
        mean = math.nan if (np.isposinf(finite).any() and np.isneginf(finite).any()) else float(finite.mean())
    else:
        lo, hi = bootstrap_ci(finite, claim.confidence)
        mean = float(finite.mean())
    if kind == "equivalent":
        tol = claim.tolerance
        verdict = HOLDS if (-tol < lo and hi < tol) else FAILS if (lo >= tol or hi <= -tol) else UNSURE
    else:
        t = claim.min_effect
        verdict = HOLDS if lo > t else FAILS if hi <= t else UNSURE
    return PairResult(a, b, mean, lo, hi, len(finite), verdict)


def evaluate_claim(claim: ClaimConfig, values: dict[str, list[float]]) -> ClaimResult:
    """``values[arm]`` lists the metric per seed, in the same seed order for every arm."""
    if claim.kind in ("greater", "less", "equivalent"):
        pairs = [_pair(claim.arms[0], claim.arms[1], values[claim.arms[0]], values[claim.arms[1]],
                       claim.kind, claim)]
    else:
        step = "less" if claim.kind == "monotonic_decreasing" else "greater"
        pairs = [_pair(b, a, values[b], values[a], step, claim) for a, b in zip(claim.arms, claim.arms[1:])]
    verdicts = {p.verdict for p in pairs}
    verdict = FAILS if FAILS in verdicts else HOLDS if verdicts == {HOLDS} else UNSURE
    arr = {arm: np.asarray(values[arm], dtype=float) for arm in claim.arms}
    return ClaimResult(
        name=claim.name, kind=claim.kind, metric=claim.metric, arms=list(claim.arms),
        means={a: float(np.nanmean(v)) if np.isfinite(v).any() else math.nan for a, v in arr.items()},
        stds={a: float(np.nanstd(v, ddof=1)) if np.isfinite(v).sum() > 1 else math.nan for a, v in arr.items()},
        values={a: [float(x) for x in v] for a, v in arr.items()},
        pairs=pairs, verdict=verdict,
        threshold=claim.tolerance if claim.kind == "equivalent" else claim.min_effect, paper=claim.paper,
    )
