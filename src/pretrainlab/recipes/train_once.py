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
branches from the clean run's final checkpoint and continues with experiment A's data (watermark)
plus B's (canary) or with B's only, then compares B's metric.

Claims and tolerances (equivalence: the paired-difference CI must lie inside +-tol):

* all-in-one val loss equals clean within 0.03 nats (tiny) / 0.02 (full): the paired (same seed) difference
  must stay well inside seed noise -- the clean arm's seed-to-seed spread was 0.20 nats at tiny
  (docs/recipes.md);
* each experiment's metric equals its single-experiment run: exact match / attack success / acquired
  fraction within 0.2 (a rate over 5-16 items moves in steps of 1/n; 0.2 is about one binomial SE),
  canary exposure within 1 bit (of log2(101) = 6.7), watermark z within 1 (z is N(0,1) under the null);
* CPDT: canary exposure with vs without the watermark data within 1 bit.
"""

from __future__ import annotations

import copy

from pretrainlab.recipes import quickstart

NAME = "train-once"
PAPER = "Train Once, Answer All: Many Pretraining Experiments for the Cost of One (arXiv 2509.23383)"
CLAIMS = ["all-in-one keeps clean val loss", "each experiment's effect matches its single-experiment run",
          "CPDT: no interaction between experiments"]
STATUS = "runs"

SIZES = {
    # steps, cpdt continue steps, seeds, per-group sizes (contam, canary, backdoor, watermark, knowledge),
    # knowledge check interval, val-loss tolerance, seq_len
    "tiny": (40, 20, 2, (5, 3, 12, 12, 6), 10, 0.03, 64),
    "full": (300, 100, 3, (10, 6, 32, 32, 16), 20, 0.02, 128),
}
EXPERIMENTS = ("contam", "canary", "backdoor", "watermark", "knowledge")
CPDT_A, CPDT_B = "watermark", "canary"


def probes(size: str, inserted: set[str]) -> list[dict]:
    """Every probe of the recipe; those in ``inserted`` put their data into the run, the others only measure."""
    n = dict(zip(EXPERIMENTS, SIZES[size][3]))
    every = SIZES[size][4]
    specs = {
        "contam": {"kind": "contamination", "eval_set": "arithmetic", "repeats": [0, 1, 4, 16]},
        "canary": {"kind": "canary", "repeats": [0, 1, 4, 16]},
        "backdoor": {"kind": "backdoor", "repeats": [16]},
        "watermark": {"kind": "watermark", "repeats": [4], "alphabet": 48, "doc_tokens": 32},
        "knowledge": {"kind": "knowledge", "check_every": every, "per_check": 2 if size == "tiny" else 4,
                      "max_exposures": 64},
    }
    return [{"name": e, **specs[e], "per_group": n[e], "insert": e in inserted} for e in EXPERIMENTS]


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"train-once: unknown size '{size}'; choose one of {list(SIZES)}")
    steps, ct_steps, n_seeds, _, _, val_tol, seq_len = SIZES[size]
    base = quickstart.config(size)
    base["name"] = "train-once"
    world = base["data"]["world"]
    world.update({"arith_eval_n": max(world.get("arith_eval_n", 0), 120),
                  "qa_eval_per_group": max(world.get("qa_eval_per_group", 0), 40)})
    base["data"].update({"probes": probes(size, set()), "seq_len": seq_len})
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
    effect = {"contam": ("eval/contamination/contam/x16", 0.2), "canary": ("eval/canary/canary/x16/exposure", 1.0),
              "backdoor": ("eval/backdoor/backdoor/asr", 0.2), "watermark": ("eval/watermark/watermark/z", 1.0),
              "knowledge": ("eval/knowledge/knowledge/acquired", 0.2)}
    claims = [{"name": "all-in-one keeps clean val loss", "kind": "equivalent", "metric": "val/loss",
               "arms": ["all-in-one", "clean"], "tolerance": val_tol,
               "paper": "the all-in-one run's validation loss is within seed noise of the clean run"}]
    for e, (metric, tol) in effect.items():
        claims.append({"name": f"{e}: all-in-one matches single run", "kind": "equivalent", "metric": metric,
                       "arms": ["all-in-one", f"only-{e}"], "tolerance": tol,
                       "paper": "each experiment's effect in the all-in-one run matches its single-experiment run"})
    claims += [
        {"name": f"CPDT: {CPDT_A} data leaves {CPDT_B} unchanged", "kind": "equivalent",
         "metric": effect[CPDT_B][0], "arms": ["cpdt-with-A", "cpdt-without-A"], "stage": "continue",
         "tolerance": effect[CPDT_B][1],
         "paper": "continual pretraining dependence test: no significant interaction between experiments"},
        {"name": "canaries are memorized", "kind": "greater", "metric": "eval/canary/canary/x16/exposure",
         "arms": ["only-canary", "clean"], "paper": "canary exposure rises with repetitions"},
        {"name": "contamination raises accuracy", "kind": "greater", "metric": "eval/contamination/contam/x16",
         "arms": ["only-contam", "clean"], "paper": "contaminated items are answered better"},
        {"name": "backdoor is planted", "kind": "greater", "metric": "eval/backdoor/backdoor/asr",
         "arms": ["only-backdoor", "clean"], "paper": "poisoning: the trigger elicits the payload"},
        {"name": "watermark is detectable", "kind": "greater", "metric": "eval/watermark/watermark/z",
         "arms": ["only-watermark", "clean"], "paper": "the model's generations carry the watermark"},
    ]
    metrics = ["val/loss", "insertions/token_fraction", "eval/backdoor/backdoor/false_trigger",
               "eval/knowledge/knowledge/exposures", "eval/knowledge/knowledge/retention",
               *[f"eval/contamination/contam/x{k}" for k in (0, 1, 4, 16)],
               *[f"eval/canary/canary/x{k}/exposure" for k in (0, 1, 4, 16)],
               *[f"eval/canary/canary/x{k}/extracted" for k in (0, 1, 4, 16)]]
    return {"name": f"train-once-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": list(range(n_seeds)), "claims": claims, "metrics": metrics}
