"""Archived verdicts: the docs are generated from them, statuses agree, every verdict re-derives."""

import json

import pytest

from pretrainlab.config import from_dict
from pretrainlab.experiments import verdicts
from pretrainlab.experiments.claims import recipe_status
from pretrainlab.experiments.config import ExperimentConfig
from pretrainlab.experiments.run import claims_document, evaluate_claims
from pretrainlab.recipes import RECIPES
from pretrainlab.recipes.catalog import catalog_rows


def test_docs_recipes_md_is_generated_from_the_archive():
    text = verdicts.DOC.read_text()
    assert verdicts.render_doc(text) == text, "docs/recipes.md is out of date: run `pretrainlab verdicts render`"


def test_docs_statuses_agree_with_the_catalog():
    text = verdicts.DOC.read_text()
    for row in catalog_rows():
        line = next(ln for ln in text.splitlines() if f"| `{row['recipe']}` |" in ln)
        assert line.rstrip().endswith(f"| {row['status']} |"), (row["recipe"], line)


def test_recipe_status_follows_its_archived_verdicts():
    best = verdicts.best(verdicts.load())
    for name, module in RECIPES.items():
        expected = recipe_status(best[name]["claims"]) if name in best else "runs"
        assert getattr(module, "STATUS", "runs") == expected, name


@pytest.mark.parametrize("v", verdicts.load(), ids=lambda v: f"{v['recipe']}-{v['size']}")
def test_every_archived_verdict_re_derives_from_its_values(v):
    again = verdicts.rejudge(v)
    assert [r.verdict for r in again] == [c["verdict"] for c in v["claims"]]
    assert v["status"] == recipe_status(v["claims"])
    assert (v.get("git") or {}).get("commit"), "an archived verdict names the commit it ran at"


def _toy(tmp_path, margin=0.5):
    exp = from_dict(ExperimentConfig, {
        "name": "toy", "base": {}, "seeds": [0, 1, 2], "arms": {"a": {}, "b": {}},
        "claims": [{"name": "a lower", "kind": "less", "metric": "val/loss", "arms": ["a", "b"], "role": "primary"},
                   {"name": "close", "kind": "equivalent", "metric": "val/loss", "arms": ["a", "b"], "margin": margin}]})
    results = {arm: {"pretrain": {str(s): {"val/loss": 2.0 + off + 0.01 * s * (1 + off)} for s in exp.seeds}}
               for arm, off in (("a", 0.0), ("b", 0.2))}
    return exp, results


def test_archive_round_trip(tmp_path):
    exp, results = _toy(tmp_path)
    claims = evaluate_claims(exp, results)
    out = tmp_path / "exp"
    out.mkdir()
    (out / "claims.json").write_text(json.dumps(claims_document(exp, claims), default=str))
    path = verdicts.archive(out, "toy", "tiny", dest=tmp_path / "v", notes="toy notes")
    v = json.loads(path.read_text())
    assert v["status"] == "holds" and v["tally"]["primary"] == {"held": 1, "total": 1, "tested": 1}
    assert v["claims"][0]["values"]["a"] == [2.0, 2.01, 2.02] and v["claims_hash"] and v["runs_hash"]
    assert [r.verdict for r in verdicts.rejudge(v)] == [c["verdict"] for c in v["claims"]]
    section = verdicts.verdict_section(v)
    assert "### toy: tiny (3 seeds" in section and "toy notes" in section and "paired t" in section


def test_archive_refuses_old_or_missing_claims(tmp_path):
    with pytest.raises(FileNotFoundError, match="pretrainlab reproduce toy"):
        verdicts.archive(tmp_path, "toy", "tiny", dest=tmp_path / "v")
    (tmp_path / "claims.json").write_text(json.dumps({"claims": []}))
    with pytest.raises(ValueError, match="pre-registration"):
        verdicts.archive(tmp_path, "toy", "tiny", dest=tmp_path / "v")


def test_a_claim_changed_after_results_is_post_hoc(tmp_path):
    from pretrainlab.experiments.preregistration import registrations

    exp, results = _toy(tmp_path)
    first = registrations(exp, None)
    assert not any(r["post_hoc"] for r in first.values())
    changed, _ = _toy(tmp_path, margin=0.9)
    from pretrainlab.experiments.preregistration import runs_hash

    regs = registrations(changed, {"runs_hash": runs_hash(exp), "registrations": first})
    assert regs["close"]["post_hoc"] and not regs["a lower"]["post_hoc"]
    judged = {r.name: r for r in evaluate_claims(changed, results, regs)}
    assert "post hoc" in judged["close"].flags and "post hoc" not in judged["a lower"].flags
    # Different runs (a new configuration): a fresh registration, nothing post hoc.
    assert not registrations(changed, {"runs_hash": "other", "registrations": first})["close"]["post_hoc"]


def test_a_selection_picks_each_seeds_arm_on_the_other_seeds():
    from pretrainlab.experiments.run import claim_values, selected_arms

    exp = from_dict(ExperimentConfig, {
        "name": "sel", "base": {}, "seeds": [0, 1, 2], "arms": {"lo": {}, "hi": {}, "ref": {}},
        "selections": {"tuned": {"arms": ["lo", "hi"], "metric": "val/loss"}},
        "claims": [{"name": "tuned beats ref", "kind": "less", "metric": "test/loss", "arms": ["tuned", "ref"]}]})
    exp.validate()
    # val/loss: lo is best on seeds 0 and 1, hi on seed 2 -> leaving seed 0 out: lo (1.5 vs 2.0) ...
    val = {"lo": [1.0, 1.0, 3.0], "hi": [2.0, 2.0, 1.0], "ref": [5.0, 5.0, 5.0]}
    results = {a: {"pretrain": {str(s): {"val/loss": v[s], "test/loss": 10 * v[s]} for s in range(3)}}
               for a, v in val.items()}
    # seed 0: others {1, 2}: lo 2.0, hi 1.5 -> hi; seed 1: same -> hi; seed 2: others {0, 1}: lo 1.0 -> lo
    assert selected_arms(exp, results, "tuned") == ["hi", "hi", "lo"]
    assert claim_values(exp, results, "test/loss", "tuned", None) == [20.0, 20.0, 30.0]
    note = evaluate_claims(exp, results)[0].note
    assert "tuned per seed: hi, hi, lo" in note and "edge" in note
    with pytest.raises(Exception, match="unknown arm 'nope'"):
        from_dict(ExperimentConfig, {"name": "x", "base": {}, "arms": {"a": {}, "b": {}},
                                     "selections": {"t": {"arms": ["a", "nope"]}}}).validate()


@pytest.mark.parametrize("v", verdicts.load(), ids=lambda v: f"{v['recipe']}-{v['size']}")
def test_archived_verdicts_judge_the_current_recipe(v):
    """A recipe whose claims or runs changed after its verdict was archived must be re-run (or the change
    marked post hoc): the archived hashes must match what the recipe declares now."""
    from pretrainlab.experiments.config import build_experiment
    from pretrainlab.experiments.preregistration import claims_hash, runs_hash
    from pretrainlab.recipes import recipe_experiment

    exp = build_experiment(recipe_experiment(v["recipe"], v["size"]))
    assert claims_hash(exp) == v["claims_hash"], f"{v['recipe']}: claims changed since the archived verdict"
    assert runs_hash(exp) == v["runs_hash"], f"{v['recipe']}: run configs changed since the archived verdict"
