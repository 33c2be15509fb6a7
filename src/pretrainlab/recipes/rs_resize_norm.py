"""rs-resize-norm: "Revisiting pre-trained remote sensing model benchmarks: resizing and normalization
matters" (Corley, Robinson, Dodhia, Lavista Ferres, Najafirad; CVPRW 2024, arXiv 2305.13456), METHODS-1 #8.

Mechanism: an evaluation-protocol fix, no new model. Before a frozen pretrained encoder embeds small
remote-sensing patches, (1) resize them to the pretraining input size and (2) normalise them with the
pretraining statistics, ``x' = (resize(x / scale, S) - mean) / std``; then probe with kNN (k=5 in the
paper) and a linear classifier. Skipping either step made pretrained encoders look worse than simple
baselines (+32 OA on So2Sat, +11 on EuroSAT once fixed).

Here: one tiny ResNet per seed is pretrained (supervised, multi-label land cover) on 6-band satellite
tiles at 32 px stored as reflectance x 10000; ``preprocessing.json`` records size 32 and the train-split
mean/std. The downstream task is a *different* satellite world (other scenes, majority-class label)
observed at a coarser ground sample distance: ``train_lowres``/``val_lowres``/``test_lowres`` tiles of
``32 // gsd`` px. The same checkpoint is then evaluated (``train.steps: 0``, ``init_from``) four ways,
the arms, via ``eval.preprocessing``:

* ``resize-norm`` (checkpoint): bilinear resize to 32 px + pretraining mean/std (the paper's fix);
* ``native-norm`` (no_resize): native 8 px, normalised;
* ``resize-raw`` (no_normalize): resized, reflectance only scaled to [0, 1];
* ``native-raw`` (none): neither, the "wrong" protocol;

plus ``random-init``: the same ResNet never trained, evaluated with the right preprocessing (the simple
baseline; the paper's channel-statistics baseline is not built). The BatchNorm running statistics of the
pretrained encoder were collected on normalised 32 px inputs, so both steps change its features.

Nothing is true by construction: the downstream world (seed 1, other scenes, majority-class label, 8 px)
was never a training input; kNN and the linear probe fit its ``train_lowres`` split and are scored once on
the held-out ``test_lowres`` tiles; the arms differ only in how the same frozen encoder's inputs are
preprocessed.

Claims (METHODS-1 #8: "resize + matched normalisation gives a large kNN accuracy jump over
native/mismatched preprocessing"), top-1 on ``test_lowres`` with ``chance`` 1/6 (6 land-cover classes):

* primary ``kNN: resize+norm beats native raw``: the paper's headline fix (both steps vs neither); greater,
  min_effect 0;
* secondary ``kNN: resizing matters`` (vs native-norm) and ``kNN: normalisation matters`` (vs resize-raw):
  each step on its own; ``linear: resize+norm beats native raw``: the paper reports the same direction
  under a linear probe (its "linear gaps are smaller than kNN gaps" compares differences of gaps, which no
  claim kind expresses: read the two tables);
* premise ``kNN: pretrained (right preprocessing) beats random init`` (resize-norm > random-init): the
  encoder learned something transferable. ``kNN: random init beats pretrained with wrong preprocessing``
  (secondary) requires it: the paper's point is that a *good* pretrained encoder, evaluated wrongly,
  looks worse than a simple baseline; an encoder that never learned anything could fall below a random one
  for no interesting reason.

No margins (all superiority, min_effect 0). The chance level is the uniform 6-way floor; the majority class
of the downstream world may be more frequent than 1/6, so read *no signal* as a floor, not a baseline.
Deviation: the encoder is pretrained in-domain (6 bands) because probes reject a channel/dtype mismatch
with an RGB uint8 checkpoint (``eval/features.py``), so "ImageNet-pretrained" is not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from pretrainlab.experiments.claims import greater
from pretrainlab.recipes.common import seeds, size_of

NAME = "rs-resize-norm"
PAPER = ("Revisiting pre-trained remote sensing model benchmarks: resizing and normalization matters "
         "(arXiv 2305.13456)")
CLAIMS = ["resize + matched normalisation beats native/mismatched preprocessing (kNN; primary)",
          "resizing and normalisation each matter", "wrong preprocessing can fall below a random encoder"]
STATUS = "holds"



@dataclass(frozen=True)
class Size:
    n_train: int
    """Pretraining tiles (32 px)."""
    n_down: int
    """Downstream tiles the probes fit (``train_lowres``)."""
    n_val: int
    """Validation (and pretraining test) tiles."""
    n_test: int
    """Downstream tiles the probes are scored on (``test_lowres``)."""
    gsd: int
    """Ground sample distance factor of the downstream tiles (``32 // gsd`` px)."""
    preset: str
    """ResNet preset."""
    steps: int
    batch: int
    lr: float


SIZES = {
    "tiny": Size(n_train=512, n_down=512, n_val=128, n_test=256, gsd=4, preset="test", steps=120, batch=64, lr=2e-3),
    "full": Size(n_train=4000, n_down=2000, n_val=500, n_test=1000, gsd=4, preset="resnet10", steps=1500, batch=128,
                 lr=2e-3),
}
CHANCE = 1.0 / 6
"""6-way majority land-cover class (worlds/image/satellite.py CLASSES)."""
MODES = {"resize-norm": "checkpoint", "native-norm": "no_resize", "resize-raw": "no_normalize", "native-raw": "none"}


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    steps = s.steps
    world = {"kind": "satellite", "size": 32, "n_train": s.n_train, "n_val": s.n_val, "n_test": s.n_val,
             "sat_gsd_factor": s.gsd, "seed": 0}
    downstream = {**world, "seed": 1, "sat_label": "dominant", "n_train": s.n_down, "n_test": s.n_test}
    base = {
        "name": "rs-resize-norm", "modality": "image",
        "data": {"world": world, "augment": {"preset": "none"}},
        "model": {"family": "resnet", "preset": s.preset},
        "objective": {"name": "supervised"},
        "train": {"steps": steps, "batch_size": s.batch, "lr": s.lr, "warmup_steps": max(2, steps // 20),
                  "weight_decay": 0.05, "log_every": max(1, steps // 10), "ckpt_every": 0, "eval_every": 0},
        "eval": {"world": downstream, "protocols": ["knn", "linear"], "train_split": "train_lowres",
                 "val_split": "val_lowres", "test_splits": ["test_lowres"], "knn_k": 5},
    }
    pretrain = {"name": "pretrain", "overrides": {"eval.protocols": []}}  # the probe stages evaluate

    def probe(mode: str) -> dict:
        return {"name": "probe", "init_from": "pretrain",
                "overrides": {"train.steps": 0, "eval.preprocessing": mode, "eval.protocols": ["knn", "linear"]}}

    arms = {arm: {"description": f"pretrained ResNet, eval.preprocessing={mode}", "stages": [pretrain, probe(mode)]}
            for arm, mode in MODES.items()}
    arms["random-init"] = {"description": "untrained ResNet, eval.preprocessing=checkpoint (simple baseline)",
                           "stages": [{"name": "probe", "overrides": {"train.steps": 0}}]}
    knn, lin = "eval/knn/test_lowres/top1", "eval/linear/test_lowres/top1"
    fix = "resizing to the pretraining size and normalising with its statistics gives large kNN gains"

    beats = partial(greater, chance=CHANCE)
    learned = "kNN: pretrained (right preprocessing) beats random init"
    claims = [
        beats("kNN: resize+norm beats native raw", "resize-norm", "native-raw", knn, fix, role="primary"),
        beats("kNN: resizing matters", "resize-norm", "native-norm", knn, fix),
        beats("kNN: normalisation matters", "resize-norm", "resize-raw", knn, fix),
        beats("linear: resize+norm beats native raw", "resize-norm", "native-raw", lin,
              "the linear probe shows the same direction with smaller gaps"),
        beats(learned, "resize-norm", "random-init", knn,
              "evaluated correctly, pretrained encoders beat simple baselines", role="premise"),
        beats("kNN: random init beats pretrained with wrong preprocessing", "random-init", "native-raw", knn,
              "with wrong resizing/normalisation pretrained models look worse than simple baselines",
              requires=[learned]),
    ]
    return {"name": f"rs-resize-norm-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": seeds(size), "stages": [pretrain], "claims": claims, "metrics": [knn, lin]}
