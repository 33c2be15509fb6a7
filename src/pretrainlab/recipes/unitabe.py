"""unitabe: "UniTabE: A Universal Pretraining Protocol for Tabular Foundation Model in Data Science"
(Yang, Wang, Li, Wang, Zhou, Wu, Li; ICLR 2024, arXiv 2307.09249), METHODS-2 #36.

Mechanism: one TabUnit vector per cell (column-name tokens fused with the value through a gated link),
a transformer over a row's cells with a [CLS] row vector, pretrained on many tables by multi-cell
masking (reconstruct the masked values) plus a contrastive loss between two views of the same row; then
fine-tuned on a new table. Here (models/tabunit.py, objectives/unitabe.py): the same, with numbers as
value-scaled embeddings and a classification head in place of the paper's free-form LSTM decoder.

World (worlds/table/): ``n_pretrain_tables`` tables with random schemas over 32 shared concepts (numeric
and categorical columns, synonyms as column names, missing cells), all functions of one latent row
vector; ``n_downstream_tables`` held-out tables from a separate seed stream (new schemas, new rows) with
a binary target concept. Binary concepts also occur as ordinary columns of pretraining tables (as churn
or default columns recur across real datasets): that shared semantics is what universal tabular
pretraining bets on, and what the claims test on tables and rows the encoder never saw.

Arms (3 seeds tiny, 5 full; a seed changes the pretraining, the initialisation and which rows of each
held-out table form the fine-tuning sets):

* ``pretrained``: ``pretrain`` (masked + contrastive, weights 1 and 1) -> ``finetune`` (``init_from``,
  ``train.steps: 0``: the evaluation fine-tunes a copy of the encoder per table and row count);
* ``scratch``: the same encoder, randomly initialised, fine-tuned the same way with the same budget;
* ``gbdt``: ``eval.learner: gbdt``, scikit-learn's HistGradientBoostingClassifier on the same rows
  (categorical columns native; eval/table/gbdt.py; the encoder is unused).

Every learner gets n in ``ROW_COUNTS`` rows of each held-out table's train pool (nested sets, both
classes) and is scored once by ROC-AUC on the table's test rows, averaged over the held-out tables.

Claims (METHODS-2 #36: "pretraining beats scratch, most at low row counts, and is competitive with GBDT"):

* premise ``pretraining learned the cells of unseen tables``: masked-cell loss (CE + MSE) on the held-out
  tables' test rows, pretrained below scratch (its untrained start) by at least 0.1;
* primary ``pretraining beats scratch at 32 rows``: AUC at the lowest row count, greater (min_effect 0);
* secondary ``the gain is largest at the lowest row count``: ``auc_drop`` = AUC(512) - AUC(32) is smaller
  for pretrained than for scratch, i.e. (P32 - S32) > (P512 - S512), kind ``less``;
* secondary ``competitive with GBDT at 32 rows`` and ``... at 512 rows``: noninferior, margin 0.02 AUC;
* sanity ``GBDT learns the held-out tasks``: GBDT's AUC at 512 rows above 0.5 (the tasks are learnable).

Not built: the paper's incremental-column test and regression targets; the tiny size is a smoke-scale
check, the full size the small reproduction.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.recipes.common import seeds, size_of

NAME = "unitabe"
PAPER = ("UniTabE: A Universal Pretraining Protocol for Tabular Foundation Model in Data Science "
         "(arXiv 2307.09249)")
CLAIMS = ["pretraining beats scratch at the lowest row count (primary)", "the gain is largest at low row counts",
          "competitive with GBDT (noninferior, margin 0.02 AUC)"]
STATUS = "inconclusive"

@dataclass(frozen=True)
class Size:
    n_tables: int
    """Pretraining tables."""
    rows: int
    """Rows per pretraining table."""
    n_down: int
    """Held-out downstream tables (never pretrained on)."""
    n_test: int
    """Test rows per downstream table."""
    preset: str
    """TabUnit preset (models/tabunit.py)."""
    steps: int
    batch: int
    lr: float


SIZES = {
    "tiny": Size(60, 256, 3, 500, "test", 600, 64, 2e-3),
    "full": Size(200, 512, 5, 1000, "small", 3000, 64, 2e-3),
}
ROW_COUNTS = [32, 128, 512]
GBDT_MARGIN = 0.02
"""AUC points by which pretrained may trail GBDT and still count as competitive (declared before any run)."""
MASKED_MIN_EFFECT = 0.1
"""Masked-cell loss units by which pretrained must be below its untrained start on held-out tables."""


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    n_tables, rows, n_down, n_test, preset, steps, batch, lr = (s.n_tables, s.rows, s.n_down, s.n_test, s.preset,
                                                                s.steps, s.batch, s.lr)
    world = {"seed": 0, "n_pretrain_tables": n_tables, "pretrain_rows": rows, "n_downstream_tables": n_down,
             "downstream_train_rows": max(ROW_COUNTS), "downstream_test_rows": n_test}
    base = {
        "name": "unitabe", "modality": "table",
        "data": {"world": world},
        "model": {"preset": preset},
        "objective": {"masked_weight": 1.0, "contrastive_weight": 1.0, "mask_ratio": 0.3, "view_keep": 0.6},
        "train": {"steps": steps, "batch_size": batch, "lr": lr, "warmup_steps": max(2, steps // 20),
                  "weight_decay": 0.01, "log_every": max(1, steps // 20), "ckpt_every": 0, "eval_every": 0},
        "eval": {"learner": "finetune", "row_counts": ROW_COUNTS},
    }
    pretrain = {"name": "pretrain", "overrides": {"eval.row_counts": []}}  # the finetune stage evaluates
    finetune = {"name": "finetune", "overrides": {"train.steps": 0}}
    arms = {
        "pretrained": {"description": "UniTabE pretraining (masked cells + contrastive rows), then fine-tuning",
                       "stages": [pretrain, {**finetune, "init_from": "pretrain"}]},
        "scratch": {"description": "the same TabUnit encoder, no pretraining, fine-tuned the same way",
                    "stages": [finetune]},
        "gbdt": {"description": "HistGradientBoostingClassifier on the same rows",
                 "stages": [{"name": "finetune", "overrides": {"train.steps": 0, "eval.learner": "gbdt"}}]},
    }
    lo, hi = min(ROW_COUNTS), max(ROW_COUNTS)
    auc = lambda n: f"eval/downstream/n{n}/auc"  # noqa: E731
    learned = "pretraining learned the cells of unseen tables"
    claims = [
        {"name": learned, "kind": "less", "metric": "eval/masked/loss", "arms": ["pretrained", "scratch"],
         "min_effect": MASKED_MIN_EFFECT, "role": "premise",
         "paper": "multi-cell masking pretraining learns to fill in cells from column names and other cells"},
        {"name": f"pretraining beats scratch at {lo} rows", "kind": "greater", "metric": auc(lo),
         "arms": ["pretrained", "scratch"], "chance": 0.5, "role": "primary", "requires": [learned],
         "paper": "pretraining beats training from scratch on new tables"},
        {"name": "the gain is largest at the lowest row count", "kind": "less", "metric": "eval/downstream/auc_drop",
         "arms": ["pretrained", "scratch"], "requires": [learned],
         "paper": f"the gain is largest with few rows: (P{lo} - S{lo}) > (P{hi} - S{hi}) in AUC"},
        {"name": f"competitive with GBDT at {lo} rows", "kind": "noninferior", "metric": auc(lo),
         "arms": ["pretrained", "gbdt"], "margin": GBDT_MARGIN, "chance": 0.5,
         "paper": "competitive with gradient-boosted trees"},
        {"name": f"competitive with GBDT at {hi} rows", "kind": "noninferior", "metric": auc(hi),
         "arms": ["pretrained", "gbdt"], "margin": GBDT_MARGIN, "chance": 0.5,
         "paper": "competitive with gradient-boosted trees"},
        {"name": "GBDT learns the held-out tasks", "kind": "above", "metric": auc(hi), "arms": ["gbdt"],
         "value": 0.5, "role": "sanity", "paper": "design check: the held-out targets are learnable from their rows"},
    ]
    return {"name": f"unitabe-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "stages": [pretrain], "claims": claims,
            "metrics": [auc(n) for n in ROW_COUNTS] + ["eval/masked/loss", "eval/downstream/auc_drop"]}
