"""gnn-pretrain recipe: the experiment validates and plans at both sizes (the attribute-masking stage is shared
by two arms), each stage trains the intended objective on the intended graphs, the claims are wired to
premises, and (slow) a shrunk chain runs end to end with the in-run scratch reference equal to the scratch arm."""

from __future__ import annotations

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.run_config import build_run_config


def _cfg(exp, arm: str, stage: str, seed: int = 0):
    st = next(s for s in exp.arm_stages(arm) if s.name == stage)
    return build_run_config(exp.stage_config(arm, st, seed))


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_gnn_pretrain_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("gnn-pretrain", size))
    seeds = len(exp.seeds)
    assert seeds == {"tiny": 3, "full": 5}[size]
    # per seed: scratch ft; attrmask node (shared with node+graph) + ft; contextpred node + ft; graphsup graph + ft;
    # node+graph graph + ft
    assert len(build_plan(exp, tmp_path).jobs) == seeds * 9
    node, cp = _cfg(exp, "attrmask", "node"), _cfg(exp, "contextpred", "node")
    assert node.objective["name"] == "attr_mask" and node.data.split == "pool" and node.train.steps > 0
    assert cp.objective["name"] == "context_pred" and cp.data.split == "pool"
    for arm in ("graphsup", "attrmask+graphsup"):
        graph = _cfg(exp, arm, "graph")
        assert graph.objective["name"] == "graph_supervised" and graph.data.split == "sup"
        assert graph.eval.protocols == []
    assert exp.arm_stages("attrmask+graphsup")[1].init_from == "node"
    assert exp.arm_stages("graphsup")[0].init_from is None and exp.arm_stages("scratch")[0].init_from is None
    fts = {arm: _cfg(exp, arm, "finetune") for arm in exp.arms}
    assert all(f.train.steps == 0 and f.eval.reference and "finetune" in f.eval.protocols for f in fts.values())
    assert len({str(f.data.world) for f in fts.values()}) == 1  # one downstream world, one scaffold split
    assert len({str(f.model) for f in fts.values()}) == 1       # the reference is the scratch arm's model
    claims = {c.name: c for c in exp.claims}
    (primary,) = [c for c in exp.claims if c.role == "primary"]
    assert primary.arms == ["attrmask+graphsup", "scratch"] and primary.metric == "eval/finetune/auc"
    premises = {c.name for c in exp.claims if c.role == "premise"}
    assert len(premises) == 2 and all(set(c.requires) == premises for c in exp.claims if c.role != "premise")
    neg = claims["node+graph has fewer negative-transfer tasks than graph-level only"]
    assert neg.kind == "less" and neg.arms == ["attrmask+graphsup", "graphsup"]
    assert all(c.min_effect == 0 for c in exp.claims)
    assert get_recipe("gnn-pretrain").NAME == "gnn-pretrain"


@pytest.mark.slow
def test_tiny_chain_runs(tmp_path):
    """Two training steps per stage, one seed, no claims: the pipeline, not the outcome."""
    from pretrainlab.experiments.run import run_experiment

    exp = recipe_experiment("gnn-pretrain", "tiny")
    exp["arms"] = {a: exp["arms"][a] for a in ("scratch", "attrmask+graphsup")}
    exp["claims"], exp["seeds"], exp["metrics"] = [], [0], []
    exp["base"]["data"]["world"].update({"n_train": 40, "n_val": 30, "n_test": 40, "n_pool": 64, "n_pool_val": 16,
                                         "n_sup": 64, "n_sup_val": 16})
    exp["base"]["train"].update({"steps": 2, "threads": 1, "progress": False, "warmup_steps": 1})
    exp["base"]["eval"].update({"report": False, "finetune_epochs": 1, "linear_epochs": 1})
    res, _ = run_experiment(build_experiment(exp), tmp_path / "gnn", report=False)
    scratch, ng = res["scratch"]["finetune"]["0"], res["attrmask+graphsup"]["finetune"]["0"]
    assert 0.0 <= ng["eval/finetune/auc"] <= 1.0 and 0.0 <= ng["eval/finetune/neg_transfer"] <= 1.0
    assert ng["eval/finetune/ref_auc"] == pytest.approx(scratch["eval/finetune/auc"], abs=1e-6)
    assert scratch["eval/finetune/gain"] == 0.0 and scratch["eval/finetune/neg_transfer"] == 0.0
    assert "eval/pretrain/acc_gain" in res["attrmask+graphsup"]["node"]["0"]
    assert "eval/pretrain/auc" in res["attrmask+graphsup"]["graph"]["0"]
