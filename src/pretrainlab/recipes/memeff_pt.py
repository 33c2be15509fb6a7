"""memeff-pt: "Scalable Parameter and Memory Efficient Pretraining for LLM: Recent Algorithmic Advances and
Benchmarking" (Glentis, Li, Shang, Han, Tsaknakis, Wei, Hong; 2025, arXiv 2505.22922), METHODS-2 #31.

Mechanism: pretrain the same decoder at the same steps and tokens with

* ``full-adamw``: full-rank weights, AdamW (the reference);
* ``galore``: full-rank weights, GaLore (gradients of the block weights projected onto a rank-r SVD
  subspace refreshed every T steps; Adam moments live in that subspace: optim/galore.py). Scale 1 at
  the shared LR: the GaLore paper's scale 0.25 with a 4x LR gives the projected weights the same step,
  but the trainer applies one LR to every group, so it would also quadruple the LR of the embeddings
  and norms (a first tiny run did that and GaLore "beat" full rank by 0.9 nats: an LR confound);
* ``lowrank``: every block linear is W = s B A with rank r from scratch (optim/lowrank.py);
* ``relora``: W = W0 + s B A, W0 frozen, B A merged into W0 and restarted every T steps with a moment
  reset of the factors and a short LR re-warmup;
* ``refactor`` (the paper's proposal): ``lowrank`` plus, every T steps, the weight refactorization
  B A = U S V^T -> B = U sqrt(S), A = sqrt(S) V^T with a reset of all Adam moments and an LR re-warmup
  (the paper's momentum reset with cosine-with-restarts).

Embeddings, head and norms train full-rank in every arm. Every run reports ``optim/state_bytes`` (measured
optimizer state) and ``params_trainable``.

Claims (METHODS-2 #31): tuned full-rank is best; methods with high-rank updates (GaLore, ReLoRA) beat pure
low-rank; low-rank + refactorization + momentum reset narrows the gap to full rank at lower memory.
Caveat: the paper tunes the LR per method; here all arms share one LR schedule.
"""

from __future__ import annotations

from pretrainlab.recipes import quickstart

NAME = "memeff-pt"
PAPER = ("Scalable Parameter and Memory Efficient Pretraining for LLM: Recent Algorithmic Advances and "
         "Benchmarking (arXiv 2505.22922)")
CLAIMS = ["full-rank AdamW is best", "GaLore / ReLoRA beat pure low-rank",
          "refactorization narrows the gap at lower memory"]
STATUS = "runs"

SIZES = {
    #        model overrides, seq_len, batch, steps, rank, restart/projector gap, re-warmup, lr, seeds
    "tiny": ({"size": "nano", "d_model": 64, "n_layers": 2, "n_heads": 4}, 64, 8, 100, 16, 25, 5, 3e-3, 2),
    "full": ({"size": "micro"}, 128, 16, 300, 32, 75, 10, 3e-3, 2),
}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"memeff-pt: unknown size '{size}'; choose one of {list(SIZES)}")
    model, seq_len, batch, steps, rank, gap, rewarm, lr, n_seeds = SIZES[size]
    base = quickstart.config(size)
    base["name"] = "memeff-pt"
    base["model"] = model
    base["data"]["seq_len"] = seq_len
    base["train"].update({"steps": steps, "batch_size": batch, "lr": lr, "warmup_steps": max(2, steps // 10),
                          "schedule": "cosine", "eval_every": 0, "ckpt_every": 0})
    base["eval"].update({"fact_qa": False, "arithmetic": False, "generations": 0})
    lowrank = {"train.lowrank.mode": "lowrank", "train.lowrank.rank": rank, "train.lowrank.alpha": float(rank)}
    restarts = {"train.lowrank.restart_every": gap, "train.lowrank.rewarm_steps": rewarm}
    arms = {
        "full-adamw": {"description": "full-rank weights, AdamW"},
        "galore": {"description": f"full-rank weights, GaLore rank {rank}, projector every {gap} steps, scale 1",
                   "overrides": {"train.optimizer": "galore", "train.galore.rank": rank,
                                 "train.galore.update_proj_gap": gap, "train.galore.scale": 1.0}},
        "lowrank": {"description": f"W = B A, rank {rank}, from scratch", "overrides": lowrank},
        "relora": {"description": f"W = W0 + B A, rank {rank}, merge and restart every {gap} steps",
                   "overrides": {**lowrank, **restarts, "train.lowrank.mode": "relora",
                                 "train.lowrank.reset_moments": "factors"}},
        "refactor": {"description": f"W = B A, rank {rank}, SVD refactorization + momentum reset every {gap} steps",
                     "overrides": {**lowrank, **restarts, "train.lowrank.reset_moments": "all"}},
    }

    def less(name: str, a: str, b: str, paper: str, metric: str = "val/loss") -> dict:
        return {"name": name, "kind": "less", "metric": metric, "arms": [a, b], "paper": paper}

    best = "tuned full-rank training is the best performer"
    high = "methods with high-rank updates (GaLore, Fira, SLTrain) beat pure low-rank"
    refac = "low-rank + weight refactorization + momentum reset narrows the gap at lower memory"
    claims = [
        less("full-rank beats GaLore", "full-adamw", "galore", best),
        less("full-rank beats ReLoRA", "full-adamw", "relora", best),
        less("full-rank beats refactorization", "full-adamw", "refactor", best),
        less("GaLore beats pure low-rank", "galore", "lowrank", high),
        less("ReLoRA beats pure low-rank", "relora", "lowrank", high),
        less("refactorization beats pure low-rank", "refactor", "lowrank", refac),
        less("refactorization needs less optimizer state than full-rank", "refactor", "full-adamw", refac,
             metric="optim/state_bytes"),
    ]
    return {"name": f"memeff-pt-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims, "metrics": ["val/loss", "optim/state_bytes", "params_trainable"]}
