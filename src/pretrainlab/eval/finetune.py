"""Full fine-tuning with optional layer-wise learning-rate decay; learning rate and epoch chosen on val.

A linear head on ``forward_features`` is trained together with the whole backbone (AdamW, linear warm-up
over the first ``warmup`` fraction of steps, then cosine, per candidate LR). The head starts at zero weights
(as MAE's fine-tuning, which draws them with std 2e-5) and a bias that matches the training labels' prior:
``log p_c`` for single-label, ``logit(p_c)`` per finding for multi-label (the focal-loss prior init), so the
first steps learn to discriminate instead of undoing a random head. Without that, a short fine-tune of a small
model stayed at mean AUC ~0.5 on the X-ray world (0.54 vs 0.60 with it, random-init ViT, 80 steps).

With layer decay ``d`` a parameter at depth ``l`` of ``L`` (patch/stem embedding = 0, block i = i + 1, final
norm and head = L + 1) gets

    lr_l = lr * d^(L + 1 - l)                                   (BEiT / MAE ``param_groups_lrd``)

Every (lr, epoch) is scored on val (top-1; multi-label: mAP) and the best state kept; only that one is
evaluated on the test splits, once. Inputs go through the checkpoint's preprocessing; the training
batches get a seeded horizontal flip (order and flips are pure functions of (seed, epoch)); an incomplete
last batch is dropped.

Defaults next to the peers' (PEERS-SSL.md §2.4):

| | optimiser | lr | layer decay | wd | epochs | augmentation | selection |
|---|---|---|---|---|---|---|---|
| **pretrainlab** | AdamW, 10% warm-up, cosine | {1e-3, 3e-4} | 1.0 = off (0.65-0.75 for ViTs) | 0.05 | 10 | flip | val (lr, epoch), test once |
| MAE ViT-B ``FINETUNE.md`` | AdamW, 5 warm-up ep. | blr 5e-4 x bs/256 | 0.65 | 0.05 | 100 | RandAug, mixup, cutmix, LS 0.1 | last epoch |
| lightly ``FinetuneClassifier`` | SGD / AdamW | method-specific | -- | -- | 30-100 | RRC + flip | max val |
| pretrain-gnns | Adam 1e-3 | -- | -- | 0 | 100 | -- | test at best-val epoch |

Example:
    >>> r = finetune(backbone, prep, {"train": (x, y), "val": (xv, yv)}, {"test": (xt, yt)}, num_classes=10)
"""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.eval.features import Preprocessing
from pretrainlab.optim.schedules import cosine

_LAYER = re.compile(r"(?:^|\.)(?:blocks|layers|layer|stages)\.?(\d+)")
_EMBED = ("patch_embed", "cls_token", "pos_embed", "stem", "conv1", "bn1", "embed")


class _Classifier(nn.Module):
    def __init__(self, backbone: nn.Module, num_classes: int, labels: torch.Tensor | None = None):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(backbone.feature_dim, num_classes)
        if labels is not None:
            nn.init.zeros_(self.head.weight)
            with torch.no_grad():
                self.head.bias.copy_(prior_bias(labels, num_classes))

    def forward(self, x):
        return self.head(self.backbone.forward_features(x))


def prior_bias(labels: torch.Tensor, num_classes: int, eps: float = 1e-3) -> torch.Tensor:
    """Head bias whose prediction is the label prior: ``log p`` (single-label) or ``logit(p)`` (multi-label)."""
    if labels.dim() == 2:
        p = labels.float().mean(0).clamp(eps, 1 - eps)
        return torch.log(p) - torch.log1p(-p)
    p = torch.bincount(labels.long(), minlength=num_classes).float() / max(1, len(labels))
    return torch.log(p.clamp_min(eps))


def layer_id(name: str, n_blocks: int) -> int:
    """Depth of a parameter for layer decay: embeddings 0, block i -> i + 1, everything after -> n_blocks + 1."""
    m = _LAYER.search(name)
    if m:
        return int(m.group(1)) + 1
    if name.startswith("backbone.") and any(name[len("backbone."):].startswith(e) for e in _EMBED):
        return 0
    return n_blocks + 1


