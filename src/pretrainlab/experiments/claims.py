"""Claims: pre-registered assertions over arms' metrics, decided with calibrated statistics over seeds.

For a pair (A, B) the per-seed differences ``d_s = A_s - B_s`` are paired by seed (same data order and
init seed). Each claim is a one-sided test:

* **greater** ``A - B > min_effect``; **less** ``B - A > min_effect``; each step of a **monotonic** claim
  likewise (intersection-union: every step must hold). Superiority is tested at alpha = 0.025 one-sided,
  so the reported interval is a two-sided 95% interval and the claim holds when its lower end is above
  the threshold.
* **noninferior** ``A`` is worse than ``B`` by less than ``margin`` (``better`` says which direction is
  better), and **equivalent** ``|A - B| < margin`` by TOST (two one-sided tests), both at alpha = 0.05:
  the reported interval is a 90% interval.
* **above** / **below** one arm against the constant ``value`` (e.g. a probe's chance level).

Method by sample size: at n < 8 seeds, the paired t interval (n - 1 df) and t-test p-value; at n >= 8,
a BCa bootstrap interval (``scipy.stats.bootstrap``) and an exact sign-flip permutation p-value (Monte
Carlo beyond 16 seeds). Infinite values (a target never reached) admit no mean: the exact sign test
decides, which needs 6 or more seeds to reach alpha = 0.025. Every pair reports the effect size
(mean / sd of the differences) and the minimum detectable effect at its n (80% power).

Outcomes: *holds*, *does not hold* (the interval lies on the other side of the threshold), *inconclusive*,
*no signal* (every value of every arm equal, i.e. a shared floor or ceiling, or no arm above
``chance`` + 2 SE) and *not testable* (a required premise does not hold). Fewer than 3 seeds are always
*inconclusive*. Within one recipe, primary and secondary claims are one family: their p-values are
Holm-adjusted, and a claim holds only if its adjusted p-value is below 0.05 (two-sided-equivalent p for
superiority). Premises gate claims and sanity checks (design facts) are reported apart; neither is in the
family. Flags: *underpowered* (fewer seeds than the recipe's), *missing runs*, *post hoc* (the claim's
definition changed after results existed; set by ``experiments.preregistration``).

Recipes declare claims with ``claim`` / ``greater`` / ``less`` (at the end of this file): plain dicts of
``ClaimConfig`` fields.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import stats

from pretrainlab.experiments.config import PAIR_KINDS, VALUE_KINDS, ClaimConfig

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"
NO_SIGNAL, NOT_TESTABLE = "no signal", "not testable"
VERDICTS = (HOLDS, FAILS, UNSURE, NO_SIGNAL, NOT_TESTABLE)
MIN_SEEDS = 3
FAMILY_ALPHA = 0.05
SUPERIORITY_ALPHA = 0.025  # one-sided: a two-sided 95% interval
EQUIVALENCE_ALPHA = 0.05   # TOST / non-inferiority: a 90% interval
BOOTSTRAP_FROM = 8
POWER = 0.8


@dataclass
class PairResult:
    a: str
    b: str
    diff_mean: float
    """Mean of the oriented differences (greater: A - B; less: B - A; noninferior: A - B, sign flipped
    when lower is better; above: A - value; below: value - A)."""
    ci_low: float
    ci_high: float
    n: int
    verdict: str
    p: float = math.nan
    """One-sided p-value of the claim (TOST: the larger of the two)."""
    ci_level: float = 0.95
    method: str = ""
    effect_size: float = math.nan
    """Mean / sd of the differences (Cohen's d_z)."""
    mde: float = math.nan
    """The smallest true mean difference this n detects with 80% power (metric units)."""


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
    role: str = "secondary"
    requires: list[str] = field(default_factory=list)
    p: float = math.nan
    p_holm: float = math.nan
    flags: list[str] = field(default_factory=list)
    note: str = ""
    missing: dict[str, list[int]] = field(default_factory=dict)
    """Seeds without a value per arm (a failed or unfinished run)."""
    definition_hash: str = ""
    definition: dict = field(default_factory=dict)
    """The claim's test fields (``ClaimConfig.definition``), so an archived verdict can be re-derived."""
    seeds: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _mde(sd: float, n: int, alpha: float) -> float:
    if n < 2 or not math.isfinite(sd):
        return math.nan
    return float((stats.t.ppf(1 - alpha, n - 1) + stats.t.ppf(POWER, n - 1)) * sd / math.sqrt(n))


def _sign_flip_p(d: np.ndarray, seed: int = 0) -> float:
    """One-sided p of mean(d) > 0: share of sign patterns whose mean is >= the observed (exact to 16)."""
    n = len(d)
    if n <= 16:
        signs = np.array(list(itertools.product([1.0, -1.0], repeat=n)))
    else:
        signs = np.random.default_rng(seed).choice([1.0, -1.0], size=(20_000, n))
    flipped = (signs * np.abs(d)).mean(axis=1)
    return float(np.mean(flipped >= d.mean() - 1e-12 * max(1.0, abs(d.mean()))))


def interval(d: np.ndarray, level: float) -> tuple[float, float, str]:
    """Two-sided ``level`` interval of the mean of ``d`` and the method's name."""
    n, mean, sd = len(d), float(d.mean()), float(d.std(ddof=1))
    if n < BOOTSTRAP_FROM or sd == 0:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))
        return mean - half, mean + half, f"paired t, {level:.0%} interval, {n - 1} df"
    res = stats.bootstrap((d,), np.mean, confidence_level=level, method="BCa", n_resamples=10_000,
                          random_state=np.random.default_rng(0))
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return lo, hi, f"BCa bootstrap {level:.0%} interval, sign-flip permutation p (n={n})"


