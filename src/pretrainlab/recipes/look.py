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

Nothing is true by construction: neither arm ever sees a sub-class label while pretraining; the transfer
probes fit the sub-class labels on the ``train`` split and are scored once on the held-out ``test`` images
(tuned on ``val``); the upstream probe likewise scores super-classes on ``test``.

Claims (METHODS-1 #3: "with similar upstream accuracy, LOOK keeps intra-class sub-modes: higher downstream
linear-probe accuracy on subclasses ... than CE"):

* premise ``similar upstream accuracy``: the super-class linear probe of the two pretrained encoders is
  equivalent (TOST) within ``UPSTREAM_MARGIN`` = 0.05 top-1. The transfer claims require it: if one encoder
  simply learned more (or less) upstream, a transfer gap says nothing about the loss keeping sub-modes.
  0.05 is the tolerance declared before this recipe's first run (2026-11), kept unchanged so that the
  withdrawn results cannot have steered it. Why 5 points: on the 4-way super-class task it is 1/15 of the
  0.25-to-1 range above chance, i.e. the two encoders solve the upstream task about equally well, yet it is
  2-7 seed-to-seed SDs of the upstream probe in the archived full-size runs (0.007-0.023, docs/recipes.md
  before c1c3d20), so the premise is not failed by seed noise alone;
* primary ``LOOK beats CE on the sub-class linear probe`` (greater, min_effect 0), requires the premise;
* secondary ``LOOK beats CE on sub-class kNN`` (the paper's kNN evaluation), requires the premise.

``chance``: 0.25 for the 4-way upstream probe, 1/12 for the 12-way sub-class probes (``n_super`` x
``n_sub``). Not built: the paper's "new attribute" task, the sub-class silhouette, and SupCon.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.experiments.claims import claim, greater
from pretrainlab.recipes.common import seeds, size_of

NAME = "look"
PAPER = "Rethinking Supervised Pre-training for Better Downstream Transferring (LOOK, arXiv 2110.06014)"
CLAIMS = ["LOOK beats CE on the sub-class linear probe (primary)", "LOOK beats CE on sub-class kNN",
          "similar upstream accuracy (premise)"]
STATUS = "not testable"



@dataclass(frozen=True)
class Size:
    px: int
    """Image size."""
    n_train: int
    """Training images (also LOOK's memory bank size)."""
    n_eval: int
    """Validation and test images."""
    steps: int
    batch: int
    k: int
    """LOOK's number of neighbours."""


SIZES = {
    "tiny": Size(px=16, n_train=512, n_eval=128, steps=100, batch=32, k=10),
    "full": Size(px=32, n_train=8000, n_eval=1000, steps=3000, batch=128, k=50),
}
N_SUPER, N_SUB = 4, 3
UPSTREAM_MARGIN = 0.05
"""Equivalence margin (super-class top-1) of the "similar upstream accuracy" premise (see the docstring)."""


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    steps, k = s.steps, s.k
    world = {"kind": "shapes", "size": s.px, "n_train": s.n_train, "n_val": s.n_eval, "n_test": s.n_eval, "seed": 0,
             "label": "super", "n_super": N_SUPER, "n_sub": N_SUB, "spurious": 0.0}
    base = {
        "name": "look", "modality": "image",
        "data": {"world": world, "augment": {"preset": "mae", "crop_scale": [0.6, 1.0]}},
        "model": {"family": "vit", "preset": "test", "patch_size": 4, "image_size": s.px},
        "objective": {"name": "supervised"},
        "train": {"steps": steps, "batch_size": s.batch, "lr": 1.5e-3, "warmup_steps": max(2, steps // 20),
                  "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": max(1, steps // 10), "ckpt_every": 0,
                  "eval_every": 0},
        "eval": {"protocols": ["linear"], "test_splits": ["test"]},
    }
    look = {"name": "look", "k": k, "temperature": 0.1, "proj_hidden": 128, "proj_dim": 32, "momentum": 0.99,
            "bank_size": s.n_train}
    transfer = {"name": "transfer", "init_from": "pretrain", "overrides": {
        "train.steps": 0, "eval.world": {**world, "label": "sub"}, "eval.protocols": ["linear", "knn"]}}
    arms = {
        "ce": {"description": "cross-entropy on super-class labels",
               "stages": [{"name": "pretrain", "overrides": {}}, transfer]},
        "look": {"description": f"leave-one-out kNN loss (k={k}, tau=0.1, momentum bank) on super-class labels",
                 "stages": [{"name": "pretrain", "overrides": {"objective": look}}, transfer]},
    }
    paper = "LOOK keeps intra-class sub-modes: higher downstream linear-probe accuracy on sub-classes than CE"
    premise = "similar upstream accuracy"
    sub_chance = 1.0 / (N_SUPER * N_SUB)
    claims = [
        claim(premise, "equivalent", "eval/linear/top1", ["look", "ce"],
              "LOOK's gains come at similar upstream (super-class) accuracy", stage="pretrain", margin=UPSTREAM_MARGIN,
              chance=1.0 / N_SUPER, role="premise"),
        greater("LOOK beats CE on the sub-class linear probe", "look", "ce", "eval/linear/top1", paper,
                stage="transfer", chance=sub_chance, role="primary", requires=[premise]),
        greater("LOOK beats CE on sub-class kNN", "look", "ce", "eval/knn/top1",
                "LOOK transfers better than CE under kNN evaluation too", stage="transfer", chance=sub_chance,
                requires=[premise]),
    ]
    return {"name": f"look-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "claims": claims, "metrics": ["eval/linear/top1", "eval/knn/top1"]}
