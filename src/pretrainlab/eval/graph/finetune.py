"""Fine-tuning a graph backbone on the downstream tasks of the scaffold split (Hu et al.'s protocol), the
linear-head variant on frozen features, and the comparison with a same-seed scratch reference.

``finetune``: a copy of the backbone plus a linear head over the pooled graph embedding, trained with Adam
on the ``train`` split's multi-task masked BCE (objectives/graph_supervised.py) for ``epochs`` epochs with
dropout; after each epoch the mean ROC-AUC on ``val`` is computed, and the ``test`` per-task ROC-AUCs are
reported at the epoch with the best val AUC (the first such epoch; Hu et al. report the last epoch of 100,
we choose on val because tiny runs are short). ``freeze``: the backbone is not trained (eval mode, its
pooled features computed once) -- the linear-head protocol. Everything is seeded: ``torch.manual_seed(seed)``
before the head, epoch orders ``numpy.random.default_rng([seed, epoch])``.

``transfer_vs_reference``: per-task gains of a run over a reference fine-tuned the same way from a freshly
initialised backbone with the same seed (the scratch arm's own model): the mean gain and the share of
scored tasks with a negative gain ("negative transfer", Hu et al. Fig. 1 counts such tasks).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from pretrainlab.eval.graph.roc_auc import multitask_auc
from pretrainlab.objectives.graph_supervised import masked_bce
from pretrainlab.worlds.graph.batch import collate, to_device


@dataclass
class FinetuneSettings:
    epochs: int = 20
    lr: float = 1e-3
    batch_size: int = 32
    dropout: float = 0.5
    """Dropout of the backbone during fine-tuning (Hu et al.: 0.5)."""
    eval_batch_size: int = 256
    freeze: bool = False
    """Linear head on frozen backbone features (no backbone update)."""


def _set_dropout(model: nn.Module, p: float) -> None:
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = p


@torch.no_grad()
def graph_features(model: nn.Module, split, batch_size: int, device: torch.device) -> torch.Tensor:
    """(G, D) pooled embeddings of every graph of ``split`` (model in eval mode)."""
    model.eval()
    out = [model.graph_embed(to_device(collate(split, np.arange(i, min(i + batch_size, len(split)))), device))
           for i in range(0, len(split), batch_size)]
    return torch.cat(out)


def finetune(backbone: nn.Module, splits: dict, s: FinetuneSettings, seed: int, device: torch.device) -> dict:
    """``{"val": {"auc"}, "test": {"auc", "per_task", "skipped"}, "epoch": best}`` (module docstring)."""
    train = splits["train"]
    torch.manual_seed(seed)
    model = copy.deepcopy(backbone).to(device)
    _set_dropout(model, s.dropout)
    head = nn.Linear(model.dim, train.labels.shape[1]).to(device)
    params = list(head.parameters())
    if s.freeze:
        model.requires_grad_(False)
        feats = {k: graph_features(model, v, s.eval_batch_size, device) for k, v in splits.items()}
    else:
        params += list(model.parameters())
    opt = torch.optim.Adam(params, lr=s.lr)
    labels = {k: torch.from_numpy(v.labels).to(device) for k, v in splits.items()}
    best, best_val = None, -math.inf
    for epoch in range(s.epochs):
        perm = np.random.default_rng([seed, epoch]).permutation(len(train))
        model.train(not s.freeze)
        for i in range(0, len(train), s.batch_size):
            idx = perm[i:i + s.batch_size]
            if s.freeze:
                logits = head(feats["train"][torch.from_numpy(idx).to(device)])
            else:
                logits = head(model.graph_embed(to_device(collate(train, idx), device)))
            loss = masked_bce(logits, labels["train"][torch.from_numpy(idx).to(device)])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        scores = {}
        for k in ("val", "test"):
            with torch.no_grad():
                f = feats[k] if s.freeze else graph_features(model, splits[k], s.eval_batch_size, device)
                scores[k] = multitask_auc(splits[k].labels, head(f).float().cpu().numpy())
        val = scores["val"]["auc"] if not math.isnan(scores["val"]["auc"]) else -math.inf
        if best is None or val > best_val:
            best, best_val = {"val": scores["val"], "test": scores["test"], "epoch": epoch + 1}, val
    return best


def transfer_vs_reference(per_task: list[float], ref_per_task: list[float]) -> dict:
    """``{"gain": mean AUC gain, "neg_transfer": share of tasks below the reference, "per_task_gain"}``
    over the tasks scored in both (a task skipped in either is nan in ``per_task_gain``)."""
    gains = [a - r if not (math.isnan(a) or math.isnan(r)) else math.nan for a, r in zip(per_task, ref_per_task)]
    scored = [g for g in gains if not math.isnan(g)]
    if not scored:
        return {"gain": math.nan, "neg_transfer": math.nan, "per_task_gain": gains}
    return {"gain": float(np.mean(scored)), "neg_transfer": float(np.mean([g < 0 for g in scored])),
            "per_task_gain": gains}
