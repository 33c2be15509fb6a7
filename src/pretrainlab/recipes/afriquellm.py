"""afriquellm: "AfriqueLLM: Data Mixing and Model Architecture in Continued Pre-training for African
Languages" (METHODS-2 #27).

Mechanism: continued pretraining (CPT) of a base LM on a low-resource-language (LRL) corpus mixed with
other data (high-resource math, code, math translated HRL -> LRL); the mixture composition is the
variable. At equal CPT tokens, composition decides what the model gains.

Here: HRL = the world's English; LRL = Zorbish (``worlds/text/languages``: lexicon bijection +
noun-adjective order; ``lang_zorbish`` docs are translated stories and bios). The base model is
pretrained on English prose + English arithmetic word problems (run once per seed, shared by every
arm). CPT arms run the same steps from it, 60% LRL + 40% of one companion source (only
``data.weights`` differ):

* ``lrl-only``; ``+math`` (English arithmetic); ``+code`` (the world's code snippets, unseen by the
  base); ``+translated-math`` (arithmetic translated into Zorbish: ``arithmetic_zorbish``,
  ``TextWorldConfig.translated``); ``+en-replay`` (English prose).

Measures: LRL loss (``val/loss/lang_zorbish``); "math with LRL prompts" = held-out loss of Zorbish
arithmetic docs (``val/loss/arithmetic_zorbish``; a tiny model's greedy arithmetic EM is ~0, and the
eval suite has no Zorbish arithmetic set); HRL retention = English prose loss (``val/loss/hrl``).
Claims: LRL-only gives the best LRL loss; translated math is best for LRL math; HRL math and code also
help LRL math over LRL-only; English replay keeps HRL. The paper's architecture-vs-scale comparison
(several base models) and its "related language" arm are not reproduced.
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "afriquellm"
PAPER = ("AfriqueLLM: Data Mixing and Model Architecture in Continued Pre-training for African "
         "Languages")
CLAIMS = ["LRL-only gives the best LRL loss", "translated math beats HRL math for LRL math",
          "HRL math helps LRL math", "code helps LRL math", "English replay keeps HRL"]
STATUS = "runs"

LANG = "zorbish"
LRL = f"lang_{LANG}"
HRL = ["story", "encyclopedia", "dialog"]
LRL_MATH = f"arithmetic_{LANG}"
LRL_SHARE = 0.6

SIZES = {
    #        pretrain steps, CPT steps, lr, seeds
    "tiny": (80, 60, 3e-3, 2),
    "full": (300, 120, 3e-3, 2),
}


def companion(*sources: str) -> dict[str, float]:
    """``data.weights``: LRL at ``LRL_SHARE``, the rest split evenly over ``sources``."""
    return {LRL: LRL_SHARE} | {s: (1 - LRL_SHARE) / len(sources) for s in sources}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"afriquellm: unknown size '{size}'; choose one of {list(SIZES)}")
    pt_steps, cpt_steps, lr, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = "afriquellm"
    base["data"]["world"].update({
        "mix": {"story": 0.3, "encyclopedia": 0.3, "dialog": 0.1, "arithmetic": 0.2, "code": 0.1},
        "languages": [LANG], "language_frac": 0.25, "translated": {"arithmetic": 0.1}})
    base["eval"].update({"groups": {"hrl": HRL}, "fact_qa": False, "arithmetic": False, "generations": 0})
    pretrain = {"name": "pretrain", "overrides": {
        "data.weights": {"story": 0.3, "encyclopedia": 0.3, "dialog": 0.1, "arithmetic": 0.3},
        "train.steps": pt_steps, "train.lr": lr, "train.schedule": "cosine",
        "train.warmup_steps": max(2, pt_steps // 20), "train.eval_every": 0}}

    def cpt(weights: dict) -> dict:
        return {"stages": [pretrain, {"name": "cpt", "init_from": "pretrain", "overrides": {
            "data.weights": weights, "train.steps": cpt_steps, "train.lr": lr, "train.schedule": "cosine",
            "train.warmup_steps": max(1, cpt_steps // 20), "train.eval_every": 0}}]}

    arms = {
        "lrl-only": {"description": "CPT on the LRL only", **cpt({LRL: 1.0})},
        "+math": {"description": "60% LRL + 40% HRL arithmetic", **cpt(companion("arithmetic"))},
        "+code": {"description": "60% LRL + 40% code", **cpt(companion("code"))},
        "+translated-math": {"description": "60% LRL + 40% arithmetic translated into the LRL",
                             **cpt(companion(LRL_MATH))},
        "+en-replay": {"description": "60% LRL + 40% HRL prose replay", **cpt(companion(*HRL))},
    }
    math = f"val/loss/{LRL_MATH}"
    claims = [
        {"name": "LRL-only gives the best LRL loss", "kind": "less", "metric": f"val/loss/{LRL}",
         "arms": ["lrl-only", "+translated-math"], "paper": "LRL-only CPT gives the best LRL perplexity"},
        {"name": "translated math beats HRL math for LRL math", "kind": "less", "metric": math,
         "arms": ["+translated-math", "+math"],
         "paper": "translated (HRL->LRL) math data improves LRL reasoning the most"},
        {"name": "HRL math helps LRL math", "kind": "less", "metric": math, "arms": ["+math", "lrl-only"],
         "paper": "adding math data improves LRL reasoning over LRL-only CPT"},
        {"name": "code helps LRL math", "kind": "less", "metric": math, "arms": ["+code", "lrl-only"],
         "paper": "adding code data improves LRL reasoning over LRL-only CPT"},
        {"name": "English replay keeps HRL", "kind": "less", "metric": "val/loss/hrl",
         "arms": ["+en-replay", "lrl-only"], "paper": "mixing HRL data limits forgetting of the HRL"},
    ]
    return {"name": f"afriquellm-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": list(range(n_seeds)), "stages": [pretrain], "claims": claims,
            "metrics": [f"val/loss/{LRL}", math, "val/loss/hrl"]}
