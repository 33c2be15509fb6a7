"""afriquellm: "AfriqueLLM: Data Mixing and Model Architecture in Continued Pre-training for African
Languages" (METHODS-2 #27).

Mechanism: continued pretraining (CPT) of a base LM on a low-resource-language (LRL) corpus mixed with
other data (high-resource math, code, math translated HRL -> LRL); the mixture composition is the
variable. At equal CPT tokens, composition decides what the model gains.

Here: HRL = the world's English; LRL = Zorbish (``worlds/text/languages``: lexicon bijection +
noun-adjective order; ``lang_zorbish`` docs are translated stories and bios). The base model is
pretrained on English prose + English arithmetic (run once per seed, shared by every arm). CPT arms
run the same steps from it, 60% LRL + 40% of one companion source (only ``data.weights`` differ):

* ``lrl-only``; ``+math`` (English arithmetic); ``+code`` (the world's code snippets, unseen by the
  base); ``+translated-math`` (arithmetic translated into Zorbish: ``arithmetic_zorbish``,
  ``TextWorldConfig.translated``); ``+en-replay`` (English stories and encyclopedia articles).

Every claim is judged on a held-out format that no arm trains on, the same data for all arms:

* LRL reasoning = ``eval/zorbish/word_problems``: arithmetic word problems in Zorbish, in templates no
  training document uses (``worlds/text/langevals.HELD_OUT_TEMPLATES``), over problems of the reserved
  eval partition, 5-way multiple choice by answer log-prob (chance 0.2; the paper measures math
  accuracy with LRL prompts). ``+translated-math`` trains on Zorbish arithmetic pages (mostly
  "Q: 37 + 48 = ? A: 85" lines and three fixed word-problem templates); the eval phrasing and problems
  are new to every arm, so a gain is transfer, not a score on the arm's own training distribution.
* LRL perplexity = ``val/loss/dialog_zorbish``: English dialogs translated into Zorbish (the world's
  ``translated: dialog``), a genre no arm trains on in Zorbish (``lang_zorbish`` is stories and bios).
* HRL retention = ``val/loss/dialog``: English dialogs, in the base's pretraining but replayed by no
  CPT arm (``+en-replay`` replays stories and articles only).

An earlier version judged "LRL-only gives the best LRL loss" on ``lang_zorbish`` (what ``lrl-only``
trains on, 100% vs 60%) and the math claims on ``arithmetic_zorbish`` (what ``+translated-math``
trains on): true by construction, replaced as above.

Claims (pre-registered; abstract: "adding math, code, and synthetic translated data yields consistent
improvements, including on reasoning-oriented evaluations"; METHODS: "translated math best; LRL-only
CPT gives the best LRL perplexity but weak reasoning"):

* primary **translated math beats HRL math for LRL math** (``+translated-math`` > ``+math``) and
  **translated math helps LRL math** (``+translated-math`` > ``lrl-only``);
* secondary **HRL math helps LRL math**, **code helps LRL math** (each > ``lrl-only``), **LRL-only
  gives the best LRL loss** (``lrl-only`` below ``+translated-math``, the other arm with the most
  Zorbish text), **English replay keeps HRL** (``+en-replay`` below ``lrl-only``).

No margins (all superiority tests at min_effect 0). The paper's architecture-vs-scale comparison
(several base models) and its "related language" arm are not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.experiments.claims import greater, less
from pretrainlab.recipes import quickstart
from pretrainlab.recipes.common import seeds, size_of

NAME = "afriquellm"
PAPER = ("AfriqueLLM: Data Mixing and Model Architecture in Continued Pre-training for African "
         "Languages")
CLAIMS = ["translated math beats HRL math for LRL math", "translated math helps LRL math",
          "HRL math helps LRL math", "code helps LRL math", "LRL-only gives the best LRL loss",
          "English replay keeps HRL"]
STATUS = "no signal"

LANG = "zorbish"
LRL = f"lang_{LANG}"
HRL = ["story", "encyclopedia", "dialog"]
REPLAY = ["story", "encyclopedia"]  # English replay; English dialog is held out to measure retention
LRL_MATH = f"arithmetic_{LANG}"
LRL_HELD_OUT = f"dialog_{LANG}"  # a Zorbish genre no arm trains on
LRL_REASONING = f"eval/{LANG}/word_problems"  # held-out-template word problems in Zorbish
CHANCE = 0.2  # 5-way multiple choice
LRL_SHARE = 0.6



@dataclass(frozen=True)
class Size:
    pt_steps: int
    """Pretraining steps (the shared ``pretrain`` stage)."""
    cpt_steps: int
    """Continued-pretraining steps of each arm."""
    lr: float
    n_items: int
    """Word problems generated and scored (``arith_eval_n``, ``eval.max_items``)."""


SIZES = {
    "tiny": Size(pt_steps=80, cpt_steps=60, lr=3e-3, n_items=100),
    "full": Size(pt_steps=300, cpt_steps=120, lr=3e-3, n_items=150),
}


def companion(*sources: str) -> dict[str, float]:
    """``data.weights``: LRL at ``LRL_SHARE``, the rest split evenly over ``sources``."""
    return {LRL: LRL_SHARE} | {s: (1 - LRL_SHARE) / len(sources) for s in sources}


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    base = quickstart.config(size)
    base["name"] = "afriquellm"
    base["data"]["world"].update({
        "mix": {"story": 0.25, "encyclopedia": 0.25, "dialog": 0.2, "arithmetic": 0.2, "code": 0.1},
        "languages": [LANG], "language_frac": 0.25, "translated": {"arithmetic": 0.1, "dialog": 0.1},
        "val_frac": 0.1, "arith_eval_n": s.n_items})
    base["eval"].update({"groups": {"hrl": HRL}, "fact_qa": False, "arithmetic": True, "generations": 0,
                         "max_items": s.n_items})
    pretrain = {"name": "pretrain", "overrides": {
        "data.weights": {"story": 0.3, "encyclopedia": 0.3, "dialog": 0.1, "arithmetic": 0.3},
        "train.steps": s.pt_steps, "train.lr": s.lr, "train.schedule": "cosine",
        "train.warmup_steps": max(2, s.pt_steps // 20), "train.eval_every": 0}}

    def cpt(weights: dict) -> dict:
        return {"stages": [pretrain, {"name": "cpt", "init_from": "pretrain", "overrides": {
            "data.weights": weights, "train.steps": s.cpt_steps, "train.lr": s.lr, "train.schedule": "cosine",
            "train.warmup_steps": max(1, s.cpt_steps // 20), "train.eval_every": 0}}]}

    arms = {
        "lrl-only": {"description": "CPT on the LRL only", **cpt({LRL: 1.0})},
        "+math": {"description": "60% LRL + 40% HRL arithmetic", **cpt(companion("arithmetic"))},
        "+code": {"description": "60% LRL + 40% code", **cpt(companion("code"))},
        "+translated-math": {"description": "60% LRL + 40% arithmetic translated into the LRL",
                             **cpt(companion(LRL_MATH))},
        "+en-replay": {"description": "60% LRL + 40% HRL stories and articles (not dialog)",
                       **cpt(companion(*REPLAY))},
    }
    claims = [
        greater("translated math beats HRL math for LRL math", "+translated-math", "+math", LRL_REASONING,
                "translated (HRL->LRL) math data improves LRL reasoning the most", chance=CHANCE, role="primary"),
        greater("translated math helps LRL math", "+translated-math", "lrl-only", LRL_REASONING,
                "adding synthetic translated data improves reasoning-oriented evaluations over LRL-only CPT",
                chance=CHANCE, role="primary"),
        greater("HRL math helps LRL math", "+math", "lrl-only", LRL_REASONING,
                "adding math data improves LRL reasoning over LRL-only CPT", chance=CHANCE),
        greater("code helps LRL math", "+code", "lrl-only", LRL_REASONING,
                "adding code data improves LRL reasoning over LRL-only CPT", chance=CHANCE),
        less("LRL-only gives the best LRL loss", "lrl-only", "+translated-math", f"val/loss/{LRL_HELD_OUT}",
             "LRL-only CPT gives the best LRL perplexity (here: on a Zorbish genre no arm trains on)"),
        less("English replay keeps HRL", "+en-replay", "lrl-only", "val/loss/dialog",
             "mixing HRL data limits forgetting of the HRL (here: English dialog, not replayed)"),
    ]
    return {"name": f"afriquellm-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": seeds(size), "stages": [pretrain], "claims": claims,
            "metrics": [LRL_REASONING, f"val/loss/{LRL_HELD_OUT}", "val/loss/dialog", f"val/loss/{LRL}",
                        f"val/loss/{LRL_MATH}", "val/loss/hrl"]}
