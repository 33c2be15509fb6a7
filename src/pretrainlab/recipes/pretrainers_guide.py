"""pretrainers-guide: "A Pretrainer's Guide to Training Data: Measuring the Effects of Data Age, Domain
Coverage, Quality, & Toxicity" (Longpre, Yauney, Reif, Lee, Roberts, Zoph, Zhou, Wei, Robinson, Mimno,
Ippolito; NAACL 2024, arXiv 2305.13169).

Mechanism: data-design ablations, not a new algorithm. (1) Data age: pretrain on corpora from
different years and evaluate on data from a later year; temporal misalignment degrades performance.
(2) Filters: a quality filter (drop the lowest-quality documents) and a toxicity filter (drop the most
toxic), plus the *inverse* toxicity filter (drop the least toxic). (3) Domain composition:
leave-one-domain-out; heterogeneous sources (books, web) matter most.

Here, on the synthetic world with 30% noisy prose and 30% toxic dialogs, at equal tokens, every arm
evaluated on a noise-free val split (``world.val_noise_rate: 0``; a filtered model would otherwise be
judged on the very noise its filter removed):

* data age: arms pretrain on docs stamped 2000-04 (2005-09 at full) or 2010-14 and all evaluate on
  the same val docs stamped 2015-19 (``world.val_years``); facts drift (employers, CEOs,
  populations), so newer training data is closer to the eval year. Tokenizers differ between arms, so
  the metric is bits per byte on the dated domains (encyclopedia, dialog).
* quality filter: datatrove's Gopher/C4/FineWeb rules on prose (``data.curate``) stand in for the
  paper's classifier (a ``quality_classifier`` step needs a trained model file; plug one in the same
  way). Measured on fact QA (5-way multiple choice by log-prob).
* toxicity filter (marker-lexicon scorer, the Perspective stand-in) and inverse filter (only toxic
  dialogs kept). Toxic generation is measured by a proxy: bits per byte on val dialogs, 30% of which
  carry insult lines; a model that never saw the markers finds that text less likely.
  Toxicity *identification* is not measured (the world has no identification task).
* leave-one-domain-out: drop story (books-like, broad) vs code (narrow) from the mixture (weights
  only, same tokenizer), measured on the val loss averaged over every domain.

Not encoded: "a small fine-tune on eval-year data does not close the gap" (one world holds one range
of training years).
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "pretrainers-guide"
PAPER = "A Pretrainer's Guide to Training Data (Longpre et al., NAACL 2024, arXiv 2305.13169)"
CLAIMS = ["temporal misalignment hurts eval-year performance", "quality filter helps QA",
          "toxicity filter lowers toxic likelihood", "inverse toxicity filter raises it",
          "dropping a broad domain hurts more than a narrow one"]
STATUS = "runs"

PROSE = ["story", "encyclopedia", "dialog"]
DATED = ["encyclopedia", "dialog"]
EVAL_YEARS = (2015, 2019)
QUALITY_RULES = [
    {"name": "gopher_repetition", "domains": PROSE},
    {"name": "gopher_quality", "domains": PROSE, "count_punctuation": False},
    {"name": "c4", "domains": PROSE, "filter_no_terminal_punct": False},
    {"name": "fineweb", "domains": PROSE},
]

SIZES = {
    #       n_docs, model, seq_len, batch, steps, year windows (oldest first), seeds
    "tiny": (800, "nano", 64, 8, 40, [(2000, 2004), (2010, 2014)], 2),
    "full": (6000, "micro", 256, 16, 200, [(2000, 2004), (2005, 2009), (2010, 2014)], 2),
}


def _base(size: str) -> dict:
    n_docs, model, seq_len, batch, steps, _, _ = SIZES[size]
    base = quickstart.config(size)
    base["name"] = NAME
    base["data"]["world"].update({"n_docs": n_docs, "val_frac": 0.1, "noise_rate": 0.3, "val_noise_rate": 0.0,
                                  "toxicity_rate": 0.3})
    base["data"]["seq_len"] = seq_len
    base["model"]["size"] = model
    base["train"].update({"steps": steps, "batch_size": batch, "warmup_steps": max(2, steps // 10),
                          "eval_every": 0})
    base["eval"].update({"groups": {"dated": DATED}, "arithmetic": False, "generations": 0})
    if size == "tiny":
        base["eval"].update({"val_tokens": 1024, "max_items": 20, "report": False})
    return base


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"pretrainers-guide: unknown size '{size}'; choose one of {list(SIZES)}")
    windows, n_seeds = SIZES[size][5], SIZES[size][6]
    age_arms = {f"age-{lo}-{hi % 100:02d}": {
        "description": f"train docs stamped {lo}-{hi}; val docs stamped {EVAL_YEARS[0]}-{EVAL_YEARS[1]}",
        "overrides": {"data.world.train_years": [lo, hi], "data.world.val_years": list(EVAL_YEARS)}}
        for lo, hi in windows}
    toxicity = {"name": "toxicity"}
    arms = {
        "baseline": {"description": "no filter, the world mix"},
        "quality-filter": {"description": "Gopher/C4/FineWeb rules on prose (drops most noisy docs)",
                           "overrides": {"data.curate": QUALITY_RULES}},
        "toxicity-filter": {"description": "drop every doc with a toxicity marker",
                            "overrides": {"data.curate": [toxicity]}},
        "inverse-toxicity": {"description": "inverse filter: drop the non-toxic dialogs, keep the toxic ones",
                             "overrides": {"data.curate": [{**toxicity, "invert": True, "domains": ["dialog"]}]}},
        "drop-story": {"description": "leave out story (broad, books-like)", "overrides": {"data.weights": {
            "encyclopedia": 0.30, "dialog": 0.12, "arithmetic": 0.13, "code": 0.10, "qa": 0.10}}},
        "drop-code": {"description": "leave out code (narrow)", "overrides": {"data.weights": {
            "story": 0.25, "encyclopedia": 0.30, "dialog": 0.12, "arithmetic": 0.13, "qa": 0.10}}},
        **age_arms,
    }
    claims = [
        {"name": "temporal misalignment hurts eval-year performance", "kind": "monotonic_decreasing",
         "metric": "val/bpb/dated", "arms": list(age_arms),
         "paper": "temporal misalignment between pretraining and evaluation data degrades performance; "
                  "newer pretraining data is better on newer evaluation data"},
        {"name": "quality filter helps QA", "kind": "greater", "metric": "eval/fact_qa/train_people",
         "arms": ["quality-filter", "baseline"],
         "paper": "quality filtering improves QA performance (despite removing data)"},
        {"name": "toxicity filter lowers toxic likelihood", "kind": "greater", "metric": "val/bpb/dialog",
         "arms": ["toxicity-filter", "baseline"],
         "paper": "toxicity filtering reduces toxic generation (proxy: toxic dialog is less likely)"},
        {"name": "inverse toxicity filter raises it", "kind": "less", "metric": "val/bpb/dialog",
         "arms": ["inverse-toxicity", "baseline"],
         "paper": "the inverse toxicity filter (removing the least toxic data) keeps or raises toxicity"},
        {"name": "dropping a broad domain hurts more than a narrow one", "kind": "greater",
         "metric": "val/loss", "arms": ["drop-story", "drop-code"],
         "paper": "leaving out heterogeneous sources (books, web) hurts average performance most"},
    ]
    return {"name": f"{NAME}-{size}", "paper": PAPER, "base": _base(size), "arms": arms,
            "seeds": list(range(n_seeds)), "claims": claims,
            "metrics": ["val/bpb/dated", "val/bpb/dialog", "val/loss", "eval/fact_qa/train_people"]}