def decay_groups(model: _Classifier, lr: float, layer_decay: float, weight_decay: float) -> list[dict]:
    names = [n for n, _ in model.named_parameters()]
    n_blocks = max([int(m.group(1)) + 1 for n in names if (m := _LAYER.search(n))] or [0])
    groups: dict[tuple[int, bool], dict] = {}
    for name, p in model.named_parameters():
        lid, decay = layer_id(name, n_blocks), p.dim() >= 2
        g = groups.setdefault((lid, decay), {"params": [], "weight_decay": weight_decay if decay else 0.0,
                                             "base_lr": lr * layer_decay ** (n_blocks + 1 - lid)})
        g["params"].append(p)
    return list(groups.values())


@torch.no_grad()
def _scores(model: nn.Module, x: torch.Tensor, batch_size: int, device) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x[i:i + batch_size].to(device)).float().cpu() for i in range(0, len(x), batch_size)])


def _metrics(scores: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    if y.dim() == 2:
        from pretrainlab.eval.multilabel import multilabel_metrics

        return multilabel_metrics(scores, y)
    from pretrainlab.eval.knn import topk_accuracy

    return {"top1": topk_accuracy(scores, y, 1)}


def finetune(backbone: nn.Module, prep: Preprocessing, fit: dict[str, tuple], tests: dict[str, tuple],
             num_classes: int, lrs: tuple[float, ...] = (1e-3, 3e-4), epochs: int = 10, batch_size: int = 64,
             layer_decay: float = 1.0, weight_decay: float = 0.05, seed: int = 0, device="cpu",
             preprocessing: str = "checkpoint", warmup: float = 0.1) -> dict:
    """Fine-tune a copy of ``backbone`` per LR; ``fit`` holds raw ("train", "val") (images, labels).

    Returns ``{split: metrics, "val": metrics, "lr": chosen, "epochs": chosen}`` (the backbone is untouched).
    """
    x_tr, y_tr = prep(fit["train"][0], preprocessing), torch.as_tensor(fit["train"][1])
    x_va, y_va = prep(fit["val"][0], preprocessing), torch.as_tensor(fit["val"][1])
    multilabel = y_tr.dim() == 2
    key = "mAP" if multilabel else "top1"
    best = {"score": -math.inf, "state": None, "lr": None, "epochs": None}
    batch_size = min(batch_size, len(x_tr))
    steps_per_epoch = len(x_tr) // batch_size  # the incomplete last batch is dropped (BatchNorm needs > 1)
    for lr in lrs:
        torch.manual_seed(seed)
        model = _Classifier(copy.deepcopy(backbone), num_classes, y_tr).to(device)
        opt = torch.optim.AdamW(decay_groups(model, lr, layer_decay, weight_decay), lr=lr)
        total = epochs * steps_per_epoch
        warm = int(warmup * total)
        for epoch in range(epochs):
            model.train()
            rng = np.random.default_rng([seed, epoch])
            order = torch.from_numpy(rng.permutation(len(x_tr)))
            flips = torch.from_numpy(rng.random(len(x_tr)) < 0.5)
            for s in range(steps_per_epoch):
                idx = order[s * batch_size:(s + 1) * batch_size]
                xb = torch.where(flips[idx].view(-1, 1, 1, 1), x_tr[idx].flip(-1), x_tr[idx]).to(device)
                step = epoch * steps_per_epoch + s
                for g in opt.param_groups:
                    g["lr"] = g["base_lr"] * cosine(step, total, warm)
                logits = model(xb)
                yb = y_tr[idx].to(device)
                loss = F.binary_cross_entropy_with_logits(logits, yb.float()) if multilabel else \
                    F.cross_entropy(logits, yb.long())
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            score = _metrics(_scores(model, x_va, 256, device), y_va)[key]
            if score > best["score"] or best["state"] is None:
                best = {"score": score, "state": copy.deepcopy(model.state_dict()), "lr": lr, "epochs": epoch + 1}
    model = _Classifier(copy.deepcopy(backbone), num_classes).to(device)
    model.load_state_dict(best["state"])
    out: dict = {name: _metrics(_scores(model, prep(x, preprocessing), 256, device), torch.as_tensor(y))
                 for name, (x, y) in tests.items()}
    out["val"] = _metrics(_scores(model, x_va, 256, device), y_va)
    out.update(lr=best["lr"], epochs=best["epochs"])
    return out
