"""syne-cpt: "Towards Effective and Efficient Continual Pre-training of Large Language Models"
(Llama-3-SynE; Chen et al., ACL 2025, arXiv 2407.18743).

Mechanism: continued pretraining (CPT) of an English-centric base model on a second language. Stage 1
(bilingual adaptation) mixes new-language : English replay = 2 : 8; stage 2 (synthetic enhancement)
adds synthesised QA data, new : English : synthetic = 1 : 7 : 2.

Here: language A = the world's English prose (story, encyclopedia, dialog); language B = Zorbish,
the world's synthetic language (lexicon bijection + noun-adjective order, ``worlds/text/languages``)
over the same facts (``lang_zorbish``: stories and bios translated). Synthetic QA = the world's fact
QA lines in English (``qa``) and in Zorbish (``qa_zorbish``, ``TextWorldConfig.translated``). The base
model is pretrained on A only, without QA (run once per seed, shared by every arm); every CPT arm then
runs the same number of steps from it with a re-warmed cosine schedule, only ``data.weights`` (or
``data.stages``) differ:

* ``base``: no CPT (0 steps; evaluates the base checkpoint);
* ``b-only``: B only (no replay); ``replay-5:5`` and ``replay-2:8``: B : A replay;
* ``syne-2stage``: the paper's recipe: first half 2 : 8, second half B : A : QA = 1 : 7 : 2 (QA split
  evenly between English and Zorbish).

Claims (METHODS-1 #9): B-only forgets A; more replay forgets less; 2 : 8 keeps A near base while B loss
falls (non-inferiority: A loss at most 0.15 nats above the base; a small base is not converged, so
replayed A keeps improving and an equivalence test would fail for the wrong reason); adding
synthetic QA raises QA in both languages. The paper measures QA exact match; a tiny
model's greedy EM is ~0, so QA in English is the 5-way multiple-choice accuracy on train-people facts
(``eval/fact_qa/train_people``, chance 0.2) and QA in Zorbish the held-out loss of Zorbish QA documents
(``val/loss/qa_zorbish``; the eval suite has no Zorbish QA set). The paper's topic-dynamic mixture
and perplexity curriculum are not reproduced (no topic classifier in the world).
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "syne-cpt"
PAPER = ("Towards Effective and Efficient Continual Pre-training of Large Language Models "
         "(Llama-3-SynE, arXiv 2407.18743)")
CLAIMS = ["B-only CPT forgets language A", "more replay forgets less", "2:8 replay keeps A near base",
          "2:8 replay lowers B loss", "synthetic QA raises QA in A", "synthetic QA raises QA in B"]
STATUS = "runs"

LANG = "zorbish"
A = ["story", "encyclopedia", "dialog"]
B = f"lang_{LANG}"
QA = ["qa", f"qa_{LANG}"]

SIZES = {
    #        pretrain steps, CPT steps, lr, seeds
    "tiny": (80, 60, 3e-3, 2),
    "full": (300, 120, 3e-3, 2),
}


def mix(b: float, a: float, qa: float = 0.0) -> dict[str, float]:
    """``data.weights`` for new language : English replay : synthetic QA = b : a : qa."""
    out = {B: b} | {d: a / len(A) for d in A}
    return out | ({d: qa / len(QA) for d in QA} if qa > 0 else {})


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"syne-cpt: unknown size '{size}'; choose one of {list(SIZES)}")
    pt_steps, cpt_steps, lr, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = "syne-cpt"
    base["data"]["world"].update({
        "mix": {"story": 0.3, "encyclopedia": 0.35, "dialog": 0.15, "qa": 0.2},
        "languages": [LANG], "language_frac": 0.3, "translated": {"qa": 0.1}})
    base["eval"].update({"groups": {"lang_a": A}, "arithmetic": False, "generations": 0})
    pretrain = {"name": "pretrain", "overrides": {
        "data.weights": {d: 1.0 for d in A}, "train.steps": pt_steps, "train.lr": lr,
        "train.schedule": "cosine", "train.warmup_steps": max(2, pt_steps // 20), "train.eval_every": 0}}

    def cpt(weights: dict | None = None, stages: list | None = None, steps: int = cpt_steps) -> dict:
        data = {"data.weights": weights} if weights else {"data.stages": stages}
        return {"stages": [pretrain, {"name": "cpt", "init_from": "pretrain", "overrides": {
            **data, "train.steps": steps, "train.lr": lr, "train.schedule": "cosine",
            "train.warmup_steps": max(1, steps // 20), "train.eval_every": 0}}]}

    half = cpt_steps // 2
    arms = {
        "base": {"description": "no continued pretraining (evaluates the base model)",
                 **cpt(mix(0.2, 0.8), steps=0)},
        "b-only": {"description": "CPT on language B only", **cpt(mix(1.0, 0.0))},
        "replay-5:5": {"description": "B : A replay = 5 : 5", **cpt(mix(0.5, 0.5))},
        "replay-2:8": {"description": "B : A replay = 2 : 8 (SynE stage 1)", **cpt(mix(0.2, 0.8))},
        "syne-2stage": {"description": "2 : 8, then B : A : synthetic QA = 1 : 7 : 2 (SynE stages 1+2)",
                        **cpt(stages=[{"weights": mix(0.2, 0.8), "until_step": half},
                                      {"weights": mix(0.1, 0.7, 0.2)}])},
    }
    claims = [
        {"name": "B-only CPT forgets language A", "kind": "greater", "metric": "val/loss/lang_a",
         "arms": ["b-only", "replay-2:8"], "paper": "CPT on the new language alone degrades the original language"},
        {"name": "more replay forgets less", "kind": "monotonic_decreasing", "metric": "val/loss/lang_a",
         "arms": ["b-only", "replay-5:5", "replay-2:8"],
         "paper": "replaying the original corpus counters catastrophic forgetting"},
        {"name": "2:8 replay keeps A near base", "kind": "less", "metric": "val/loss/lang_a",
         "arms": ["replay-2:8", "base"], "min_effect": -0.15,
         "paper": "with zh:en = 2:8 the English ability is kept (here: A loss at most 0.15 nats above base)"},
        {"name": "2:8 replay lowers B loss", "kind": "less", "metric": f"val/loss/{B}",
         "arms": ["replay-2:8", "base"], "paper": "bilingual CPT improves the new language"},
        {"name": "synthetic QA raises QA in A", "kind": "greater", "metric": "eval/fact_qa/train_people",
         "arms": ["syne-2stage", "replay-2:8"],
         "paper": "synthetic QA data (stage 2) raises QA performance (English)"},
        {"name": "synthetic QA raises QA in B", "kind": "less", "metric": f"val/loss/qa_{LANG}",
         "arms": ["syne-2stage", "replay-2:8"],
         "paper": "synthetic QA data (stage 2) raises QA performance (new language; QA loss as proxy)"},
    ]
    return {"name": f"syne-cpt-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": list(range(n_seeds)), "stages": [pretrain], "claims": claims,
            "metrics": ["val/loss/lang_a", f"val/loss/{B}", f"val/loss/qa_{LANG}", "eval/fact_qa/train_people"]}
