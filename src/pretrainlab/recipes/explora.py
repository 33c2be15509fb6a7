"""explora: "ExPLoRA: Parameter-Efficient Extended Pre-Training to Adapt Vision Transformers under Domain
Shifts" (Khanna, Irvin, Lin, Ermon, Lobell, Liu; 2024, arXiv 2406.10973), METHODS-2 #43.

Mechanism: a ViT pretrained (here MAE) on natural-like images is *extended-pretrained* with the same
self-supervised objective on the shifted target domain, training only 1-2 whole blocks plus LoRA on the
attention of the frozen blocks (and every LayerNorm) -- ``adapt`` in the image run config, models/lora.py:

    frozen W x  ->  W x + (alpha / r) B A x   (A: r x d_in, B: d_out x r, B = 0 at start)

then the target task is learned by a linear probe (frozen features) or by fine-tuning. Arms (one shared
pretraining per seed):

* ``pretrained``: MAE on shapes, evaluated on xray (no extended pretraining, "no extension");
* ``full``: + MAE on xray, every parameter trains (full extended / continued pretraining);
* ``explora``: + MAE on xray, last block unfrozen, LoRA rank r on ``attn.qkv`` / ``attn.proj`` of the other
  blocks, LayerNorms trainable; the rest frozen. The MAE decoder trains in both extended arms.

Target = the xray world rendered to 3 channels (multi-label findings). Every arm's final backbone is
evaluated two ways on the xray ``train`` split (labels), hyperparameters chosen on ``val``, scored once on
``test`` (macro ROC-AUC; mAP and the scanner-shifted ``test_shift`` reported too):

* ``eval/linear/auc``: linear probe on frozen features (the paper's headline protocol, "up to 8% linear
  probing" gains);
* ``eval/finetune/auc``: full fine-tuning of the backbone + a linear head (eval/finetune.py, LRs
  ``FT_LRS`` and the epoch chosen on val mAP, no layer decay, the same protocol for every arm; the
  ExPLoRA checkpoint is a plain ViT once its LoRA factors are merged on load). The paper also fine-tunes
  after extended pretraining (ExPLoRA + fine-tuning vs fine-tuning the natural-image model). Epochs: 30 at
  tiny (512 labelled images), 20 at full, fixed before any run: the medmae-thorax protocol, the one shown
  in this repository to learn at these sizes (docs/recipes.md, medmae-thorax tiny/full, session 4).

Nothing here is true by construction: extended pretraining uses the xray train images *without labels*;
the probe and the fine-tune fit labels on train and are scored on the held-out ``test`` images that no
stage trained on; every arm gets the same evaluation.

Claims (METHODS-2 #43: "ExPLoRA LP >> no-extension LP and ~=/>= full continued pretraining with <10%
trainable parameters"):

* primary ``ExPLoRA beats no extension (linear probe)`` and ``... (fine-tune)``: greater, min_effect 0
  (the paper's ">>" is read from the effect size printed beside the verdict, not built into the test);
* premises ``full extended pretraining helps (linear probe)`` / ``(fine-tune)``: full > pretrained. The
  "matches full" claims require them: if continued pretraining does not help at all, ExPLoRA "matching"
  it only says that both sit near the starting model (the earlier runs found exactly this: full
  extension *lowered* the probe, and ExPLoRA moved the model less);
* secondary ``ExPLoRA not worse than full extended pretraining (linear probe)`` / ``(fine-tune)``:
  noninferior, higher is better, ``MARGIN`` = 0.01 AUC. 0.01 is the margin declared before the first run
  of this recipe (2026-11, "matches or beats" within 0.01) and is kept, not moved after the withdrawn
  results; it is about one seed-to-seed SD of the probe AUC in those archived full-size runs
  (0.007-0.012, docs/recipes.md before c1c3d20), i.e. a shortfall smaller than seed noise counts as
  matching (the fine-tune claim uses the same margin: fine-tuned AUC SDs in the archived medmae-thorax
  full runs are 0.003-0.014);
* sanity ``ExPLoRA trains fewer backbone parameters``: a design fact of the ``adapt`` config (true by
  construction), reported apart, never a reproduction.

Every AUC claim has ``chance`` 0.5. Not built: the LoRA-only extension and from-scratch domain MAE arms
(METHODS "beats LoRA-only"). Caveat: the test ViT has only 4 (tiny) / 8 (full) blocks, so one unfrozen
block is a larger fraction than the paper's 1 of 24 (ViT-L): the "<10%" is not reproduced (~30% / ~18%).
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.experiments.claims import claim, greater, less
from pretrainlab.recipes.common import seeds, size_of

NAME = "explora"
PAPER = ("ExPLoRA: Parameter-Efficient Extended Pre-Training to Adapt Vision Transformers under Domain Shifts "
         "(arXiv 2406.10973)")
CLAIMS = ["ExPLoRA beats no extension, linear probe and fine-tune (primary)",
          "ExPLoRA not worse than full extended pretraining (requires: full extension helps)",
          "ExPLoRA trains fewer backbone parameters (sanity)"]
STATUS = "inconclusive"



@dataclass(frozen=True)
class Size:
    px: int
    """Image size of both worlds."""
    model: dict
    """The run's ``model`` section (a ViT)."""
    n_train: int
    pt_steps: int
    """MAE pretraining steps on shapes."""
    ext_steps: int
    """Extended pretraining steps on xray."""
    batch: int
    lr: float
    rank: int
    """LoRA rank."""
    ft_epochs: int
    """Fine-tuning epochs."""