def p_greater(d: np.ndarray, t: float) -> float:
    """One-sided p-value of H0: mean(d) <= t."""
    n, sd = len(d), float(d.std(ddof=1))
    shifted = d - t
    if sd == 0:
        return 0.0 if shifted.mean() > 0 else 1.0
    if n < BOOTSTRAP_FROM:
        return float(stats.t.sf(shifted.mean() / (sd / math.sqrt(n)), n - 1))
    return _sign_flip_p(shifted)


def _sign_test(d: np.ndarray, t: float) -> tuple[float, float]:
    """(p of median > t, p of median < t): the exact sign test for values with infinities."""
    above, below = int((d > t).sum()), int((d < t).sum())
    n = above + below
    if n == 0:
        return 1.0, 1.0
    return float(stats.binom.sf(above - 1, n, 0.5)), float(stats.binom.sf(below - 1, n, 0.5))


def _oriented(kind: str, claim: ClaimConfig, va: list[float], vb: list[float] | None) -> np.ndarray:
    a = np.asarray(va, dtype=float)
    if kind in VALUE_KINDS:
        return a - claim.value if kind == "above" else claim.value - a
    d = a - np.asarray(vb, dtype=float)
    if kind == "less" or (kind == "noninferior" and claim.better == "lower"):
        d = -d
    return d


def test_pair(kind: str, claim: ClaimConfig, a: str, b: str, va: list[float], vb: list[float] | None) -> PairResult:
    """One paired (or one-sample) test; ``kind`` is greater/less/equivalent/noninferior/above/below."""
    d_all = _oriented(kind, claim, va, vb)
    d = d_all[~np.isnan(d_all)]
    n = len(d)
    margin = claim.margin
    alpha = EQUIVALENCE_ALPHA if kind in ("equivalent", "noninferior") else SUPERIORITY_ALPHA
    level = 1 - 2 * alpha
    if n < MIN_SEEDS:
        mean = float(d.mean()) if n and np.isfinite(d).all() else math.nan
        return PairResult(a, b, mean, math.nan, math.nan, n, UNSURE, method=f"n={n} < {MIN_SEEDS} seeds: no test",
                          ci_level=level)
    if np.isinf(d).any():
        return _infinite_pair(kind, claim, a, b, d, alpha, level)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    lo, hi, method = interval(d, level)
    es = mean / sd if sd > 0 else math.nan
    mde = _mde(sd, n, alpha)
    if kind == "equivalent":
        p = max(p_greater(d, -margin), p_greater(-d, -margin))
        verdict = HOLDS if p < alpha else FAILS if (lo >= margin or hi <= -margin) else UNSURE
    elif kind == "noninferior":
        p = p_greater(d, -margin)
        verdict = HOLDS if p < alpha else FAILS if hi < -margin else UNSURE
    else:
        t = claim.min_effect
        p = p_greater(d, t)
        verdict = HOLDS if p < alpha else FAILS if p_greater(-d, -t) < alpha else UNSURE
    return PairResult(a, b, mean, lo, hi, n, verdict, p=p, ci_level=level, method=method, effect_size=es, mde=mde)


