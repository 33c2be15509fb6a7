"""selfdistill-fpt: "Self-Distillation for Further Pre-training of Transformers" (Lee, Kang, Yun, Hwang;
ICLR 2023, arXiv 2209.02871), METHODS-1 #6.

Mechanism: a ViT pretrained with MAE on an upstream domain is adapted to a target domain. Plain further
pretraining continues MAE on the target; self-distillation further pretraining then takes that further-pretrained
model as a frozen teacher and trains a student, initialised from the *pretrained* model, with MAE plus a feature
distillation loss to the teacher (objectives/feature_distill.py):

    L = L_MAE(student) + lambda * mean_b || f_s(x_b) - sg(f_t(x_b)) ||^2

Here: upstream = the shapes world (RGB), target = the xray world (rendered to 3 channels, multi-label findings),
downstream task = a linear probe on xray findings (macro ROC-AUC / mAP on ``test``; the scanner-shifted
``test_shift`` is reported too). Arms (every stage shares the pretrain, and sd-fpt shares fpt, so each runs once
per seed):

* ``pretrained``: MAE on shapes, probed on xray (no further pretraining);
* ``fpt``: + MAE on xray (plain further pretraining);
* ``sd-fpt``: + student from the pretrained model, MAE + distillation to the fpt teacher on xray.

Caveat: as in the paper, sd-fpt spends the fpt steps (for its teacher) plus its own; the paper's claim is about
this two-step procedure, not about equal compute. The paper fine-tunes; here the probe is linear (frozen
features), which is what a tiny run can afford.

Claims (METHODS-1 #6): self-distillation further pretraining beats plain further pretraining downstream; and,
as the sanity premise, further pretraining beats no further pretraining.
"""

from __future__ import annotations

NAME = "selfdistill-fpt"
PAPER = "Self-Distillation for Further Pre-training of Transformers (arXiv 2209.02871)"
CLAIMS = ["self-distillation further pretraining beats plain further pretraining on the downstream task",
          "further pretraining beats no further pretraining"]
STATUS = "runs"

SIZES = {
    #        image px, model overrides, n_train, pretrain/fpt/sd steps, batch, lr, seeds
    "tiny": (16, {"preset": "test", "patch_size": 4}, 512, (60, 60, 60), 32, 1.5e-3, 2),
    "full": (32, {"preset": "test", "dim": 64, "depth": 6, "heads": 4, "patch_size": 4}, 4000, (600, 400, 400), 64,
             1e-3, 3),
}
METRIC = "eval/linear/auc"


def _world(kind: str, size: int, n_train: int) -> dict:
    world = {"kind": kind, "size": size, "n_train": n_train, "n_val": max(128, n_train // 4),
             "n_test": max(256, n_train // 2)}
    return {**world, "channels": 3} if kind == "xray" else world


def _mae(size: str) -> dict:
    return {"name": "mae", "mask_ratio": 0.75, "decoder_dim": 32 if size == "tiny" else 64, "decoder_depth": 1,
            "decoder_heads": 2}


def experiment(size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"{NAME}: unknown size '{size}'; choose one of {list(SIZES)}")
    px, model, n_train, (pt_steps, fpt_steps, sd_steps), batch, lr, n_seeds = SIZES[size]
    target = _world("xray", px, n_train)

    def train(steps: int) -> dict:
        return {"steps": steps, "batch_size": batch, "lr": lr, "warmup_steps": max(2, steps // 10),
                "schedule": "cosine", "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": 10,
                "ckpt_every": 0}

    base = {"name": NAME, "modality": "image",
            "data": {"world": _world("shapes", px, n_train), "augment": {"preset": "mae"}},
            "model": model, "objective": _mae(size), "train": train(pt_steps),
            "eval": {"protocols": ["linear", "knn"], "world": target, "report": size == "full",
                     **({"linear_wd": [1e-4, 1e-2, 1e-1]} if size == "tiny" else {})}}
    on_target = {"data.world": target}
    pretrain = {"name": "pretrain"}
    fpt = {"name": "fpt", "init_from": "pretrain", "overrides": {**on_target, "train": train(fpt_steps)}}
    sd = {"name": "sd", "init_from": "pretrain", "teacher_from": "fpt",
          "overrides": {**on_target, "train": train(sd_steps),
                        "objective": {**_mae(size), "name": "feature_distill", "distill_weight": 1.0}}}
    arms = {
        "pretrained": {"description": "MAE on shapes only", "stages": [pretrain]},
        "fpt": {"description": "+ MAE further pretraining on xray", "stages": [pretrain, fpt]},
        "sd-fpt": {"description": "+ self-distillation: student from the pretrained model, MAE + feature "
                                  "distillation to the fpt teacher", "stages": [pretrain, fpt, sd]},
    }
    paper = "self-distillation further pretraining outperforms further pretraining on downstream tasks"
    claims = [
        {"name": "sd-fpt beats fpt (linear AUC)", "kind": "greater", "metric": METRIC, "arms": ["sd-fpt", "fpt"],
         "paper": paper},
        {"name": "sd-fpt beats fpt (linear mAP)", "kind": "greater", "metric": "eval/linear/mAP",
         "arms": ["sd-fpt", "fpt"], "paper": paper},
        {"name": "fpt beats no further pretraining", "kind": "greater", "metric": METRIC,
         "arms": ["fpt", "pretrained"], "paper": "further pretraining on the target domain helps (premise)"},
    ]
    return {"name": f"{NAME}-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": list(range(n_seeds)),
            "claims": claims, "metrics": [METRIC, "eval/linear/mAP", "eval/linear/test_shift/auc", "eval/knn/auc"]}
