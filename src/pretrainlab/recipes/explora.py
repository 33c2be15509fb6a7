"""explora: "ExPLoRA: Parameter-Efficient Extended Pre-Training to Adapt Vision Transformers under Domain
Shifts" (Khanna, Irvin, Lin, Ermon, Lobell, Liu; 2024, arXiv 2406.10973), METHODS-2 #43.

Mechanism: a ViT pretrained (here MAE) on natural-like images is *extended-pretrained* with the same
self-supervised objective on the shifted target domain, training only 1-2 whole blocks plus LoRA on the
attention of the frozen blocks (and every LayerNorm) -- ``adapt`` in the image run config, models/lora.py:

    frozen W x  ->  W x + (alpha / r) B A x   (A: r x d_in, B: d_out x r, B = 0 at start)

then a linear probe on the target task. Arms (one shared pretraining per seed):

* ``pretrained``: MAE on shapes, probed on xray (no extended pretraining);
* ``full``: + MAE on xray, every parameter trains (full extended pretraining);
* ``explora``: + MAE on xray, last block unfrozen, LoRA rank r on ``attn.qkv`` / ``attn.proj`` of the other
  blocks, LayerNorms trainable; the rest frozen. The MAE decoder trains in both extended arms.

Target = the xray world rendered to 3 channels (multi-label findings); metric = linear-probe macro ROC-AUC
on ``test`` (mAP and the scanner-shifted ``test_shift`` reported too). ``params_trainable_backbone`` counts the
backbone parameters that train (LoRA factors included).

Claims (METHODS-2 #43): ExPLoRA matches or beats full extended pretraining on the target (non-inferiority:
AUC(explora) - AUC(full) > -``MARGIN``) with a small fraction of trainable backbone parameters; both beat no
extended pretraining. Caveat: the test ViT has only 4 (tiny) / 8 (full) blocks, so one unfrozen block is a
larger fraction than the paper's 1 of 24 (ViT-L).
"""

from __future__ import annotations

NAME = "explora"
PAPER = ("ExPLoRA: Parameter-Efficient Extended Pre-Training to Adapt Vision Transformers under Domain Shifts "
         "(arXiv 2406.10973)")
CLAIMS = ["ExPLoRA matches or beats full extended pretraining with a small fraction of trainable parameters",
          "both extended pretrainings beat no extended pretraining"]
STATUS = "runs"

SIZES = {
    #        image px, model overrides, n_train, pretrain/extended steps, batch, lr, LoRA rank, seeds
    "tiny": (16, {"preset": "test", "depth": 4, "patch_size": 4}, 512, (60, 60), 32, 1.5e-3, 4, 2),
    "full": (32, {"preset": "test", "dim": 64, "depth": 8, "heads": 4, "patch_size": 4}, 4000, (600, 400), 64,
             1e-3, 8, 3),
}
METRIC = "eval/linear/auc"
MARGIN = 0.01
"""Non-inferiority margin on linear-probe AUC for "matches or beats"."""


def _world(kind: str, size: int, n_train: int) -> dict:
    world = {"kind": kind, "size": size, "n_train": n_train, "n_val": max(128, n_train // 4),
             "n_test": max(256, n_train // 2)}
    return {**world, "channels": 3} if kind == "xray" else world


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"{NAME}: unknown size '{size}'; choose one of {list(SIZES)}")
    px, model, n_train, (pt_steps, ext_steps), batch, lr, rank, n_seeds = SIZES[size]
    target = _world("xray", px, n_train)

    def train(steps: int) -> dict:
        return {"steps": steps, "batch_size": batch, "lr": lr, "warmup_steps": max(2, steps // 10),
                "schedule": "cosine", "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": 10, "ckpt_every": 0}

    base = {"name": NAME, "modality": "image",
            "data": {"world": _world("shapes", px, n_train), "augment": {"preset": "mae"}},
            "model": model,
            "objective": {"name": "mae", "mask_ratio": 0.75, "decoder_dim": 32 if size == "tiny" else 64,
                          "decoder_depth": 1, "decoder_heads": 2},
            "train": train(pt_steps),
            "eval": {"protocols": ["linear", "knn"], "world": target, "report": size == "full",
                     **({"linear_wd": [1e-4, 1e-2, 1e-1]} if size == "tiny" else {})}}
    pretrain = {"name": "pretrain"}
    extended = {"data.world": target, "train": train(ext_steps)}
    adapt = {"freeze": True, "unfreeze_blocks": [-1], "unfreeze": [r"norm"], "lora_rank": rank,
             "lora_alpha": float(rank), "lora_targets": [r"attn\.qkv$", r"attn\.proj$"]}
    arms = {
        "pretrained": {"description": "MAE on shapes only", "stages": [pretrain]},
        "full": {"description": "+ MAE extended pretraining on xray, all parameters",
                 "stages": [pretrain, {"name": "extended", "init_from": "pretrain", "overrides": extended}]},
        "explora": {"description": f"+ MAE extended pretraining on xray: last block + LayerNorms + LoRA r={rank} "
                                   "on attention", "stages": [pretrain, {"name": "extended", "init_from": "pretrain",
                                                                         "overrides": {**extended, "adapt": adapt}}]},
    }
    paper = "ExPLoRA matches or outperforms full extended pretraining with a fraction of the trainable parameters"
    claims = [
        {"name": "ExPLoRA not worse than full extended pretraining", "kind": "greater", "metric": METRIC,
         "arms": ["explora", "full"], "min_effect": -MARGIN, "paper": paper},
        {"name": "ExPLoRA trains fewer backbone parameters", "kind": "less", "metric": "params_trainable_backbone",
         "arms": ["explora", "full"], "paper": paper},
        {"name": "ExPLoRA beats no extended pretraining", "kind": "greater", "metric": METRIC,
         "arms": ["explora", "pretrained"], "paper": "extended pretraining on the target domain helps"},
        {"name": "full extended pretraining beats none", "kind": "greater", "metric": METRIC,
         "arms": ["full", "pretrained"], "paper": "extended pretraining on the target domain helps"},
    ]
    return {"name": f"{NAME}-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims, "metrics": [METRIC, "eval/linear/mAP", "eval/linear/test_shift/auc",
                                          "params_trainable_backbone"]}
