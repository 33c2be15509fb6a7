"""The ``data.world`` section of a latent run and the arrays a built latent world holds.

A latent world is a seeded latent-variable model (worlds/latent/gmm.py) or a user's matrices
(worlds/latent/reader.py), reduced to four arrays the run needs:

    unlabeled   (m, d)        the pretraining pool: x only (MLE of the latent-variable model)
    pool_x      (R, n_max, d) R independent labeled draws of n_max points each (draw r at size n:
    pool_y      (R, n_max)    the first n rows of draw r, so the sizes of one draw are nested)
    test_x      (N, d)        the held-out test set every risk is measured on
    test_y      (N,)

Synthetic worlds also keep the true model (``truth``: means, variances, weights, label map, label noise)
and the true component of every labeled and test point, so the evaluation can report the Bayes risk, the
true model's held-out NLL and the clustering accuracy of the fitted posterior.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pretrainlab.config import ConfigError


@dataclass
class LatentWorldConfig:
    kind: Literal["gmm", "file"] = "gmm"
    """gmm: a seeded Gaussian mixture with labels y = g(z) + label noise; file: your matrices (``path``,
    ``labeled_path``)."""
    seed: int | None = None
    """World seed (means, variances, label map, every sample); null: the run's ``seed``, so each seed of
    an experiment draws a new world."""
    dim: int = 20
    """d: dimension of x."""
    components: int = 8
    """K: mixture components (latent values z)."""
    classes: int = 2
    """Classes of y; the label map g sends K/classes components to each class."""
    separation: float = 5.0
    """Typical distance between two component means, in units of the (average) component std:
    mu_k ~ N(0, separation^2 / (2 d) I), so E||mu_k - mu_l||^2 = separation^2."""
    var_low: float = 0.5
    """Diagonal variances are drawn uniformly in [var_low, var_high] per component and dimension."""
    var_high: float = 1.5
    mix_concentration: float = 0.0
    """Mixing weights ~ Dirichlet(concentration); 0: uniform weights 1/K."""
    label_noise: float = 0.1
    """eta: with probability eta the label g(z) is replaced by a uniformly drawn *other* class."""
    n_unlabeled: int = 10000
    """m: unlabeled pretraining points (nested: a world with smaller m holds a prefix of this pool)."""
    n_labeled: int = 1000
    """n_max: labeled points per draw (the largest downstream n the evaluation may ask for)."""
    label_draws: int = 5
    """R: independent labeled draws; every downstream risk is averaged over them."""
    n_test: int = 20000
    """Held-out test points (kind gmm); every risk is measured on them only."""
    path: str | None = None
    """kind file: unlabeled matrix, .npy or .csv of shape (rows, d)."""
    labeled_path: str | None = None
    """kind file: labeled matrix, .npy or .csv of shape (rows, d + 1), the last column the integer class."""
    test_frac: float = 0.3
    """kind file: share of the labeled rows held out as the test set (seeded split)."""

    def validate(self) -> None:
        if self.kind == "file":
            if not self.path or not self.labeled_path:
                raise ConfigError("data.world.kind=file needs data.world.path (unlabeled .npy/.csv, shape (rows, d)) "
                                  "and data.world.labeled_path (.npy/.csv, shape (rows, d + 1), last column the class)")
            if not 0.0 < self.test_frac < 1.0:
                raise ConfigError(f"data.world.test_frac must be in (0, 1), got {self.test_frac}")
        for key in ("dim", "components", "n_unlabeled", "n_labeled", "label_draws", "n_test"):
            if getattr(self, key) < 1:
                raise ConfigError(f"data.world.{key} must be >= 1, got {getattr(self, key)}")
        if self.classes < 2 or self.classes > self.components:
            raise ConfigError(f"data.world.classes must be in [2, components={self.components}] (g maps components "
                              f"onto classes), got {self.classes}")
        if not 0.0 <= self.label_noise < 1.0 - 1.0 / self.classes:
            raise ConfigError(f"data.world.label_noise must be in [0, {1 - 1 / self.classes:g}) (above it labels carry "
                              f"no information), got {self.label_noise}")
        if not 0.0 < self.var_low <= self.var_high:
            raise ConfigError(f"data.world: need 0 < var_low <= var_high, got {self.var_low}, {self.var_high}")
        if self.separation < 0 or self.mix_concentration < 0:
            raise ConfigError("data.world.separation and data.world.mix_concentration must be >= 0")


@dataclass
class Truth:
    """The true latent-variable model of a synthetic world."""

    means: np.ndarray     # (K, d)
    variances: np.ndarray  # (K, d) diagonal covariances
    weights: np.ndarray   # (K,) mixing weights
    label_map: np.ndarray  # (K,) g: component -> class
    label_noise: float


@dataclass
class LatentData:
    """A built latent world (see the module docstring for the shapes)."""

    unlabeled: np.ndarray
    pool_x: np.ndarray
    pool_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    num_classes: int
    fingerprint: str
    truth: Truth | None = None
    test_z: np.ndarray | None = None
    meta: dict = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return int(self.unlabeled.shape[1])
