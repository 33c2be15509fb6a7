"""syne-cpt and afriquellm: configs validate at both sizes, arms differ only in what the paper varies,
every claim is judged on data no arm trains on, and (slow) the tiny size runs end to end with a verdict
per claim."""

import json

import pytest

from pretrainlab.cli import main
from pretrainlab.experiments.claims import VERDICTS
from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import afriquellm, recipe_experiment, syne_cpt

NAMES = ["syne-cpt", "afriquellm"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("size", ["tiny", "full"])
def test_config_validates_and_shares_one_base_pretraining(name, size, tmp_path):
    raw = recipe_experiment(name, size)
    plan = build_plan(build_experiment(raw), tmp_path)
    pretrain_jobs = [k for k, j in plan.jobs.items() if j.run_dir.name.startswith("pretrain-")]
    assert len(pretrain_jobs) == len(raw["seeds"])  # one base per seed, shared by every arm
    assert len(plan.jobs) == len(raw["seeds"]) * (1 + len(raw["arms"]))


@pytest.mark.parametrize("name", NAMES)
def test_cpt_arms_differ_only_in_the_mixture(name):
    raw = recipe_experiment(name, "tiny")
    cpts = {arm: a["stages"][1]["overrides"] for arm, a in raw["arms"].items()}
    steps = {o["train.steps"] for arm, o in cpts.items() if arm != "base"}
    assert len(steps) == 1  # equal CPT budget
    for o in cpts.values():
        assert set(o) - {"data.weights", "data.stages"} == {"train.steps", "train.lr", "train.schedule",
                                                             "train.warmup_steps", "train.eval_every"}


def test_syne_mixtures_follow_the_paper_ratios():
    w = syne_cpt.mix(0.1, 0.7, 0.2)
    assert w[syne_cpt.B] == pytest.approx(0.1)
    assert sum(w[d] for d in syne_cpt.A) == pytest.approx(0.7)
    assert sum(w[d] for d in syne_cpt.QA) == pytest.approx(0.2)
    stages = recipe_experiment("syne-cpt", "tiny")["arms"]["syne-2stage"]["stages"][1]["overrides"]["data.stages"]
    assert stages[0]["weights"] == syne_cpt.mix(0.2, 0.8) and "qa_zorbish" in stages[1]["weights"]


def test_afriquellm_translated_math_arm_uses_the_lrl_math_source():
    arms = recipe_experiment("afriquellm", "full")["arms"]
    w = arms["+translated-math"]["stages"][1]["overrides"]["data.weights"]
    assert w == {afriquellm.LRL: 0.6, "arithmetic_zorbish": pytest.approx(0.4)}
    assert "arithmetic_zorbish" not in arms["+math"]["stages"][1]["overrides"]["data.weights"]


def _trained_sources(raw: dict) -> set[str]:
    out = set()
    for arm in raw["arms"].values():
        for stage in arm["stages"]:
            o = stage["overrides"]
            out |= set(o.get("data.weights") or {})
            out |= {s for st in o.get("data.stages") or [] for s in st["weights"]}
    return out


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_afriquellm_judges_every_arm_on_held_out_formats(size):
    raw = recipe_experiment("afriquellm", size)
    trained = _trained_sources(raw)
    cpt_trained = {s for a in raw["arms"].values() for s in a["stages"][1]["overrides"]["data.weights"]}
    assert afriquellm.LRL_HELD_OUT not in trained and "dialog" not in cpt_trained
    for c in raw["claims"]:
        if c["metric"].startswith("val/loss/"):
            assert c["metric"].removeprefix("val/loss/") not in cpt_trained, c["name"]
        else:
            assert c["metric"] == afriquellm.LRL_REASONING and c["chance"] == 0.2  # held-out templates
    assert sum(c.get("role") == "primary" for c in raw["claims"]) == 2


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_syne_qa_claims_use_held_out_people_and_keep_a_is_a_preregistered_noninferiority(size):
    raw = recipe_experiment("syne-cpt", size)
    claims = {c["name"]: c for c in raw["claims"]}
    for name in ("synthetic QA raises QA in A", "synthetic QA raises QA in B"):
        assert claims[name]["metric"].endswith("fact_qa/test_people") and claims[name]["chance"] == 0.2
    keep = claims["2:8 replay keeps A near base"]
    assert keep["kind"] == "noninferior" and keep["better"] == "lower"
    assert keep["margin"] == pytest.approx(0.0488, abs=1e-4) and keep["requires"] == ["2:8 replay lowers B loss"]
    assert claims["2:8 replay lowers B loss"]["role"] == "premise"


@pytest.mark.slow
def test_syne_cpt_tiny_end_to_end(tmp_path):
    name = "syne-cpt"
    out = tmp_path / name
    assert main(["reproduce", name, "--size", "tiny", "--out", str(out)]) == 0
    claims = json.loads((out / "claims.json").read_text())["claims"]
    assert [c["name"] for c in claims] == [c["name"] for c in recipe_experiment(name, "tiny")["claims"]]
    n = len(recipe_experiment(name, "tiny")["seeds"])
    for c in claims:
        assert c["verdict"] in VERDICTS
        assert all(len(v) == n and all(x == x for x in v) for v in c["values"].values())  # no NaN