def _infinite_pair(kind, claim, a, b, d, alpha, level) -> PairResult:
    """Values with +-inf (e.g. a loss target never reached): the exact sign test on the ordering."""
    t = -claim.margin if kind in ("equivalent", "noninferior") else claim.min_effect
    p_up, p_down = _sign_test(d, t)
    if kind == "equivalent":  # an infinite difference is never within a finite margin
        verdict, p = FAILS if p_up < alpha or p_down < alpha else UNSURE, 1.0
    else:
        p = p_up
        verdict = HOLDS if p_up < alpha else FAILS if p_down < alpha else UNSURE
    pos, neg = np.isposinf(d).any(), np.isneginf(d).any()
    mean = math.nan if (pos and neg) else float(d.mean())
    return PairResult(a, b, mean, float(np.min(d)), float(np.max(d)), len(d), verdict, p=p, ci_level=level,
                      method=f"exact sign test (infinite values, n={len(d)}); interval = range")


def _no_signal(claim: ClaimConfig, arr: dict[str, np.ndarray]) -> str:
    """Why the data cannot decide the claim ('' if they can)."""
    finite = [v[np.isfinite(v)] for v in arr.values()]
    flat = np.concatenate(finite) if finite else np.array([])
    if claim.kind not in VALUE_KINDS and len(flat) >= 2 and np.all(flat == flat[0]) and all(len(f) for f in finite):
        return f"every value of every arm is {flat[0]:.4g} (a shared floor or ceiling)"
    if claim.chance is not None:
        def above(v: np.ndarray) -> bool:
            if len(v) < 2:
                return False
            return v.mean() > claim.chance + 2 * v.std(ddof=1) / math.sqrt(len(v))
        if not any(above(v) for v in finite):
            return f"no arm is above chance ({claim.chance:g}) + 2 SE"
    return ""


def evaluate_claim(claim: ClaimConfig, values: dict[str, list[float]], seeds: list[int] | None = None,
                   planned_seeds: int = 0) -> ClaimResult:
    """``values[arm]`` lists the metric per seed, in the same seed order for every arm (NaN: missing)."""
    seeds = list(seeds) if seeds is not None else list(range(len(next(iter(values.values()), []))))
    arr = {arm: np.asarray(values[arm], dtype=float) for arm in claim.arms}
    if claim.kind in PAIR_KINDS:
        pairs = [test_pair(claim.kind, claim, claim.arms[0], claim.arms[1], values[claim.arms[0]],
                           values[claim.arms[1]])]
    elif claim.kind in VALUE_KINDS:
        pairs = [test_pair(claim.kind, claim, claim.arms[0], f"{claim.value:g}", values[claim.arms[0]], None)]
    else:
        step = "less" if claim.kind == "monotonic_decreasing" else "greater"
        pairs = [test_pair(step, claim, b, a, values[b], values[a]) for a, b in zip(claim.arms, claim.arms[1:])]
    verdicts = {p.verdict for p in pairs}
    verdict = FAILS if FAILS in verdicts else HOLDS if verdicts == {HOLDS} else UNSURE
    p = max((q.p for q in pairs), default=math.nan)  # intersection-union: the weakest step decides
    note = _no_signal(claim, arr)
    if note:
        verdict = NO_SIGNAL
    missing = {a: [s for s, x in zip(seeds, v) if math.isnan(x)] for a, v in arr.items()}
    missing = {a: s for a, s in missing.items() if s}
    flags = []
    n_run = min((int((~np.isnan(v)).sum()) for v in arr.values()), default=0)
    if planned_seeds and len(seeds) < planned_seeds:
        flags.append("underpowered")
    if missing:
        flags.append("missing runs")
    if n_run < MIN_SEEDS and verdict not in (NO_SIGNAL,):
        verdict = UNSURE
        note = note or f"{n_run} seeds with values; a verdict needs at least {MIN_SEEDS}"
    return ClaimResult(
        name=claim.name, kind=claim.kind, metric=claim.metric, arms=list(claim.arms),
        means={a: float(np.nanmean(v)) if np.isfinite(v).any() else (float(v[~np.isnan(v)][0]) if (~np.isnan(v)).any()
                                                                    else math.nan) for a, v in arr.items()},
        stds={a: float(np.nanstd(v, ddof=1)) if np.isfinite(v).sum() > 1 else math.nan for a, v in arr.items()},
        values={a: [float(x) for x in v] for a, v in arr.items()},
        pairs=pairs, verdict=verdict, threshold=_threshold(claim), paper=claim.paper, role=claim.role,
        requires=list(claim.requires), p=p, flags=flags, note=note, missing=missing,
        definition_hash=claim.definition_hash(), definition=claim.definition(), seeds=seeds,
    )


def _threshold(claim: ClaimConfig) -> float:
    if claim.kind in ("equivalent", "noninferior"):
        return claim.margin
    return claim.value if claim.kind in VALUE_KINDS else claim.min_effect


