"""rewarm: "Continual Pre-Training of Large Language Models: How to (re)warm your model?"
(Gupta, Thérien, Ibrahim, Richter, Anthony, Belilovsky, Rish, Lesort; 2023, arXiv 2308.04014).

Mechanism: continue a pretrained checkpoint on a shifted data distribution with a linear warmup to a
max LR followed by cosine decay, versus keeping a constant small LR (the final LR of pretraining).

Here: upstream = the prose domains of the synthetic world (story, encyclopedia, dialog), downstream =
its formal domains (arithmetic, code). One base pretraining per seed on upstream (shared by every
arm, run once), then continued pretraining on downstream with arms over max LR and warmup length,
plus a from-scratch baseline on downstream. Both stages use one tokenizer and one token store; only the
mixture weights (``data.weights``) shift.

Claims (METHODS-2 #47): re-warming first raises upstream loss (measured at the first evaluation of the
continued run, right after warmup); with enough steps re-warming lowers downstream loss vs a constant
low LR; a larger max LR forgets more upstream (final upstream loss increases with max LR); continuing
beats training from scratch on downstream.
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "rewarm"
PAPER = "Continual Pre-Training of Large Language Models: How to (re)warm your model? (arXiv 2308.04014)"
CLAIMS = ["re-warming first raises upstream loss", "re-warming lowers downstream loss vs constant low LR",
          "larger max LR forgets more upstream", "continuing beats from-scratch on downstream"]
STATUS = "claim holds"

UPSTREAM = ["story", "encyclopedia", "dialog"]
DOWNSTREAM = ["arithmetic", "code"]

SIZES = {
    #        pretrain steps, continue steps, eval every, lr peak, seeds
    "tiny": (80, 60, 20, 3e-3, 2),
    "full": (400, 200, 25, 3e-3, 3),
}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"rewarm: unknown size '{size}'; choose one of {list(SIZES)}")
    pt_steps, ct_steps, every, peak, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = "rewarm"
    base["data"]["world"]["mix"] = {"story": 0.25, "encyclopedia": 0.25, "dialog": 0.15, "arithmetic": 0.2,
                                    "code": 0.15, "qa": 0.0}
    base["eval"].update({"groups": {"upstream": UPSTREAM, "downstream": DOWNSTREAM}, "fact_qa": False,
                         "arithmetic": False, "generations": 0})
    min_ratio = 0.1
    pretrain = {"name": "pretrain", "overrides": {
        "data.weights": {d: 1.0 for d in UPSTREAM}, "train.steps": pt_steps, "train.lr": peak,
        "train.schedule": "cosine", "train.min_lr_ratio": min_ratio, "train.warmup_steps": max(2, pt_steps // 20),
        "train.eval_every": 0}}
    continued = {"data.weights": {d: 1.0 for d in DOWNSTREAM}, "train.steps": ct_steps, "train.eval_every": every}
    warm = max(1, ct_steps // 100)  # 1% of the continued steps, as in the paper

    def rewarm(lr: float, warmup: int) -> dict:
        stage = {"name": "continue", "init_from": "pretrain",
                 "overrides": {**continued, "train.lr": lr, "train.schedule": "cosine", "train.warmup_steps": warmup,
                               "train.min_lr_ratio": min_ratio}}
        return {"stages": [pretrain, stage]}

    arms = {
        "constant-low": {"description": "constant LR = the final LR of pretraining, no warmup",
                         "stages": [pretrain, {"name": "continue", "init_from": "pretrain", "overrides": {
                             **continued, "train.lr": peak * min_ratio, "train.schedule": "constant",
                             "train.warmup_steps": 0}}]},
        "rewarm-lr1e-3": {"description": "warmup 1% to max LR 1e-3, cosine", **rewarm(1e-3, warm)},
        "rewarm-lr3e-3": {"description": "warmup 1% to the original max LR 3e-3, cosine", **rewarm(3e-3, warm)},
        "rewarm-lr6e-3": {"description": "warmup 1% to max LR 6e-3, cosine", **rewarm(6e-3, warm)},
        "rewarm-lr3e-3-warm10": {"description": "warmup 10% to 3e-3, cosine", **rewarm(3e-3, max(2, ct_steps // 10))},
        "scratch": {"description": "downstream from scratch, same continued budget",
                    "stages": [{"name": "continue", "overrides": {
                        **continued, "train.lr": peak, "train.schedule": "cosine",
                        "train.warmup_steps": max(2, ct_steps // 20)}}]},
    }
    claims = [
        {"name": "rewarming first raises upstream loss", "kind": "greater",
         "metric": "first_eval/val/loss/upstream", "arms": ["rewarm-lr3e-3", "constant-low"],
         "paper": "re-warming the LR first increases the loss on both upstream and downstream data"},
        {"name": "rewarming lowers downstream loss", "kind": "less", "metric": "val/loss/downstream",
         "arms": ["rewarm-lr3e-3", "constant-low"],
         "paper": "in the longer run, re-warming improves downstream performance over a constant low LR"},
        {"name": "larger max LR forgets more upstream", "kind": "monotonic_increasing",
         "metric": "val/loss/upstream", "arms": ["rewarm-lr1e-3", "rewarm-lr3e-3", "rewarm-lr6e-3"],
         "paper": "higher max LR: lower downstream loss but higher upstream loss (more forgetting)"},
        {"name": "continuing beats scratch downstream", "kind": "less", "metric": "val/loss/downstream",
         "arms": ["rewarm-lr3e-3", "scratch"],
         "paper": "continued pretraining beats training from scratch on the new data"},
    ]
    return {"name": f"rewarm-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "stages": [pretrain], "claims": claims, "metrics": ["val/loss/upstream", "val/loss/downstream"]}
