"""Class-incremental evaluation of a frozen or fine-tuned pretrained encoder (METHODS-2 #20, nmc_cl:
"A Simple Baseline that Questions the Use of Pretrained-Models in Continual Learning", Pelosin 2022).

The classes of the eval world are split into ``n_tasks`` tasks (a seeded class order); task t shows only the
training images of its classes, once, in order, with no exemplars kept. After each task the model is scored
single-head on the test images of every class seen so far (no task id at test time). Methods:

* ``ncm``: frozen encoder, running class means of L2-normalised features; predict
  ``argmin_c ||z(x) - mu_c||``. A class mean depends only on its own class's images, so adding a task never
  moves an old mean: zero forgetting by construction, and no training at all.
* ``linear``: frozen encoder, growing linear head trained with cross-entropy over all seen classes' logits
  on the current task's images only (sequential, exemplar-free).
* ``finetune``: the same, but backbone and head are both trained (sequential fine-tuning; the baseline that
  forgets catastrophically).
* ``joint``: a linear head on all classes at once (not incremental; the upper bound of frozen features).

Metrics with accuracy matrix ``a[t, j]`` = top-1 on the test images of task j after task t (T tasks):

    acc         = top-1 on all test images after the last task (final average accuracy)
    avg_inc_acc = (1/T) sum_t top-1 on the test images of tasks 0..t after task t
    forgetting  = (1/(T-1)) sum_{j<T-1} max_{t<T-1} a[t, j] - a[T-1, j]

Example:
    >>> r = class_incremental("ncm", backbone, prep, (x_train, y_train), {"test": (x, y)}, num_classes=12)
    >>> r["test"]["acc"], r["test"]["forgetting"]
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.eval.features import Preprocessing, extract_features
from pretrainlab.eval.ncm import NCM

METHODS = ("ncm", "linear", "finetune", "joint")


def task_classes(num_classes: int, n_tasks: int, seed: int = 0) -> list[np.ndarray]:
    """A seeded class order cut into ``n_tasks`` near-equal tasks."""
    if not 1 <= n_tasks <= num_classes:
        raise ValueError(f"eval.ci_tasks: {n_tasks} tasks for {num_classes} classes (use 1..{num_classes})")
    order = np.random.default_rng([seed, 20]).permutation(num_classes)
    return [np.sort(t) for t in np.array_split(order, n_tasks)]


def accuracy_matrix_metrics(a: np.ndarray, seen_acc: list[float]) -> dict[str, float]:
    """acc / avg_inc_acc / forgetting from the (T, T) task accuracy matrix (row t: after task t)."""
    T = a.shape[0]
    forgetting = float(np.mean([a[:T - 1, j].max() - a[T - 1, j] for j in range(T - 1)])) if T > 1 else 0.0
    return {"acc": float(seen_acc[-1]), "avg_inc_acc": float(np.mean(seen_acc)), "forgetting": forgetting}


class _Features(nn.Module):
    def __init__(self, backbone: nn.Module):
        super().__init__()
        self.backbone = backbone

    def forward(self, x):
        return self.backbone.forward_features(x)


def _score(preds: dict, evals: dict, tasks: list[np.ndarray], t: int, a: dict, seen: dict) -> None:
    """Fill row t of every split's accuracy matrix and its seen-classes accuracy."""
    for name, (_, y) in evals.items():
        pred = preds[name]
        for j, cls in enumerate(tasks):
            m = torch.isin(y, torch.as_tensor(cls))
            a[name][t, j] = (pred[m] == y[m]).float().mean().item() if m.any() else float("nan")
        m = torch.isin(y, torch.as_tensor(np.concatenate(tasks[:t + 1])))
        seen[name].append((pred[m] == y[m]).float().mean().item())


