"""medmae-thorax: "Delving into Masked Autoencoders for Multi-Label Thorax Disease Classification"
(Xiao, Bai, Zhou, Yuille, Zhou; WACV 2023, arXiv 2210.12843), METHODS-1 #16.

Mechanism: MAE pretraining on chest X-rays, loss = mean over *masked* patches of
``|| decode(encode(visible))_p - norm(x_p) ||^2``, with a higher mask ratio (0.9 vs 0.75 for natural
images) and a milder RandomResizedCrop (scale (0.5, 1) vs (0.2, 1)) because X-rays are redundant and
low-entropy; then multi-label fine-tuning with BCE and layer-wise LR decay (LLRD: the LR of layer l is
``lr * decay^(L - l)``), scored by mean ROC-AUC over findings. In-domain MAE beats ImageNet transfer.

Here: the procedural X-ray world (1 channel, 6 co-occurring findings) at 32 px and a patch-4 ViT. Each arm
is ``pretrain -> probe``; the probe stage (``train.steps: 0``, ``init_from``) runs the sigmoid linear probe
(``eval/multilabel/auc``) and full fine-tuning (``eval/finetune/auc``) on the X-ray train split (capped at
``eval.max_train`` labelled images), reported on ``test`` and the second-scanner ``test_shift``:

* ``scratch``: no pretraining (random init, fine-tuned without LLRD);
* ``mae-75``: in-domain MAE, natural-image recipe (mask 0.75, crop (0.2, 1));
* ``mae-90``: mask 0.9, crop (0.2, 1);
* ``medmae``: the paper's recipe, mask 0.9, crop (0.5, 1), fine-tuned with LLRD;
* ``medmae-no-llrd``: the same checkpoint fine-tuned without LLRD;
* ``ood-mae``: MAE (0.75, (0.2, 1)) on the grey shapes world, "natural images";
* ``ood-supervised``: supervised pretraining on grey shapes, the "ImageNet supervised" init.

Claims (METHODS-1 #16): in-domain MAE > out-of-domain MAE > scratch in mean AUC; in-domain MAE at least
matches out-of-domain supervised init; mask 0.9 >= 0.75 and crop (0.5, 1) >= (0.2, 1) (non-inferiority,
within 0.01 AUC); LLRD helps fine-tuning. The recipe items are "check" items that may not replicate here.
"""

from __future__ import annotations

NAME = "medmae-thorax"
PAPER = "Delving into Masked Autoencoders for Multi-Label Thorax Disease Classification (arXiv 2210.12843)"
CLAIMS = ["in-domain MAE > out-of-domain MAE > scratch (mean AUC)", "in-domain MAE matches supervised transfer",
          "mask 0.9 >= 0.75, crop (0.5, 1) >= (0.2, 1)", "LLRD helps fine-tuning"]
STATUS = "runs"

