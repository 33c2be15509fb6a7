"""quickstart-image: a small ViT pretrained with MAE on the procedural shapes world, then probed frozen
(linear and kNN), end to end on CPU.

Not a paper: the image counterpart of ``quickstart`` (the run examples/vision_mae_shapes.yaml describes),
and a base that image runs and recipes can start from (``recipe: quickstart-image`` in a YAML, or
``quickstart_image.config(size)``). The shapes world has 4 balanced super-classes (chance 0.25); the probes
fit the train split and report ``eval/{linear,knn}/top1`` on ``test`` and on ``test_shift`` (the class ->
colour map rotated). ``tiny`` runs in well under a minute on one core (~7 s of run time); ``full`` (a 32 px
world, a wider ViT, 600 steps) is sized for a few minutes on 2 quiet cores.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.recipes.common import size_of

NAME = "quickstart-image"
PAPER = None
MODALITY = "image"
CLAIMS = ["eval/linear/top1 > chance", "eval/knn/top1 > chance"]


@dataclass(frozen=True)
class Size:
    px: int
    """Image size (height = width)."""
    n_train: int
    """Train images: MAE pretraining and the probes' fit."""
    n_eval: int
    """Validation and test images (each of test and test_shift)."""
    model: dict
    """ViT fields beside ``family`` (models/vit.py)."""
    decoder_dim: int
    """Width of the MAE decoder."""
    steps: int
    batch: int


SIZES = {
    "tiny": Size(px=16, n_train=512, n_eval=128, model={"preset": "test", "patch_size": 4}, decoder_dim=32,
                 steps=30, batch=32),
    "full": Size(px=32, n_train=4000, n_eval=500, model={"preset": "test", "dim": 64, "depth": 4, "heads": 4,
                                                         "patch_size": 4}, decoder_dim=64, steps=600, batch=64),
}


def config(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    return {
        "name": NAME if size == "full" else f"{NAME}-{size}",
        "modality": "image",
        "data": {"world": {"kind": "shapes", "size": s.px, "n_train": s.n_train, "n_val": s.n_eval,
                           "n_test": s.n_eval},
                 "augment": {"preset": "mae"}},
        "model": {"family": "vit", **s.model},
        "objective": {"name": "mae", "mask_ratio": 0.75, "decoder_dim": s.decoder_dim, "decoder_depth": 1,
                      "decoder_heads": 2},
        "train": {"steps": s.steps, "batch_size": s.batch, "lr": 1.5e-3, "warmup_steps": max(2, s.steps // 10),
                  "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": max(1, s.steps // 10)},
        "eval": {"protocols": ["linear", "knn"], "knn_every": s.steps // 2},
    }
