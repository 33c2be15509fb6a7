"""tinyhelen-leaner: "TinyHelen's First Curriculum: Training and Evaluating Tiny Language Models in a
Simpler Language Environment" (Yang, Kindratenko, Zhai; arXiv 2501.00522).

Mechanism: rewrite the pretraining corpus into a "no noise, low complexity" version (an LLM in the
paper; here the world's rule-based ``simplify`` rewriter: noise lines removed, typos repaired, rare
content words mapped to a ~30-word core lexicon per part of speech) and pretrain tiny LMs on the
original vs the leaner corpus at an equal token budget. Second, an iterative easy->hard curriculum
(add the next chunk of ranked data when eval loss stops improving).

Here, one world with 40% noisy prose and a 3000-word vocabulary is rendered two ways
(``world.rewriter``); QA, arithmetic and code documents are identical in both renderings. Arms:

* ``original`` vs ``leaner``: same steps x batch x sequence length. Measured on the shared content:
  fact QA of the train people (5-way multiple choice; the paper's instruction EM analogue) and bits
  per byte on the identical QA/arithmetic/code val docs (bpb because the tokenizers differ).
* ``leaner-curriculum``: the leaner corpus with the competence-based length curriculum
  (``data.order``: early steps draw only from the shortest documents, everything from mid-run). It
  stands in for the paper's iterative curriculum, whose chunk schedule depends on eval loss (our
  batches are a pure function of the step) and whose ranking is by sentence length or model loss.
  "Reaches the random-order loss in fewer steps" is measured as a lower val loss at mid-run
  (``first_eval``) than ``leaner`` (same data and tokenizer).
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "tinyhelen-leaner"
PAPER = "TinyHelen's First Curriculum (Yang, Kindratenko, Zhai; arXiv 2501.00522)"
CLAIMS = ["leaner pretraining raises fact QA", "leaner pretraining lowers loss on shared content",
          "easy->hard curriculum is ahead at mid-run"]
STATUS = "runs"

SHARED = ["qa", "arithmetic", "code"]

SIZES = {
    #       n_docs, model, seq_len, batch, steps, seeds
    "tiny": (800, "nano", 64, 8, 40, 2),
    "full": (8000, "micro", 256, 16, 300, 3),
}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"tinyhelen-leaner: unknown size '{size}'; choose one of {list(SIZES)}")
    n_docs, model, seq_len, batch, steps, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = NAME
    base["data"]["world"].update({"n_docs": n_docs, "val_frac": 0.1, "noise_rate": 0.4, "vocab_size": 3000})
    base["data"]["seq_len"] = seq_len
    base["model"]["size"] = model
    base["train"].update({"steps": steps, "batch_size": batch, "warmup_steps": max(2, steps // 10),
                          "eval_every": steps // 2})
    base["eval"].update({"groups": {"shared": SHARED}, "arithmetic": False, "generations": 0})
    if size == "tiny":
        base["eval"].update({"val_tokens": 1024, "max_items": 20, "report": False})
    leaner = {"data.world.rewriter": "simplify"}
    arms = {
        "original": {"description": "noisy original rendering, 3000-word vocabulary"},
        "leaner": {"description": "leaner rendering of the same world (simplify rewriter)", "overrides": leaner},
        "leaner-curriculum": {"description": "leaner, shortest documents first (competence curriculum)",
                              "overrides": {**leaner, "data.order": {"by": "length", "start_frac": 0.2,
                                                                     "full_at": 0.5}}},
    }
    claims = [
        {"name": "leaner pretraining raises fact QA", "kind": "greater", "metric": "eval/fact_qa/train_people",
         "arms": ["leaner", "original"],
         "paper": "at equal tokens, leaner pretraining gives higher instruction-following accuracy"},
        {"name": "leaner pretraining lowers loss on shared content", "kind": "less", "metric": "val/bpb/shared",
         "arms": ["leaner", "original"],
         "paper": "at equal tokens, leaner pretraining gives lower loss on the shared content"},
        {"name": "easy->hard curriculum is ahead at mid-run", "kind": "less", "metric": "first_eval/val/loss",
         "arms": ["leaner-curriculum", "leaner"],
         "paper": "the iterative easy->hard curriculum reaches the random-order eval loss in fewer steps"},
    ]
    return {"name": f"{NAME}-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims,
            "metrics": ["eval/fact_qa/train_people", "val/bpb/shared", "first_eval/val/loss", "val/loss"]}