SIZES = {
    #        n_train, labelled, n_eval, vit (dim, depth, heads), decoder (dim, depth, heads), steps, batch,
    #        fine-tune epochs, fine-tune lrs, seeds
    "tiny": (1024, 512, 256, (32, 2, 2), (32, 1, 2), 150, 64, 30, [1e-3, 3e-4], 2),
    "full": (20000, 2000, 1000, (96, 4, 3), (64, 2, 4), 3000, 128, 20, [1e-3, 3e-4], 3),
}
LAYER_DECAY = 0.75
NON_INFERIOR = -0.01


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"medmae-thorax: unknown size '{size}'; choose one of {list(SIZES)}")
    n_train, labelled, n_eval, (dim, depth, heads), (ddim, ddepth, dheads), steps, batch, ft_epochs, ft_lrs, \
        n_seeds = SIZES[size]
    xray = {"kind": "xray", "size": 32, "n_train": n_train, "n_val": n_eval, "n_test": n_eval, "seed": 0}
    shapes = {"kind": "shapes", "size": 32, "channels": 1, "n_train": n_train, "n_val": n_eval, "n_test": n_eval,
              "seed": 0}
    base = {
        "name": "medmae-thorax", "modality": "image",
        "data": {"world": xray, "augment": {"preset": "mae"}},
        "model": {"family": "vit", "preset": "test", "dim": dim, "depth": depth, "heads": heads, "patch_size": 4,
                  "image_size": 32},
        "objective": {"name": "supervised"},
        "train": {"steps": steps, "batch_size": batch, "lr": 1.5e-3, "warmup_steps": max(2, steps // 20),
                  "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": max(1, steps // 10), "ckpt_every": 0,
                  "eval_every": 0},
        "eval": {"protocols": ["multilabel", "finetune"]},
    }
    probe_eval = {"eval.max_train": labelled, "eval.finetune_epochs": ft_epochs, "eval.finetune_lrs": ft_lrs}

    def mae(mask: float, crop: float, world: dict | None = None) -> dict:
        ov = {"objective": {"name": "mae", "mask_ratio": mask, "decoder_dim": ddim, "decoder_depth": ddepth,
                            "decoder_heads": dheads}, "data.augment.crop_scale": [crop, 1.0],
              "eval.protocols": []}
        return {"name": "pretrain", "overrides": {**ov, **({"data.world": world} if world else {})}}

    def probe(layer_decay: float = LAYER_DECAY, init: bool = True) -> dict:
        return {"name": "probe", **({"init_from": "pretrain"} if init else {}),
                "overrides": {"train.steps": 0, **probe_eval, "eval.finetune_layer_decay": layer_decay}}

    arms = {
        "scratch": {"description": "random init, fine-tuned without LLRD", "stages": [probe(1.0, init=False)]},
        "mae-75": {"description": "in-domain MAE, mask 0.75, crop (0.2, 1)", "stages": [mae(0.75, 0.2), probe()]},
        "mae-90": {"description": "in-domain MAE, mask 0.9, crop (0.2, 1)", "stages": [mae(0.9, 0.2), probe()]},
        "medmae": {"description": "in-domain MAE, mask 0.9, crop (0.5, 1), LLRD", "stages": [mae(0.9, 0.5), probe()]},
        "medmae-no-llrd": {"description": "the medmae checkpoint fine-tuned without LLRD",
                           "stages": [mae(0.9, 0.5), probe(1.0)]},
        "ood-mae": {"description": "MAE (0.75, crop (0.2, 1)) on grey shapes", "stages": [mae(0.75, 0.2, shapes), probe()]},
        "ood-supervised": {"description": "supervised on grey shapes (the 'ImageNet' init)",
                           "stages": [{"name": "pretrain", "overrides": {"data.world": shapes, "eval.protocols": []}},
                                      probe()]},
    }
    ft, lin = "eval/finetune/auc", "eval/multilabel/auc"
    order = "in-domain MAE > out-of-domain (ImageNet) transfer > scratch"

    def greater(name: str, a: str, b: str, metric: str, paper: str, min_effect: float = 0.0) -> dict:
        return {"name": name, "kind": "greater", "metric": metric, "arms": [a, b], "paper": paper,
                "min_effect": min_effect}

    claims = [
        greater("fine-tune: in-domain MAE beats scratch", "medmae", "scratch", ft, order),
        greater("fine-tune: in-domain MAE beats out-of-domain MAE", "mae-75", "ood-mae", ft, order),
        greater("fine-tune: out-of-domain MAE beats scratch", "ood-mae", "scratch", ft, order),
        greater("fine-tune: in-domain MAE matches out-of-domain supervised", "medmae", "ood-supervised", ft,
                "in-domain MAE pretraining beats ImageNet-supervised transfer", NON_INFERIOR),
        greater("linear probe: in-domain MAE beats scratch", "medmae", "scratch", lin, order),
        greater("mask 0.9 not worse than 0.75", "mae-90", "mae-75", ft,
                "a higher mask ratio (0.9) suits X-rays", NON_INFERIOR),
        greater("crop (0.5, 1) not worse than (0.2, 1)", "medmae", "mae-90", ft,
                "a milder random resized crop (0.5, 1) suits X-rays", NON_INFERIOR),
        greater("LLRD helps fine-tuning", "medmae", "medmae-no-llrd", ft, "layer-wise LR decay improves fine-tuning"),
    ]
    return {"name": f"medmae-thorax-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": list(range(n_seeds)), "stages": [probe()], "claims": claims,
            "metrics": [ft, lin, "eval/finetune/test_shift/auc"]}