def holm(pvalues: list[float]) -> list[float]:
    """Holm step-down adjusted p-values (NaN stays NaN and is not counted)."""
    idx = [i for i, p in enumerate(pvalues) if not math.isnan(p)]
    order = sorted(idx, key=lambda i: pvalues[i])
    m = len(order)
    out = [math.nan] * len(pvalues)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def _family_p(result: ClaimResult) -> float:
    """The p-value on the family's scale: superiority tests are one-sided at 0.025, so doubled."""
    if math.isnan(result.p):
        return math.nan
    return result.p if result.kind in ("equivalent", "noninferior") else min(1.0, 2 * result.p)


def judge(claims: list[ClaimConfig], values: dict[str, dict[str, list[float]]], seeds: list[int],
          planned_seeds: int = 0) -> list[ClaimResult]:
    """Every claim of one experiment: premises first, then Holm over the primary + secondary family.

    ``values[claim name][arm]`` lists the claim's metric per seed (NaN: missing run).
    """
    results = {c.name: evaluate_claim(c, values[c.name], seeds, planned_seeds) for c in claims}

    def premise_ok(name: str) -> tuple[bool, str]:
        c = results[name]
        for req in c.requires:
            ok, why = premise_ok(req)
            if not ok:
                return False, why
        return c.verdict == HOLDS, f"premise '{name}' {c.verdict}"

    for c in claims:
        for req in c.requires:
            ok, why = premise_ok(req)
            if not ok:
                r = results[c.name]
                r.verdict, r.note = NOT_TESTABLE, why
                break
    family = [results[c.name] for c in claims if c.role in ("primary", "secondary")
              and results[c.name].verdict not in (NOT_TESTABLE, NO_SIGNAL)]
    for r, adj in zip(family, holm([_family_p(r) for r in family])):
        r.p_holm = adj
        if r.verdict == HOLDS and not adj < FAMILY_ALPHA:
            r.verdict = UNSURE
            r.note = (r.note + "; " if r.note else "") + f"holds alone (p={_family_p(r):.3g}) but not after Holm " \
                                                         f"over {len(family)} claims (p={adj:.3g})"
    return [results[c.name] for c in claims]


def tally(results: list) -> dict:
    """Counts per role: primary held / tested, premises held, sanity checks passed."""
    rows = [r.to_json() if hasattr(r, "to_json") else dict(r) for r in results]

    def count(role: str) -> dict:
        mine = [r for r in rows if r.get("role", "secondary") == role]
        return {"held": sum(r["verdict"] == HOLDS for r in mine), "total": len(mine),
                "tested": sum(r["verdict"] not in (NOT_TESTABLE, NO_SIGNAL) for r in mine)}

    return {role: count(role) for role in ("primary", "secondary", "premise", "sanity")}


def recipe_status(results: list) -> str:
    """The recipe's status (``catalog.STATUSES``) from its primary claims' verdicts."""
    rows = [r.to_json() if hasattr(r, "to_json") else dict(r) for r in results]
    primary = [r["verdict"] for r in rows if r.get("role") == "primary"]
    if not primary:
        return "runs"
    if all(v == HOLDS for v in primary):
        return "holds"
    if any(v == HOLDS for v in primary):
        return "partly holds"
    if all(v == NOT_TESTABLE for v in primary):
        return "not testable"
    if all(v == NO_SIGNAL for v in primary):
        return "no signal"
    if any(v == FAILS for v in primary):
        return "does not hold"
    return "inconclusive"


# Declaring claims (recipes). A recipe's claims are plain dicts of ``ClaimConfig`` fields, and
# pre-registration hashes them as written: the builders add no field the caller did not pass.

def claim(name: str, kind: str, metric: str, arms: list[str], paper: str, **extra) -> dict:
    """One claim as a recipe declares it; ``extra`` holds the other ``ClaimConfig`` fields it sets
    (``role``, ``chance``, ``min_effect``, ``margin``, ``requires``, ``stage`` ...)."""
    return {"name": name, "kind": kind, "metric": metric, "arms": list(arms), "paper": paper, **extra}


def greater(name: str, a: str, b: str, metric: str, paper: str, **extra) -> dict:
    """``a`` is higher than ``b`` on ``metric`` (A - B > ``min_effect``)."""
    return claim(name, "greater", metric, [a, b], paper, **extra)


def less(name: str, a: str, b: str, metric: str, paper: str, **extra) -> dict:
    """``a`` is lower than ``b`` on ``metric`` (B - A > ``min_effect``)."""
    return claim(name, "less", metric, [a, b], paper, **extra)
