"""Graph evaluation: per-task ROC-AUC against scikit-learn, skipped tasks, fine-tuning determinism, the
frozen linear head, and the negative-transfer comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from pretrainlab.eval.graph import FinetuneSettings, finetune, multitask_auc, transfer_vs_reference
from pretrainlab.models.gin import GIN, GINConfig
from pretrainlab.worlds.graph import GraphWorldConfig, build_graph_world


def test_multitask_auc_matches_sklearn_and_skips_one_class_tasks():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (50, 3)).astype(np.float32)
    y[:5, 0] = np.nan
    y[:, 2] = 1.0  # one class: skipped
    s = rng.normal(size=(50, 3)) + y
    r = multitask_auc(y, s)
    seen = ~np.isnan(y[:, 0])
    assert r["per_task"][0] == pytest.approx(roc_auc_score(y[seen, 0], s[seen, 0]))
    assert r["per_task"][1] == pytest.approx(roc_auc_score(y[:, 1], s[:, 1]))
    assert math.isnan(r["per_task"][2]) and r["skipped"] == 1
    assert r["auc"] == pytest.approx((r["per_task"][0] + r["per_task"][1]) / 2)


def test_transfer_vs_reference_by_hand():
    t = transfer_vs_reference([0.8, 0.6, math.nan, 0.7], [0.7, 0.65, 0.9, 0.7])
    assert t["gain"] == pytest.approx((0.1 - 0.05 + 0.0) / 3)
    assert t["neg_transfer"] == pytest.approx(1 / 3) and math.isnan(t["per_task_gain"][2])


@pytest.fixture(scope="module")
def splits():
    w = build_graph_world(GraphWorldConfig(n_train=40, n_val=20, n_test=20, n_pool=4, n_pool_val=4, n_sup=4,
                                           n_sup_val=4, n_tasks=3))
    return {k: w.splits[k] for k in ("train", "val", "test")}, w


def _gin(w) -> GIN:
    torch.manual_seed(0)
    return GIN(GINConfig("test", node_vocab=w.node_vocab, edge_vocab=w.edge_vocab))


def test_finetune_is_seeded_and_leaves_the_backbone_alone(splits):
    sp, w = splits
    gin = _gin(w)
    before = {k: v.clone() for k, v in gin.state_dict().items()}
    s = FinetuneSettings(epochs=2, batch_size=16)
    a, b = finetune(gin, sp, s, 0, torch.device("cpu")), finetune(gin, sp, s, 0, torch.device("cpu"))
    assert a == b and 1 <= a["epoch"] <= 2 and len(a["test"]["per_task"]) == 3
    assert all(torch.equal(before[k], v) for k, v in gin.state_dict().items())  # fine-tunes a copy
    lin = finetune(gin, sp, FinetuneSettings(epochs=3, lr=1e-2, freeze=True), 0, torch.device("cpu"))
    assert 0.0 <= lin["test"]["auc"] <= 1.0