SIZES = {
    "tiny": Size(px=16, model={"preset": "test", "depth": 4, "patch_size": 4}, n_train=512, pt_steps=60, ext_steps=60,
                 batch=32, lr=1.5e-3, rank=4, ft_epochs=30),
    "full": Size(px=32, model={"preset": "test", "dim": 64, "depth": 8, "heads": 4, "patch_size": 4}, n_train=4000,
                 pt_steps=600, ext_steps=400, batch=64, lr=1e-3, rank=8, ft_epochs=20),
}
LINEAR, FINETUNE = "eval/linear/auc", "eval/finetune/auc"
MARGIN = 0.01
"""Non-inferiority margin (AUC) for "matches or beats full extended pretraining" (see the docstring)."""
AUC_CHANCE = 0.5
FT_LRS = [1e-3, 3e-4]


def _world(kind: str, size: int, n_train: int) -> dict:
    world = {"kind": kind, "size": size, "n_train": n_train, "n_val": max(128, n_train // 4),
             "n_test": max(256, n_train // 2)}
    return {**world, "channels": 3} if kind == "xray" else world


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    rank = s.rank
    target = _world("xray", s.px, s.n_train)

    def train(steps: int) -> dict:
        return {"steps": steps, "batch_size": s.batch, "lr": s.lr, "warmup_steps": max(2, steps // 10),
                "schedule": "cosine", "weight_decay": 0.05, "betas": [0.9, 0.95], "log_every": 10, "ckpt_every": 0}

    base = {"name": NAME, "modality": "image",
            "data": {"world": _world("shapes", s.px, s.n_train), "augment": {"preset": "mae"}},
            "model": s.model,
            "objective": {"name": "mae", "mask_ratio": 0.75, "decoder_dim": 32 if size == "tiny" else 64,
                          "decoder_depth": 1, "decoder_heads": 2},
            "train": train(s.pt_steps),
            "eval": {"protocols": ["linear", "finetune"], "world": target, "report": size == "full",
                     "finetune_lrs": FT_LRS, "finetune_epochs": s.ft_epochs,
                     **({"linear_wd": [1e-4, 1e-2, 1e-1]} if size == "tiny" else {})}}
    pretrain = {"name": "pretrain"}
    extended = {"data.world": target, "train": train(s.ext_steps)}
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
    beats = "ExPLoRA linear probe >> no-extension linear probe (up to 8% LP accuracy over prior work)"
    matches = "ExPLoRA ~=/>= full continued pretraining with <10% of the trainable parameters"
    helps = "continued pretraining on the target domain helps (premise of 'matches full')"
    claims = []
    for tag, metric in (("linear probe", LINEAR), ("fine-tune", FINETUNE)):
        premise = f"full extended pretraining helps ({tag})"
        claims += [
            greater(f"ExPLoRA beats no extension ({tag})", "explora", "pretrained", metric, beats,
                    chance=AUC_CHANCE, role="primary"),
            greater(premise, "full", "pretrained", metric, helps, chance=AUC_CHANCE, role="premise"),
            claim(f"ExPLoRA not worse than full extended pretraining ({tag})", "noninferior", metric,
                  ["explora", "full"], matches, margin=MARGIN, better="higher", chance=AUC_CHANCE,
                  requires=[premise]),
        ]
    claims.append(less("ExPLoRA trains fewer backbone parameters", "explora", "full", "params_trainable_backbone",
                       matches, role="sanity"))
    return {"name": f"{NAME}-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "claims": claims, "metrics": [LINEAR, FINETUNE, "eval/linear/mAP", "eval/finetune/mAP",
                                          "eval/linear/test_shift/auc", "eval/finetune/test_shift/auc",
                                          "params_trainable_backbone"]}
