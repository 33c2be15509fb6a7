"""Linear probe: L2-regularised logistic regression on frozen features, weight decay chosen on val.

Features are standardised with the train split's mean and std, then a linear layer (W, b) minimises

    L(W, b) = mean_i CE(W z_i + b, y_i) + (lambda / 2) ||W||_F^2

(single-label: softmax cross-entropy; multi-label: per-class sigmoid BCE) full-batch with L-BFGS (strong
Wolfe line search) in float64. ``lambda`` is picked from a small grid by val top-1 (multi-label: val
mAP; ties: val log-loss); the chosen probe, trained on the train split only, is evaluated on each test
split once.

Defaults next to the peers' (PEERS-SSL.md §2.1):

| | optimiser | regulariser | selection | epochs |
|---|---|---|---|---|
| **pretrainlab** | L-BFGS full batch, fp64 | wd in {0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1} | val top-1 (ties: val log-loss), test once | to convergence (max 100 it., warm-started path) |
| DINOv2 ``log_regression.py`` | cuML L-BFGS fp64 | C in 10^linspace(-6, 5, 45) | val | max_iter 1000 |
| DINOv2 ``linear.py`` | SGD, 13 LRs x 4 feature sets | wd 0 | best head on val (test = val if none) | 10 x 1250 it. |
| MAE ``main_linprobe.py`` | LARS, BN(affine=False) head | wd 0 | last epoch | 90 |
| DINO v1 ``eval_linear.py`` | SGD lr 1e-3 x bs/256 | wd 0 | max val over epochs | 100 |
| lightly / solo-learn | SGD lr 0.1-0.3 | wd 0 | max val over epochs (reported) | 90-100 |

Small-scale choice: a convex, deterministic solver with val-selected L2 beats copying SGD schedules that
were tuned for ImageNet; reporting the max over epochs on the reported split (several peers) is avoided.

Example:
    >>> r = linear_probe(train, val, {"test": test}, num_classes=10)
    >>> r["test"]["top1"], r["wd"]
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

WD_GRID = (0.0, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)

Pair = tuple[torch.Tensor, torch.Tensor]


@dataclass
class LinearProbe:
    mean: torch.Tensor
    std: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor
    multilabel: bool = False

    def scores(self, f: torch.Tensor) -> torch.Tensor:
        z = (f.double() - self.mean) / self.std
        return (z @ self.weight.T + self.bias).float()


def fit_logreg(train_f: torch.Tensor, train_y: torch.Tensor, num_classes: int, wd: float,
               max_iter: int = 100, multilabel: bool | None = None, init: LinearProbe | None = None) -> LinearProbe:
    """Fit the probe on (train_f, train_y); multi-label when ``train_y`` is (N, K); ``init``: warm start."""
    multilabel = train_y.dim() == 2 if multilabel is None else multilabel
    x = train_f.double()
    mean, std = x.mean(0), x.std(0).clamp_min(1e-6)
    z = (x - mean) / std
    w = torch.zeros(num_classes, z.shape[1], dtype=torch.float64) if init is None else init.weight.clone()
    b = torch.zeros(num_classes, dtype=torch.float64) if init is None else init.bias.clone()
    w.requires_grad_(True)
    b.requires_grad_(True)
    y = train_y.double() if multilabel else train_y.long()
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, tolerance_grad=1e-7, tolerance_change=1e-10,
                            history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        logits = z @ w.T + b
        loss = F.binary_cross_entropy_with_logits(logits, y) if multilabel else F.cross_entropy(logits, y)
        loss = loss + 0.5 * wd * (w * w).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return LinearProbe(mean, std, w.detach(), b.detach(), multilabel)


def probe_metrics(probe: LinearProbe, f: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    scores = probe.scores(f)
    if probe.multilabel:
        from pretrainlab.eval.multilabel import multilabel_metrics

        return multilabel_metrics(scores, y)
    from pretrainlab.eval.knn import topk_accuracy

    out = {"top1": topk_accuracy(scores, y, 1)}
    if scores.shape[1] > 5:
        out["top5"] = topk_accuracy(scores, y, 5)
    return out


def log_loss(probe: LinearProbe, f: torch.Tensor, y: torch.Tensor) -> float:
    """Mean cross-entropy (multi-label: BCE) of the probe on (f, y)."""
    s = probe.scores(f)
    loss = F.binary_cross_entropy_with_logits(s, y.float()) if probe.multilabel else F.cross_entropy(s, y.long())
    return loss.item()


def linear_probe(train: Pair, val: Pair, tests: dict[str, Pair], num_classes: int,
                 wd_grid: tuple[float, ...] = WD_GRID, max_iter: int = 100) -> dict:
    """Select ``wd`` on ``val``, then report every split in ``tests`` once.

    The grid is walked from the strongest penalty down, each fit warm-started from the previous one (a
    regularisation path). Selection: val top-1 (multi-label: mAP), ties broken by the lower val log-loss
    (top-1 ignores the scale of W, so a crushed probe can tie on accuracy). Returns ``{split: metrics,
    "val": metrics of the chosen probe, "wd": chosen wd}``.
    """
    key = "mAP" if train[1].dim() == 2 else "top1"
    best, best_wd, best_probe, probe = (-float("inf"), -float("inf")), None, None, None
    for wd in sorted(wd_grid, reverse=True):
        probe = fit_logreg(train[0], train[1], num_classes, wd, max_iter, init=probe)
        score = (probe_metrics(probe, *val)[key], -log_loss(probe, *val))
        if score > best or best_probe is None:
            best, best_wd, best_probe = score, wd, probe
    out: dict = {name: probe_metrics(best_probe, f, y) for name, (f, y) in tests.items()}
    out["val"] = probe_metrics(best_probe, *val)
    out["wd"] = best_wd
    return out
