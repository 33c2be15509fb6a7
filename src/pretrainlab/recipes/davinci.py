"""davinci: "daVinci-LLM: Towards the Science of Pretraining" (GAIR-NLP; METHODS-2 #19).

Mechanism: (1) "Data Darwinism", a ladder of processing depths: L1 format normalisation, L2 rule
filters and dedup, L3 model-based filtering, L4 generative refinement (repair noise, keep
semantics), L5 cognitive completion (make implicit reasoning explicit). Deeper processing is claimed
to give better models at a fixed token budget. (2) A two-stage curriculum: a foundational mix, then
a stage that upweights reasoning-intensive data; too extreme a ratio hurts general ability.

Here, on a world with 30% noisy prose and 10% exact + 5% near duplicates, each depth is a cumulative
``data.curate`` pipeline on the training documents (val docs stay raw), trained at equal tokens:

* L1 ``normalize``; L2 + Gopher repetition/quality, C4 and FineWeb rules on prose, exact dedup;
* L3 + MinHash near-dedup. The paper's model-based quality filter needs a trained classifier file
  (``quality_classifier.model``); near-dedup stands in for it, so L3 is a weaker step than the paper's;
* L4 + generative refinement: the ``simplify`` rewriter with its lexicon mapping disabled
  (``core_size`` above the lexicon), so it only removes noise lines and repairs typos;
* L5 + cognitive completion: the ``complete`` rewriter writes the worked place-value steps after each
  arithmetic problem (from the generator's ground truth).

Reasoning probe: held-out arithmetic, greedy exact match (``eval/arithmetic``).
Stage-2 sweep: one shared stage-1 pretraining on the world mix, then continued training with
general (story, encyclopedia, dialog, qa) : reasoning (arithmetic, code) = 90:10, 50:50, 10:90.
Claim (iii) of the paper (domains saturate at different token counts) is visible in the per-source
training-loss curves of each run (``train/loss/<source>``), not judged.
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "davinci"
PAPER = "daVinci-LLM: Towards the Science of Pretraining (GAIR-NLP)"
CLAIMS = ["reasoning accuracy rises with processing depth", "deepest processing beats shallowest",
          "stage-2 upweighting lowers reasoning loss", "extreme reasoning ratio raises general loss"]
STATUS = "runs"

PROSE = ["story", "encyclopedia", "dialog"]
GENERAL = ["story", "encyclopedia", "dialog", "qa"]
REASONING = ["arithmetic", "code"]
OPS = {
    "L1": [{"name": "normalize"}],
    "L2": [{"name": "gopher_repetition", "domains": PROSE},
           {"name": "gopher_quality", "domains": PROSE, "count_punctuation": False},
           {"name": "c4", "domains": PROSE, "filter_no_terminal_punct": False},
           {"name": "fineweb", "domains": PROSE}, {"name": "exact_dedup"}],
    "L3": [{"name": "minhash_dedup"}],
    "L4": [{"name": "simplify", "domains": PROSE, "params": {"core_size": 100000}}],
    "L5": [{"name": "simplify", "rewriter": "complete", "domains": ["arithmetic"]}],
}
RATIOS = {"g90-r10": 0.1, "g50-r50": 0.5, "g10-r90": 0.9}

SIZES = {
    #       n_docs, model, seq_len, batch, steps, stage-2 steps, depths, seeds
    "tiny": (800, "nano", 64, 8, 40, 20, ["L1", "L3", "L5"], 2),
    "full": (6000, "micro", 256, 16, 200, 100, ["L1", "L2", "L3", "L4", "L5"], 2),
}


def pipeline(depth: str) -> list[dict]:
    """The cumulative curation steps of processing depth ``depth`` (L1..L5)."""
    levels = list(OPS)
    return [step for level in levels[:levels.index(depth) + 1] for step in OPS[level]]


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"davinci: unknown size '{size}'; choose one of {list(SIZES)}")
    n_docs, model, seq_len, batch, steps, s2_steps, depths, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = NAME
    base["data"]["world"].update({"n_docs": n_docs, "val_frac": 0.1, "noise_rate": 0.3, "dup_rate": 0.1,
                                  "near_dup_rate": 0.05})
    base["data"]["seq_len"] = seq_len
    base["model"]["size"] = model
    base["train"].update({"steps": steps, "batch_size": batch, "warmup_steps": max(2, steps // 10),
                          "eval_every": 0})
    base["eval"].update({"groups": {"general": GENERAL, "reasoning": REASONING}, "fact_qa": False,
                         "generations": 0})
    if size == "tiny":
        base["eval"].update({"val_tokens": 1024, "max_items": 40, "report": False})
    arms = {d: {"description": f"processing depth {d}: " + ", ".join(s["name"] if s["name"] != "simplify"
                                                                     else s.get("rewriter", "simplify")
                                                                     for s in pipeline(d)),
                "overrides": {"data.curate": pipeline(d)}} for d in depths}
    stage1 = {"name": "stage1", "overrides": {}}
    for arm, r in RATIOS.items():
        weights = {**{d: (1 - r) / len(GENERAL) for d in GENERAL}, **{d: r / len(REASONING) for d in REASONING}}
        arms[arm] = {"description": f"stage 2 with general:reasoning = {1 - r:.0%}:{r:.0%}", "stages": [
            stage1, {"name": "stage2", "init_from": "stage1", "overrides": {
                "data.weights": weights, "train.steps": s2_steps, "train.lr": 1e-3,
                "train.warmup_steps": max(1, s2_steps // 10)}}]}
    claims = [
        {"name": "reasoning accuracy rises with processing depth", "kind": "monotonic_increasing",
         "metric": "eval/arithmetic", "arms": depths,
         "paper": "accuracy on reasoning probes rises with data-processing depth at a fixed token budget"},
        {"name": "deepest processing beats shallowest", "kind": "greater", "metric": "eval/arithmetic",
         "arms": [depths[-1], depths[0]],
         "paper": "L5-processed data beats L1-processed data at equal tokens"},
        {"name": "stage-2 upweighting lowers reasoning loss", "kind": "monotonic_decreasing",
         "metric": "val/loss/reasoning", "arms": list(RATIOS), "stage": "stage2",
         "paper": "stage-2 reasoning upweighting raises reasoning ability"},
        {"name": "extreme reasoning ratio raises general loss", "kind": "greater", "metric": "val/loss/general",
         "arms": ["g10-r90", "g50-r50"], "stage": "stage2",
         "paper": "extreme ratios raise general val loss (collapse), so a balanced ratio is best"},
    ]
    return {"name": f"{NAME}-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims,
            "metrics": ["eval/arithmetic", "eval/arithmetic_ood", "val/loss/reasoning", "val/loss/general"]}
