"""bert2bert: "bert2BERT: Towards Reusable Pretrained Language Models" (Chen et al., ACL 2022,
arXiv 2110.07143), decoder variant.

Mechanism (models/growth.py): initialize a large model from a pretrained small one instead of from
scratch. Width by FPI (copy units, split the reading weights; function preserving) or AKI (new units
from the next layer's weights; breaks symmetry, not function preserving), depth by stacking layers.
Two-stage AKI: grow the width first, train that shallow wide model briefly, then stack to full depth.

Here: small = 64d/2L/2h, large = 128d/4L/4h (head width 32 in both), on the synthetic world. Arms, each
ending in a stage ``large`` with the same steps and schedule:

* ``scratch``: the large model from random init;
* ``fpi`` / ``aki``: the shared ``small`` pretraining, then ``fpi+stack`` / ``aki+stack`` to the large shape;
* ``stack``: a half-depth model of the large width (128d/2L), then stacked (StackBERT);
* ``aki-2stage``: ``small`` -> AKI to 128d/2L (``wide``, a quarter of the steps) -> stacked to 4L.

FLOPs are counted (models/flops.py) over the whole pipeline: a grown run's ``train/flops`` includes the
small model's pretraining. The measure is ``flops_to/val_loss_target``: pipeline FLOPs at which val/loss
first reaches the scratch arm's final val/loss (same seed; interpolated between evaluations every
``eval_every`` steps; inf if never reached, which makes a claim inconclusive, not passed).

Claims (METHODS-1 #14): AKI and FPI reach the scratch model's final loss with fewer FLOPs than scratch;
AKI is faster than FPI; two-stage is cheaper still; growth beats stacking.
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "bert2bert"
PAPER = "bert2BERT: Towards Reusable Pretrained Language Models (arXiv 2110.07143)"
CLAIMS = ["AKI reaches scratch loss with fewer FLOPs", "FPI reaches scratch loss with fewer FLOPs",
          "AKI faster than FPI", "two-stage AKI cheaper than AKI", "AKI beats stacking"]
STATUS = "runs"

SMALL = {"d_model": 64, "n_layers": 2, "n_heads": 2, "ffn_hidden": 192}
LARGE = {"d_model": 128, "n_layers": 4, "n_heads": 4, "ffn_hidden": 384}
HALF = {**LARGE, "n_layers": 2}  # the stacking baseline's small model and the two-stage's wide model

SIZES = {
    #       large steps, small steps, eval every, seeds
    "tiny": (80, 80, 8, 2),
    "full": (400, 400, 20, 2),  # ~6 large-run equivalents per seed; est. 17-33 min on 2 free cores
}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"bert2bert: unknown size '{size}'; choose one of {list(SIZES)}")
    steps, small_steps, every, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = "bert2bert"
    base["train"].update({"batch_size": 8, "lr": 3e-3, "warmup_steps": max(2, steps // 20), "log_every": every})
    base["data"]["seq_len"] = 128
    base["eval"].update({"fact_qa": False, "arithmetic": False, "generations": 0, "val_tokens": 4096})

    def train(n: int, eval_every: int = 0) -> dict:
        return {"train.steps": n, "train.warmup_steps": max(2, n // 20), "train.eval_every": eval_every}

    small = {"name": "small", "overrides": {"model": SMALL, **train(small_steps)}}
    half = {"name": "half", "overrides": {"model": HALF, **train(steps // 2)}}
    wide = {"name": "wide", "init_from": "small", "overrides": {"model": HALF, "train.grow": "aki",
                                                                **train(steps // 4)}}

    def large(grow: str | None = None, parent: str | None = None) -> dict:
        stage = {"name": "large", "overrides": {"model": LARGE, **train(steps, every)}}
        if grow:
            stage.update(init_from=parent, target_from="scratch/large")
            stage["overrides"]["train.grow"] = grow
        else:
            stage["overrides"]["eval.loss_target_from"] = "self"
        return stage

    arms = {
        "scratch": {"description": "large model from random init", "stages": [large()]},
        "fpi": {"description": "small -> FPI width + stacked depth", "stages": [small, large("fpi+stack", "small")]},
        "aki": {"description": "small -> AKI width + stacked depth", "stages": [small, large("aki+stack", "small")]},
        "stack": {"description": "half-depth model of full width, stacked (StackBERT)",
                  "stages": [half, large("stack", "half")]},
        "aki-2stage": {"description": "small -> AKI width, trained shallow (1/4 steps) -> stacked",
                       "stages": [small, wide, large("stack", "wide")]},
    }
    metric = "flops_to/val_loss_target"
    claims = [
        {"name": "AKI reaches scratch loss with fewer FLOPs", "kind": "less", "metric": metric,
         "arms": ["aki", "scratch"], "paper": "bert2BERT saves ~45% (BERT) / ~47% (GPT) of pretraining compute"},
        {"name": "FPI reaches scratch loss with fewer FLOPs", "kind": "less", "metric": metric,
         "arms": ["fpi", "scratch"], "paper": "FPI initialization also saves compute vs scratch"},
        {"name": "AKI faster than FPI", "kind": "less", "metric": metric, "arms": ["aki", "fpi"],
         "paper": "AKI breaks symmetry with the upper layer's knowledge and converges faster than FPI"},
        {"name": "two-stage AKI cheaper than AKI", "kind": "less", "metric": metric, "arms": ["aki-2stage", "aki"],
         "paper": "two-stage pretraining (sub-models first) reduces the cost further"},
        {"name": "AKI beats stacking", "kind": "less", "metric": metric, "arms": ["aki", "stack"],
         "paper": "bert2BERT outperforms StackBERT at the same compute"},
    ]
    return {"name": f"bert2bert-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims, "metrics": ["val/loss", "train/flops", metric]}
