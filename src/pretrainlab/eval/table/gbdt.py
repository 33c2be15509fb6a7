"""The gradient-boosted tree baseline: scikit-learn's ``HistGradientBoostingClassifier`` on the same rows.

Features are the table's cells: numeric columns as their (z-scored; trees are invariant to it) values
with NaN for missing, categorical columns as ordinal codes of the category tokens seen in the train rows, declared
``categorical_features`` so the trees split on categories natively (missing: NaN). Defaults of scikit-learn
except ``min_samples_leaf = max(3, min(20, n // 10))``: the default 20 allows at most one split on 32 rows,
which would make the baseline a straw man at the lowest row counts. Seeded by the run seed.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.worlds.table.encode import EncodedTables


def table_features(enc: EncodedTables, rows: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(X (n, C_t) float, categorical mask (C_t,)) of ``rows``; category codes are indexed over ``ref`` rows."""
    t = int(enc.table[rows[0]])
    kinds = enc.kinds[t][enc.kinds[t] != 0]
    X = np.zeros((len(rows), len(kinds)))
    for j, kind in enumerate(kinds):
        miss = enc.miss[rows, j]
        if kind == 1:
            X[:, j] = np.where(miss, np.nan, enc.num[rows, j])
        else:
            codes = {tok: i for i, tok in enumerate(np.unique(enc.cat[ref, j]))}
            X[:, j] = [np.nan if m else codes.get(tok, np.nan) for tok, m in zip(enc.cat[rows, j], miss)]
    return X, kinds == 2


def gbdt_predict(enc: EncodedTables, train: np.ndarray, test: np.ndarray, seed: int) -> np.ndarray:
    """P(y = 1) of the ``test`` rows from a GBDT fitted on the ``train`` rows."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    Xtr, cat = table_features(enc, train, train)
    Xte, _ = table_features(enc, test, train)  # categories unseen in train rows: missing
    leaf = max(3, min(20, len(train) // 10))
    clf = HistGradientBoostingClassifier(categorical_features=cat, min_samples_leaf=leaf, random_state=seed)
    clf.fit(Xtr, enc.y[train])
    return clf.predict_proba(Xte)[:, 1]
