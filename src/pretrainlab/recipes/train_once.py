"""train-once: "Train Once, Answer All: Many Pretraining Experiments for the Cost of One"
(Bordt & Pawelczyk, ICLR 2026, arXiv 2509.23383; METHODS-1 #7).

Mechanism: K independent experiments share one pretraining run by inserting their data into the token
stream (data/insertions.py, eval/probes.py). Five experiments here:

* contamination: in-range arithmetic eval items inserted 0/1/4/16 times (greedy exact match per group);
* canary: random digit secrets inserted 0/1/4/16 times (exposure, extraction);
* backdoor: "<context> <trigger> <payload>" documents (attack success / false trigger rate);
* watermark: green-list-biased documents (detection z of the model's continuations);
* knowledge: test-people facts re-inserted until the live model answers them (exposures to acquire).

Every arm measures every probe: a probe that is not inserted in an arm is measured anyway
(``insert: false``), so ``clean`` is the control for every metric. Arms: ``clean``, ``all-in-one``
(all five inserted) and ``only-<exp>`` (one inserted). The continual-pretraining dependence test (CPDT)
branches from the clean run's final checkpoint and continues with experiment A's data (watermark) plus
B's (canary) (``cpdt-with-A``), with B's only (``cpdt-without-A``) or with none (``cpdt-neither``, the
control that shows B's effect exists in the branch), then compares B's metric. Every metric is measured on
held-out material: val loss on the validation split, each probe on its own items (those inserted in an
arm are the experiment; the clean arm measures the same items without insertion).

Claims (METHODS-1 #7; the abstract: many experiments run in one pretraining run with the model's
performance barely affected, and the experiments do not interfere, which CPDT tests):

* primary ``all-in-one keeps clean val loss``: equivalent (TOST), margin 0.03 nats (tiny) / 0.02 (full);
* primary ``CPDT: watermark data leaves canary unchanged``: equivalent, canary x16 exposure with vs
  without the watermark data, margin 1 bit; requires that both A's and B's effects exist in the branch;
* secondary ``<exp>: all-in-one matches single run`` (5): equivalent, each experiment's effect metric in
  the all-in-one run vs its single-experiment run; each requires its premise below.

Premises (the review found "matches" that compared two null effects): ``<exp>: the effect exists in its
single-experiment run``: only-<exp> exceeds clean (the same items, never inserted) by more than that
claim's margin (``greater``, min_effect = margin); for knowledge on ``final_em`` (greedy exact match on
the inserted facts at the end; clean's value is what the model answers without them; ``acquired`` is 0
in clean by definition and can count lucky guesses). ``CPDT: B's effect exists in the branch``
(cpdt-without-A > cpdt-neither on canary x16 exposure by > 1 bit) and ``CPDT: A's effect exists in the
branch`` (cpdt-with-A > cpdt-without-A on watermark z by > 1). An effect no larger than the equivalence
margin cannot tell "reproduced" from "absent", so each premise asks for more than the margin.

Margins, declared with the recipe's first version and kept unchanged (moving them after the withdrawn
results would be post hoc):

* val loss 0.03 nats (tiny) / 0.02 (full): "within seed noise" -- at full about 4x the clean arm's
  seed-to-seed SD (0.0045 nats in the withdrawn full runs, docs/recipes.md before c1c3d20); at tiny far
  inside it (SD 0.20 nats there);
* contamination exact match, backdoor attack success, knowledge acquired fraction (and final_em in its
  premise): 0.2 (a rate over 5-16 items moves in steps of 1/n; 0.2 is about one binomial SE at p = 0.5);
* canary exposure 1 bit (of log2(101) = 6.7 bits, i.e. a halving of the secret's rank); watermark z 1
  (z is N(0, 1) under the null, so 1 is one null SD).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from pretrainlab.experiments.claims import claim, greater
from pretrainlab.recipes import quickstart
from pretrainlab.recipes.common import seeds, size_of

NAME = "train-once"
PAPER = "Train Once, Answer All: Many Pretraining Experiments for the Cost of One (arXiv 2509.23383)"
CLAIMS = ["all-in-one keeps clean val loss (primary)", "CPDT: no interaction between experiments (primary)",
          "each experiment's effect matches its single-experiment run (where the effect exists)"]
STATUS = "inconclusive"

EXPERIMENTS = ("contam", "canary", "backdoor", "watermark", "knowledge")


@dataclass(frozen=True)
class Size:
    steps: int
    ct_steps: int
    """Steps of the CPDT continued runs."""
    per_group: tuple[int, ...]
    """Items per group of each experiment, in ``EXPERIMENTS`` order."""
    check_every: int
    """Knowledge probe: steps between checks."""
    val_margin: float
    """Equivalence margin (nats) of "all-in-one keeps clean val loss"."""
    seq_len: int


SIZES = {
    "tiny": Size(steps=40, ct_steps=20, per_group=(5, 3, 12, 12, 6), check_every=10, val_margin=0.03, seq_len=64),
    "full": Size(steps=300, ct_steps=100, per_group=(10, 6, 32, 32, 16), check_every=20, val_margin=0.02,
                 seq_len=128),
}
CPDT_A, CPDT_B = "watermark", "canary"


def probes(size: str, inserted: set[str]) -> list[dict]:
    """Every probe of the recipe; those in ``inserted`` put their data into the run, the others only measure."""
    s = size_of(SIZES, size, NAME)
    n = dict(zip(EXPERIMENTS, s.per_group))
    specs = {
        "contam": {"kind": "contamination", "eval_set": "arithmetic", "repeats": [0, 1, 4, 16]},
        "canary": {"kind": "canary", "repeats": [0, 1, 4, 16]},
        "backdoor": {"kind": "backdoor", "repeats": [16]},
        "watermark": {"kind": "watermark", "repeats": [4], "alphabet": 48, "doc_tokens": 32},
        "knowledge": {"kind": "knowledge", "check_every": s.check_every, "per_check": 2 if size == "tiny" else 4,
                      "max_exposures": 64},
    }
    return [{"name": e, **specs[e], "per_group": n[e], "insert": e in inserted} for e in EXPERIMENTS]


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    steps, ct_steps = s.steps, s.ct_steps
    base = quickstart.config(size)
    base["name"] = "train-once"
    world = base["data"]["world"]
    world.update({"arith_eval_n": max(world.get("arith_eval_n", 0), 120),
                  "qa_eval_per_group": max(world.get("qa_eval_per_group", 0), 40)})
    base["data"].update({"probes": probes(size, set()), "seq_len": s.seq_len})
    base["train"].update({"steps": steps, "eval_every": 0, "warmup_steps": max(2, steps // 20)})
    base["eval"].update({"fact_qa": False, "arithmetic": False, "generations": 0, "val_tokens": 4096})
    arms = {"clean": {"description": "no insertions; every probe measured as a control"},
            "all-in-one": {"description": "all five experiments inserted in one run",
                           "overrides": {"data.probes": probes(size, set(EXPERIMENTS))}}}
    for e in EXPERIMENTS:
        arms[f"only-{e}"] = {"description": f"only the {e} experiment inserted",
                             "overrides": {"data.probes": probes(size, {e})}}
    pretrain = {"name": "pretrain"}

    def cpdt(inserted: set[str]) -> dict:
        cont = {"name": "continue", "init_from": "pretrain", "overrides": {
            "data.probes": probes(size, inserted), "train.steps": ct_steps, "train.lr": 1e-3,
            "train.warmup_steps": max(1, ct_steps // 10), "train.schedule": "cosine"}}
        return {"stages": [copy.deepcopy(pretrain), cont]}

    arms["cpdt-with-A"] = {"description": f"continue the clean checkpoint with {CPDT_A} + {CPDT_B} data",
                           **cpdt({CPDT_A, CPDT_B})}
    arms["cpdt-without-A"] = {"description": f"continue the clean checkpoint with {CPDT_B} data only",
                              **cpdt({CPDT_B})}
    arms["cpdt-neither"] = {"description": "continue the clean checkpoint with no insertions (CPDT control)",
                            **cpdt(set())}
    effect = {"contam": ("eval/contamination/contam/x16", 0.2), "canary": ("eval/canary/canary/x16/exposure", 1.0),
              "backdoor": ("eval/backdoor/backdoor/asr", 0.2), "watermark": ("eval/watermark/watermark/z", 1.0),
              "knowledge": ("eval/knowledge/knowledge/acquired", 0.2)}
    exists_metric = {**{e: m for e, (m, _) in effect.items()}, "knowledge": "eval/knowledge/knowledge/final_em"}

    def exists(e: str) -> str:
        return f"{e}: the effect exists in its single-experiment run"

    premises = [greater(exists(e), f"only-{e}", "clean", exists_metric[e],
                        "the experiment replicates its effect (contamination, poisoning, memorization, ...)",
                        min_effect=margin, role="premise")
                for e, (_, margin) in effect.items()]
    cpdt_b, cpdt_a = f"CPDT: {CPDT_B} effect exists in the branch", f"CPDT: {CPDT_A} effect exists in the branch"
    premises += [
        greater(cpdt_b, "cpdt-without-A", "cpdt-neither", effect[CPDT_B][0],
                "CPDT needs experiment B to have an effect in the continued run", stage="continue",
                min_effect=effect[CPDT_B][1], role="premise"),
        greater(cpdt_a, "cpdt-with-A", "cpdt-without-A", effect[CPDT_A][0],
                "CPDT needs experiment A's data to do something in the continued run", stage="continue",
                min_effect=effect[CPDT_A][1], role="premise"),
    ]
    claims = premises + [
        claim("all-in-one keeps clean val loss", "equivalent", "val/loss", ["all-in-one", "clean"],
              "the all-in-one run's validation loss is within seed noise of the clean run", margin=s.val_margin,
              role="primary"),
        claim(f"CPDT: {CPDT_A} data leaves {CPDT_B} unchanged", "equivalent", effect[CPDT_B][0],
              ["cpdt-with-A", "cpdt-without-A"],
              "continual pretraining dependence test: interactions between experiments are negligible",
              stage="continue", margin=effect[CPDT_B][1], role="primary", requires=[cpdt_a, cpdt_b]),
    ]
    claims += [claim(f"{e}: all-in-one matches single run", "equivalent", metric, ["all-in-one", f"only-{e}"],
                     "each experiment's effect in the all-in-one run matches its single-experiment run",
                     margin=margin, requires=[exists(e)])
               for e, (metric, margin) in effect.items()]
    metrics = ["val/loss", "insertions/token_fraction", "eval/backdoor/backdoor/false_trigger",
               "eval/knowledge/knowledge/exposures", "eval/knowledge/knowledge/retention",
               "eval/knowledge/knowledge/final_em",
               *[f"eval/contamination/contam/x{k}" for k in (0, 1, 4, 16)],
               *[f"eval/canary/canary/x{k}/exposure" for k in (0, 1, 4, 16)],
               *[f"eval/canary/canary/x{k}/extracted" for k in (0, 1, 4, 16)]]
    return {"name": f"train-once-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": seeds(size), "claims": claims, "metrics": metrics}
