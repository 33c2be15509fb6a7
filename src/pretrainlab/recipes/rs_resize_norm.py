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

Claims (METHODS-1 #8): resize + matched normalisation beats native / mismatched preprocessing under kNN;
each step matters on its own; pretrained-and-correct beats the random encoder, while the wrong protocol
can fall below it; the linear probe is checked separately (the paper: its gaps are smaller than kNN's,
which a claim kind over differences of gaps cannot express here; compare the two tables instead).
Deviation: the encoder is pretrained in-domain (6 bands) because probes reject a channel/dtype mismatch
with an RGB uint8 checkpoint (``eval/features.py``), so "ImageNet-pretrained" is not modelled.
"""

from __future__ import annotations

NAME = "rs-resize-norm"
PAPER = ("Revisiting pre-trained remote sensing model benchmarks: resizing and normalization matters "
         "(arXiv 2305.13456)")
CLAIMS = ["resize + matched normalisation beats native/mismatched preprocessing (kNN)",
          "resizing and normalisation each matter", "wrong preprocessing can fall below a random encoder"]
STATUS = "claim holds"

SIZES = {
    #        n_train, n_eval_train, n_val, n_test, gsd factor, model preset, steps, batch, lr, seeds
    "tiny": (512, 512, 128, 256, 4, "test", 120, 64, 2e-3, 3),
    "full": (4000, 2000, 500, 1000, 4, "resnet10", 1500, 128, 2e-3, 3),
}
MODES = {"resize-norm": "checkpoint", "native-norm": "no_resize", "resize-raw": "no_normalize", "native-raw": "none"}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"rs-resize-norm: unknown size '{size}'; choose one of {list(SIZES)}")
    n_train, n_down, n_val, n_test, gsd, preset, steps, batch, lr, n_seeds = SIZES[size]
    world = {"kind": "satellite", "size": 32, "n_train": n_train, "n_val": n_val, "n_test": n_val,
             "sat_gsd_factor": gsd, "seed": 0}
    downstream = {**world, "seed": 1, "sat_label": "dominant", "n_train": n_down, "n_test": n_test}
    base = {
        "name": "rs-resize-norm", "modality": "image",
        "data": {"world": world, "augment": {"preset": "none"}},
        "model": {"family": "resnet", "preset": preset},
        "objective": {"name": "supervised"},
        "train": {"steps": steps, "batch_size": batch, "lr": lr, "warmup_steps": max(2, steps // 20),
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

    def greater(name: str, a: str, b: str, metric: str, paper: str) -> dict:
        return {"name": name, "kind": "greater", "metric": metric, "arms": [a, b], "paper": paper}

    claims = [
        greater("kNN: resize+norm beats native raw", "resize-norm", "native-raw", knn, fix),
        greater("kNN: resizing matters", "resize-norm", "native-norm", knn, fix),
        greater("kNN: normalisation matters", "resize-norm", "resize-raw", knn, fix),
        greater("linear: resize+norm beats native raw", "resize-norm", "native-raw", lin,
                "the linear probe shows the same direction with smaller gaps"),
        greater("kNN: pretrained (right preprocessing) beats random init", "resize-norm", "random-init", knn,
                "evaluated correctly, pretrained encoders beat simple baselines"),
        greater("kNN: random init beats pretrained with wrong preprocessing", "random-init", "native-raw", knn,
                "with wrong resizing/normalisation pretrained models look worse than simple baselines"),
    ]
    return {"name": f"rs-resize-norm-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": list(range(n_seeds)), "stages": [pretrain], "claims": claims, "metrics": [knn, lin]}
