"""Table evaluation protocols: transfer to held-out tables at several row counts, and masked cells.

``downstream_eval`` (the UniTabE protocol): for every held-out table and every n in ``row_counts``, the
learner gets n rows of the table's train pool (rows.py; nested, both classes) and predicts its test rows:

* ``finetune``: the run's encoder fine-tuned with a classification head (finetune.py);
* ``gbdt``: scikit-learn's HistGradientBoostingClassifier on the same rows (gbdt.py), the encoder unused.

Keys (means over the held-out tables)::

    eval/downstream/n<n>/auc, eval/downstream/n<n>/acc    per row count
    eval/downstream/auc_drop                              auc at the largest n minus auc at the smallest

``auc_drop`` lets a claim compare gains across row counts: "pretrained's drop is smaller than scratch's"
is exactly ``(P_small - S_small) > (P_large - S_large)``, the gain of pretraining is larger at the
smallest row count. ``masked.py``: the masked-cell loss on the held-out tables' test rows.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.eval.table.finetune import FinetuneSettings, finetune_predict
from pretrainlab.eval.table.gbdt import gbdt_predict
from pretrainlab.eval.table.masked import masked_cell_eval
from pretrainlab.eval.table.metrics import accuracy, roc_auc
from pretrainlab.eval.table.rows import finetune_rows
from pretrainlab.worlds.table.encode import EncodedTables

LEARNERS = ("finetune", "gbdt")


def downstream_keys(row_counts: list[int]) -> set[str]:
    keys = {f"eval/downstream/n{n}/{m}" for n in row_counts for m in ("auc", "acc")}
    return keys | ({"eval/downstream/auc_drop"} if len(row_counts) >= 2 else set())


def downstream_eval(learner: str, backbone, enc: EncodedTables, row_counts: list[int], settings: FinetuneSettings,
                    seed: int, device, tables: list[int] | None = None) -> tuple[dict, list[dict]]:
    """(summary keys, per-table rows for metrics.jsonl) of ``learner`` on the held-out tables."""
    if learner not in LEARNERS:
        raise ValueError(f"eval.learner: unknown learner '{learner}'; choose one of {LEARNERS}")
    tables = list(range(int(enc.table.max()) + 1)) if tables is None else tables
    per_table, out = [], {}
    for n in row_counts:
        aucs, accs = [], []
        for t in tables:
            train, test = finetune_rows(enc, t, n, seed), enc.rows(t, test=True)
            if learner == "gbdt":
                prob = gbdt_predict(enc, train, test, seed)
            else:
                prob = finetune_predict(backbone, enc, t, train, test, settings, seed, device)
            aucs.append(roc_auc(enc.y[test], prob))
            accs.append(accuracy(enc.y[test], prob))
            per_table.append({"table": t, "rows": n, "auc": aucs[-1], "acc": accs[-1]})
        out[f"eval/downstream/n{n}/auc"], out[f"eval/downstream/n{n}/acc"] = float(np.mean(aucs)), float(np.mean(accs))
    if len(row_counts) >= 2:
        lo, hi = min(row_counts), max(row_counts)
        out["eval/downstream/auc_drop"] = out[f"eval/downstream/n{hi}/auc"] - out[f"eval/downstream/n{lo}/auc"]
    return out, per_table


__all__ = ["LEARNERS", "FinetuneSettings", "downstream_eval", "downstream_keys", "finetune_rows", "masked_cell_eval",
           "roc_auc"]
