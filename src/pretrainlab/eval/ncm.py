"""Nearest class mean (NCM) on frozen features with CL2N normalisation (SimpleShot, arXiv:1911.04623).

CL2N: centre every feature by the mean of the *train* features, then L2-normalise:

    z(x) = (f(x) - mu_train) / ||f(x) - mu_train||,    mu_c = mean_{i: y_i = c} z(x_i)
    y_hat(x) = argmin_c ||z(x) - mu_c||_2

No hyperparameters, so nothing is selected on val: a cheap probe for every modality, and the classifier of
the nearest-mean class-incremental recipe (a class mean can be added without touching the others).
None of the SSL peers ships NCM (PEERS-SSL.md §2.3); SimpleShot reports CL2N above unnormalised and
L2-only variants.

Example:
    >>> clf = NCM.fit(train_f, train_y, num_classes=10)
    >>> (clf.predict(test_f) == test_y).float().mean()
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


def cl2n(f: torch.Tensor, center: torch.Tensor) -> torch.Tensor:
    return F.normalize(f.float() - center, dim=1)


@dataclass
class NCM:
    center: torch.Tensor
    """(D,) mean of the train features (the CL2N centre)."""
    means: torch.Tensor
    """(C, D) class means of the normalised train features; rows of classes never seen are NaN."""
    norm: str = "cl2n"

    @classmethod
    def fit(cls, train_f: torch.Tensor, train_y: torch.Tensor, num_classes: int, norm: str = "cl2n") -> "NCM":
        """``norm``: ``cl2n`` (default), ``l2`` (no centring) or ``none``."""
        train_f = train_f.float()
        center = train_f.mean(0) if norm == "cl2n" else torch.zeros(train_f.shape[1])
        z = cl2n(train_f, center) if norm != "none" else train_f
        sums = torch.zeros(num_classes, z.shape[1]).index_add_(0, train_y.long(), z)
        counts = torch.bincount(train_y.long(), minlength=num_classes).float().unsqueeze(1)
        return cls(center, sums / counts, norm)

    def transform(self, f: torch.Tensor) -> torch.Tensor:
        return f.float() if self.norm == "none" else cl2n(f, self.center)

    def scores(self, f: torch.Tensor) -> torch.Tensor:
        """(N, C) negative Euclidean distances to the class means (unseen classes: -inf)."""
        d = torch.cdist(self.transform(f), torch.nan_to_num(self.means, nan=0.0))
        d[:, torch.isnan(self.means).any(1)] = float("inf")
        return -d

    def predict(self, f: torch.Tensor) -> torch.Tensor:
        return self.scores(f).argmax(1)


def ncm_eval(train_f: torch.Tensor, train_y: torch.Tensor, eval_sets: dict[str, tuple[torch.Tensor, torch.Tensor]],
             num_classes: int, norm: str = "cl2n") -> dict[str, dict[str, float]]:
    """{split: {"top1": accuracy}} of the nearest-class-mean classifier fitted on the train features."""
    clf = NCM.fit(train_f, train_y, num_classes, norm)
    return {name: {"top1": (clf.predict(f) == y.long()).float().mean().item() if len(y) else float("nan")}
            for name, (f, y) in eval_sets.items()}
