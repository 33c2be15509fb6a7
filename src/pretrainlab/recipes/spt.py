"""spt: "The Finetuner's Fallacy: When to Pretrain with Your Finetuning Data" (specialized pretraining).

Mechanism: instead of pretraining on general data and then fine-tuning on a small domain set D, mix D
into pretraining at a fraction p from step 0 (so D repeats many times), then fine-tune on D as usual.
Total tokens are equal across arms: the same pretraining and fine-tuning steps.

Here: D = the synthetic world's arithmetic domain, kept small (a few % of the world's documents, so
large p repeats it many times); general = story, encyclopedia, dialog, code, qa. Arms p in {0 (the
standard pretrain-then-finetune pipeline), 0.05, 0.2, 0.5}.

Claims (METHODS-2 #38; abstract: "SPT improves domain performance and preserves general capabilities
after finetuning compared to standard pretraining"), pre-registered, all on the val split after
fine-tuning (no arm trains on val documents), superiority at min_effect 0 (no margins):

* primary **SPT lowers post-finetune domain loss** (``spt-p0.2`` below ``standard`` on
  ``val/loss/arithmetic``) and **SPT forgets less general ability** (``spt-p0.2`` below ``standard``
  on ``val/loss/general``);
* secondary **too large p overfits** (``spt-p0.5`` above ``spt-p0.2`` on the domain loss: the rising
  side of the paper's U-shape in p).

Loss metrics only, so no chance level; no claim needs a premise.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.experiments.claims import greater, less
from pretrainlab.recipes import quickstart
from pretrainlab.recipes.common import seeds, size_of

NAME = "spt"
PAPER = "The Finetuner's Fallacy: When to Pretrain with Your Finetuning Data"
CLAIMS = ["SPT lowers post-finetune domain loss", "SPT forgets less general ability", "too large p overfits"]
STATUS = "partly holds"

DOMAIN = "arithmetic"
GENERAL = ["story", "encyclopedia", "dialog", "code", "qa"]
FRACTIONS = {"standard": 0.0, "spt-p0.05": 0.05, "spt-p0.2": 0.2, "spt-p0.5": 0.5}



@dataclass(frozen=True)
class Size:
    n_docs: int
    share: float
    """The domain's share of the world's documents."""
    pt_steps: int
    """Pretraining steps."""
    ft_steps: int
    """Fine-tuning steps on the domain."""


SIZES = {
    "tiny": Size(n_docs=1000, share=0.06, pt_steps=80, ft_steps=30),
    "full": Size(n_docs=10000, share=0.03, pt_steps=300, ft_steps=100),
}


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    share, ft_steps = s.share, s.ft_steps
    base = quickstart.config(size)
    base["name"] = "spt"
    general_share = (1 - share) / len(GENERAL)
    base["data"]["world"].update({"n_docs": s.n_docs, "val_frac": 0.1,
                                  "mix": {**{d: general_share for d in GENERAL}, DOMAIN: share}})
    base["eval"].update({"groups": {"general": GENERAL}, "fact_qa": False, "arithmetic": False, "generations": 0})
    finetune = {"name": "finetune", "init_from": "pretrain", "overrides": {
        "data.weights": {DOMAIN: 1.0}, "train.steps": ft_steps, "train.lr": 1e-3, "train.schedule": "cosine",
        "train.warmup_steps": max(1, ft_steps // 10), "train.eval_every": 0}}
    arms = {}
    for arm, p in FRACTIONS.items():
        weights = {d: (1 - p) / len(GENERAL) for d in GENERAL} | ({DOMAIN: p} if p > 0 else {})
        pretrain = {"name": "pretrain", "overrides": {"data.weights": weights, "train.steps": s.pt_steps,
                                                      "train.eval_every": 0}}
        arms[arm] = {"description": f"{p:.0%} of pretraining tokens from the domain set, then fine-tune",
                     "stages": [pretrain, finetune]}
    claims = [
        less("SPT lowers post-finetune domain loss", "spt-p0.2", "standard", f"val/loss/{DOMAIN}",
             "SPT reaches lower domain loss after fine-tuning than pretrain-then-finetune at equal tokens",
             stage="finetune", role="primary"),
        less("SPT forgets less general ability", "spt-p0.2", "standard", "val/loss/general",
             "SPT reduces forgetting of general ability compared with fine-tuning alone", stage="finetune",
             role="primary"),
        greater("too large p overfits", "spt-p0.5", "spt-p0.2", f"val/loss/{DOMAIN}",
                "too large a domain fraction overfits the repeated domain set (U-shaped curve in p)",
                stage="finetune"),
    ]
    return {"name": f"spt-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "claims": claims, "metrics": [f"val/loss/{DOMAIN}", "val/loss/general"]}
