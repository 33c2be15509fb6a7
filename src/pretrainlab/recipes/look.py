"""look: "Rethinking Supervised Pre-training for Better Downstream Transferring" (Feng et al., ICLR 2022,
arXiv 2110.06014), METHODS-1 #3.

Mechanism: supervised pretraining with a leave-one-out kNN loss instead of cross-entropy. For an anchor i
with normalised projection z_i and N_k(i) its k most similar entries of a momentum-encoder memory bank
(i's own slot excluded),

    p_i = sum_{j in N_k(i), y_j = y_i} exp(z_i.b_j / tau) / sum_{j in N_k(i)} exp(z_i.b_j / tau),  L = -log p_i

(objectives/look.py). Only the neighbourhood must agree with the label, so a class can stay multi-modal,
whereas CE pulls a whole class towards one weight vector and collapses its latent sub-classes.

Here: the shapes world with 4 super-classes x 3 latent sub-classes (disk/ring/ellipse, triangle/square/
hexagon, ...), colour uncorrelated with the class (``spurious: 0``) so the sub-class is only in the shape.
Arms ``ce`` (cross-entropy) and ``look`` pretrain a test-size ViT on the *super-class* labels for the same
steps; the ``pretrain`` stage reports the upstream linear-probe accuracy (super-classes); the ``transfer``
stage (``train.steps: 0``, ``init_from: pretrain``) probes the frozen backbone on the same world labelled by
*sub-class* (12-way), by linear probe and kNN.

Claims (METHODS-1 #3): with similar upstream accuracy, LOOK transfers better than CE to the fine-grained
sub-class task (linear probe and kNN). Not built: the paper's "new attribute" task and SupCon baseline.
"""

from __future__ import annotations

NAME = "look"
PAPER = "Rethinking Supervised Pre-training for Better Downstream Transferring (LOOK, arXiv 2110.06014)"
CLAIMS = ["LOOK beats CE on the sub-class linear probe", "LOOK beats CE on sub-class kNN",
          "similar upstream accuracy"]
STATUS = "runs"

SIZES = {
    #        size px, n_train, n_eval, steps, batch, k, seeds
    "tiny": (16, 512, 128, 100, 32, 10, 2),
    "full": (32, 8000, 1000, 3000, 128, 50, 3),
}
UPSTREAM_TOLERANCE = 0.05


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"look: unknown size '{size}'; choose one of {list(SIZES)}")
    px, n_train, n_eval, steps, batch, k, n_seeds = SIZES[size]
    world = {"kind": "shapes", "size": px, "n_train": n_train, "n_val": n_eval, "n_test": n_eval, "seed": 0,
             "label": "super", "n_super": 4, "n_sub": 3, "spurious": 0.0}
    base = {
        "name": "look", "modality": "image",
        "data": {"world": world, "augment": {"preset": "mae", "crop_scale": [0.6, 1.0]}},
        "model": {"family": "vit", "preset": "test", "patch_size": 4, "image_size": px},
        "objective": {"name": "supervised"},
        "train": {"steps": steps, "batch_size": batch, "lr": 1.5e-3, "warmup_steps": max(2, steps // 20),
                  "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": max(1, steps // 10), "ckpt_every": 0,
                  "eval_every": 0},
        "eval": {"protocols": ["linear"], "test_splits": ["test"]},
    }
    look = {"name": "look", "k": k, "temperature": 0.1, "proj_hidden": 128, "proj_dim": 32, "momentum": 0.99,
            "bank_size": n_train}
    transfer = {"name": "transfer", "init_from": "pretrain", "overrides": {
        "train.steps": 0, "eval.world": {**world, "label": "sub"}, "eval.protocols": ["linear", "knn"]}}
    arms = {
        "ce": {"description": "cross-entropy on super-class labels",
               "stages": [{"name": "pretrain", "overrides": {}}, transfer]},
        "look": {"description": f"leave-one-out kNN loss (k={k}, tau=0.1, momentum bank) on super-class labels",
                 "stages": [{"name": "pretrain", "overrides": {"objective": look}}, transfer]},
    }
    paper = "LOOK keeps intra-class sub-modes: higher downstream linear-probe accuracy on sub-classes than CE"
    claims = [
        {"name": "LOOK beats CE on the sub-class linear probe", "kind": "greater", "metric": "eval/linear/top1",
         "arms": ["look", "ce"], "stage": "transfer", "paper": paper},
        {"name": "LOOK beats CE on sub-class kNN", "kind": "greater", "metric": "eval/knn/top1",
         "arms": ["look", "ce"], "stage": "transfer", "paper": paper},
        {"name": "similar upstream accuracy", "kind": "equivalent", "metric": "eval/linear/top1",
         "arms": ["look", "ce"], "stage": "pretrain", "tolerance": UPSTREAM_TOLERANCE,
         "paper": "LOOK's gains come at similar upstream (super-class) accuracy"},
    ]
    return {"name": f"look-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims, "metrics": ["eval/linear/top1", "eval/knn/top1"]}
