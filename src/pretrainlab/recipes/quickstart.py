"""quickstart: a small Llama-style model pretrained on the synthetic text world, end to end on CPU.

Not a paper: the smoke run every other recipe builds on. ``full`` runs in a few minutes on 2 CPU
cores and must clearly learn (val loss far below the unigram baseline, fact QA for train people above
chance); ``tiny`` is the same pipeline in well under a minute, for tests.
"""

from __future__ import annotations

import copy

from pretrainlab.recipes.common import size_of

NAME = "quickstart"
PAPER = None
CLAIMS = ["val/loss < baseline/unigram_loss", "eval/fact_qa/train_people > chance"]


CONFIGS = {
    "tiny": {
        "name": "quickstart-tiny",
        "data": {"world": {"n_docs": 800, "n_people": 60, "n_cities": 20, "n_companies": 20,
                           "qa_eval_per_group": 40, "arith_eval_n": 40},
                 "tokenizer": {"vocab_size": 1024, "train_docs": 800}, "seq_len": 128},
        "model": {"size": "nano"},
        "train": {"steps": 60, "batch_size": 8, "lr": 3e-3, "warmup_steps": 10, "log_every": 10,
                  "eval_every": 30},
        "eval": {"val_tokens": 4096, "max_items": 40, "gen_tokens": 24},
    },
    # Sized for <= 5 minutes on 2 CPU cores (docs/benchmarks.md). Few people and a larger QA share
    # give each train-people fact enough exposures to be learned by a ~1M-parameter model.
    "full": {
        "name": "quickstart",
        "data": {"world": {"n_docs": 10000, "n_people": 120, "n_cities": 30, "n_companies": 40,
                           "mix": {"story": 0.2, "encyclopedia": 0.25, "dialog": 0.1, "arithmetic": 0.15,
                                   "code": 0.1, "qa": 0.2},
                           "qa_eval_per_group": 150, "arith_eval_n": 150},
                 "tokenizer": {"vocab_size": 2048, "train_docs": 5000}, "seq_len": 256},
        "model": {"size": "micro"},
        "train": {"steps": 400, "batch_size": 16, "lr": 3e-3, "warmup_steps": 40, "log_every": 20,
                  "eval_every": 200},
        "eval": {"val_tokens": 8192, "max_items": 150},
    },
}
"""The run config per size (other recipes start from a copy and change fields)."""


def config(size: str = "full") -> dict:
    return copy.deepcopy(size_of(CONFIGS, size, NAME))
