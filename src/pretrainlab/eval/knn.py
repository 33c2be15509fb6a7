"""Weighted k-nearest-neighbour classification on frozen features (the DINO protocol).

Features are L2-normalised, similarity is cosine (a dot product), each query takes its ``k`` most similar
train features and scores class c as

    score_c(q) = sum_{i in topk(q)} exp(s_i / T) [y_i = c]

Prediction = argmax_c score_c. For multi-label targets the score is the weight-averaged neighbour label
vector, evaluated with mean AUC / mAP (eval/multilabel.py). No hyperparameter is tuned on test; k and T
are fixed (or picked on val with :func:`select_knn`).

Defaults next to the peers' (PEERS-SSL.md §2.2):

| | k | T | weighting | metric |
|---|---|---|---|---|
| **pretrainlab** | 20 | 0.07 | exp(s/T) | cosine |
| DINO v1 ``eval_knn.py`` | 20 (of 10/20/100/200) | 0.07 | exp(s/T) | cosine |
| DINOv2 ``eval/knn.py`` | 10/20/100/200 | 0.07 | softmax(s/T) (same argmax) | cosine |
| solo-learn ``WeightedKNNClassifier`` | 20 | 0.07 | exp(s/T) | cosine (online default: euclidean) |
| lightly ``knn_predict`` | 200 | 0.1 | exp(s/T) | cosine |

Example:
    >>> r = knn_eval(train_f, train_y, {"test": (test_f, test_y)}, num_classes=10)
    >>> r["test"]["top1"]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

K, TEMPERATURE = 20, 0.07


@torch.no_grad()
def knn_scores(train_f: torch.Tensor, train_y: torch.Tensor, query_f: torch.Tensor, num_classes: int,
               k: int = K, temperature: float = TEMPERATURE, chunk: int = 1024,
               exclude_self: bool = False) -> torch.Tensor:
    """(Q, num_classes) class scores. ``train_y``: (N,) int class ids or (N, K) multi-hot floats.

    ``exclude_self``: the query set *is* the train set (leave-one-out); each point's own entry is skipped.
    """
    bank = F.normalize(train_f.float(), dim=1)
    multilabel = train_y.dim() == 2
    onehot = train_y.float() if multilabel else F.one_hot(train_y.long(), num_classes).float()
    k = min(k, len(bank) - int(exclude_self))
    out = []
    for start in range(0, len(query_f), chunk):
        q = F.normalize(query_f[start:start + chunk].float(), dim=1)
        sim = q @ bank.T
        if exclude_self:
            rows = torch.arange(len(q))
            sim[rows, rows + start] = -float("inf")
        top_sim, top_idx = sim.topk(k, dim=1)
        w = (top_sim / temperature).exp()
        scores = (w.unsqueeze(-1) * onehot[top_idx]).sum(1)
        if multilabel:
            scores = scores / w.sum(1, keepdim=True)
        out.append(scores)
    return torch.cat(out) if out else torch.zeros(0, num_classes)


def topk_accuracy(scores: torch.Tensor, labels: torch.Tensor, k: int = 1) -> float:
    if len(labels) == 0:
        return float("nan")
    k = min(k, scores.shape[1])
    hit = (scores.topk(k, dim=1).indices == labels.long().view(-1, 1)).any(1)
    return hit.float().mean().item()


def knn_eval(train_f: torch.Tensor, train_y: torch.Tensor, eval_sets: dict[str, tuple[torch.Tensor, torch.Tensor]],
             num_classes: int, k: int = K, temperature: float = TEMPERATURE) -> dict[str, dict[str, float]]:
    """{split: metrics}: ``top1`` (+ ``top5`` when there are > 5 classes), or ``mAP``/``auc`` for multi-label."""
    from pretrainlab.eval.multilabel import multilabel_metrics

    out = {}
    for name, (f, y) in eval_sets.items():
        scores = knn_scores(train_f, train_y, f, num_classes, k, temperature)
        if train_y.dim() == 2:
            out[name] = multilabel_metrics(scores, y)
        else:
            out[name] = {"top1": topk_accuracy(scores, y, 1)}
            if num_classes > 5:
                out[name]["top5"] = topk_accuracy(scores, y, 5)
    return out


def select_knn(train_f, train_y, val: tuple[torch.Tensor, torch.Tensor], num_classes: int,
               ks=(10, 20, 100, 200), temperatures=(0.07,)) -> tuple[int, float]:
    """(k, T) with the best val top-1 (ties: the first in grid order); never looks at test."""
    best, arg = -1.0, (K, TEMPERATURE)
    for k in ks:
        for t in temperatures:
            acc = topk_accuracy(knn_scores(train_f, train_y, val[0], num_classes, k, t), val[1])
            if acc > best:
                best, arg = acc, (k, t)
    return arg