def _train_head(model: nn.Module, head: nn.Linear, x: torch.Tensor, y: torch.Tensor, allowed: torch.Tensor,
                epochs: int, lr: float, batch_size: int, seed: int, device) -> None:
    """Cross-entropy over the ``allowed`` (seen) classes' logits; ``model`` maps inputs to features."""
    params = [p for p in [*model.parameters(), *head.parameters()] if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    mask = torch.full((head.out_features,), float("-inf"), device=device)
    mask[allowed.to(device)] = 0.0
    bs = min(batch_size, len(x))
    for epoch in range(epochs):
        model.train()
        order = torch.from_numpy(np.random.default_rng([seed, epoch]).permutation(len(x)))
        for s in range(max(1, len(x) // bs)):
            idx = order[s * bs:(s + 1) * bs]
            logits = head(model(x[idx].to(device))) + mask
            loss = F.cross_entropy(logits.float(), y[idx].to(device).long())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()


def class_incremental(method: str, backbone: nn.Module, prep: Preprocessing, train: tuple, evals: dict[str, tuple],
                      num_classes: int, n_tasks: int = 4, epochs: int = 5, lr: float = 1e-3, batch_size: int = 64,
                      seed: int = 0, device="cpu", preprocessing: str = "checkpoint") -> dict:
    """``{split: {"acc", "avg_inc_acc", "forgetting"}}`` of ``method`` on raw (images, labels) ``train``/``evals``.

    The backbone is never modified (``finetune`` trains a copy).
    """
    if method not in METHODS:
        raise ValueError(f"eval.ci_method: {method!r} is not one of {list(METHODS)}")
    y_tr = torch.as_tensor(train[1]).long()
    if y_tr.dim() != 1:
        raise ValueError("eval.protocols: class_incremental needs single-label classes; the eval world is multi-label")
    tasks = task_classes(num_classes, n_tasks, seed)
    evals = {k: (x, torch.as_tensor(y).long()) for k, (x, y) in evals.items()}
    a = {k: np.zeros((len(tasks), len(tasks))) for k in evals}
    seen: dict[str, list[float]] = {k: [] for k in evals}
    torch.manual_seed(seed)

    if method == "finetune":
        model = _Features(copy.deepcopy(backbone)).to(device)
        x_tr = prep(train[0], preprocessing)
        x_ev = {k: prep(x, preprocessing) for k, (x, _) in evals.items()}
    else:
        model = nn.Identity()
        x_tr = extract_features(backbone, train[0], prep, 256, device, preprocessing).float()
        x_ev = {k: extract_features(backbone, x, prep, 256, device, preprocessing).float()
                for k, (x, _) in evals.items()}
    head = nn.Linear(backbone.feature_dim, num_classes).to(device)

    @torch.no_grad()
    def logits(x: torch.Tensor) -> torch.Tensor:
        model.eval()
        return torch.cat([head(model(x[i:i + 256].to(device))).float().cpu() for i in range(0, len(x), 256)])

    if method == "joint":
        _train_head(model, head, x_tr, y_tr, torch.arange(num_classes), epochs * len(tasks), lr, batch_size, seed,
                    device)
    for t, cls in enumerate(tasks):
        seen_cls = torch.as_tensor(np.concatenate(tasks[:t + 1]))
        mask = torch.full((num_classes,), float("-inf"))
        mask[seen_cls] = 0.0
        if method == "ncm":
            m = torch.isin(y_tr, seen_cls)  # class means of earlier tasks are unchanged by the new images
            clf = NCM.fit(x_tr[m], y_tr[m], num_classes, norm="l2")
            preds = {k: clf.predict(x_ev[k]) for k in evals}
        else:
            if method != "joint":
                m = torch.isin(y_tr, torch.as_tensor(cls))
                _train_head(model, head, x_tr[m], y_tr[m], seen_cls, epochs, lr, batch_size, seed + t, device)
            preds = {k: (logits(x_ev[k]) + mask).argmax(1) for k in evals}
        _score(preds, evals, tasks, t, a, seen)
    return {k: accuracy_matrix_metrics(a[k], seen[k]) for k in evals}
