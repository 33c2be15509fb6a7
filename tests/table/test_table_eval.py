"""Table protocols: ROC-AUC against scikit-learn, nested fine-tuning sets with both classes, the GBDT
features, and the downstream keys."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from pretrainlab.eval.table import FinetuneSettings, downstream_eval, downstream_keys
from pretrainlab.eval.table.finetune import finetune_steps
from pretrainlab.eval.table.gbdt import table_features
from pretrainlab.eval.table.metrics import accuracy, roc_auc
from pretrainlab.eval.table.rows import finetune_rows
from pretrainlab.worlds.table import TableWorldConfig, build_table_world

WORLD = TableWorldConfig(n_pretrain_tables=2, pretrain_rows=16, n_downstream_tables=2, downstream_train_rows=64,
                         downstream_test_rows=60)


@pytest.fixture(scope="module")
def enc():
    return build_table_world(WORLD).downstream


def test_roc_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    score = np.round(rng.normal(size=200) + y, 1)  # many ties
    assert roc_auc(y, score) == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert roc_auc(np.ones(5), np.arange(5)) == 0.5
    assert accuracy(np.array([0, 1, 1]), np.array([0.2, 0.7, 0.4])) == pytest.approx(2 / 3)


def test_finetune_rows_are_nested_seeded_and_hold_both_classes(enc):
    small, large = finetune_rows(enc, 0, 4, seed=0), finetune_rows(enc, 0, 32, seed=0)
    assert np.array_equal(large[:4], small) and set(enc.y[small[:2]]) == {0, 1}
    assert not enc.test[large].any() and (enc.table[large] == 0).all()
    assert not np.array_equal(finetune_rows(enc, 0, 32, seed=1), large)
    with pytest.raises(ValueError, match="train pool has 64"):
        finetune_rows(enc, 0, 65, seed=0)


def test_gbdt_features_native_categories(enc):
    rows = enc.rows(1, test=False)
    X, cat = table_features(enc, rows, rows)
    kinds = enc.kinds[1][enc.kinds[1] != 0]
    assert X.shape == (64, len(kinds)) and np.array_equal(cat, kinds == 2)
    assert np.isnan(X[enc.miss[rows, :len(kinds)]]).all()
    codes = X[:, cat][~np.isnan(X[:, cat])]
    assert (codes == np.round(codes)).all() and codes.min() >= 0


def test_downstream_eval_gbdt_keys_and_drop(enc):
    out, rows = downstream_eval("gbdt", None, enc, [16, 64], FinetuneSettings(), seed=0, device="cpu")
    assert set(out) == downstream_keys([16, 64]) and len(rows) == 4
    drop = out["eval/downstream/n64/auc"] - out["eval/downstream/n16/auc"]
    assert out["eval/downstream/auc_drop"] == pytest.approx(drop)
    assert all(0 <= r["auc"] <= 1 for r in rows)
    assert downstream_keys([32]) == {"eval/downstream/n32/auc", "eval/downstream/n32/acc"}
    assert finetune_steps(32, FinetuneSettings()) == 60 and finetune_steps(512, FinetuneSettings()) == 240
