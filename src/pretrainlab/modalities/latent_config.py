"""The run config of a latent run (top-level ``modality: latent``): world, mixture model, objective, eval.

    name: latent-gmm
    modality: latent
    data:  {world: {kind: gmm, dim: 20, components: 8, n_unlabeled: 10000, n_labeled: 1000, label_draws: 5}}
    model: {preset: small}                    # or {components: 8, min_var: 0.01, init: kmeans++}
    objective: {name: gmm_nll}
    train: TrainConfig (train/config.py; the same as every run; weight_decay 0 here: decay would bias the MLE)
    eval:  {n_labeled: [10, 30, 100, 300, 1000], c: 1.0, mlp_hidden: 64}

``model.preset`` (models/gmm.py ``PRESETS``) sets ``components`` unless it is given; the data dimension
comes from the world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pretrainlab.config import ConfigError
from pretrainlab.eval.latent import PIPELINES, downstream_keys
from pretrainlab.models.gmm import PRESETS
from pretrainlab.train.config import TrainConfig
from pretrainlab.worlds.latent import LatentWorldConfig


@dataclass
class LatentDataConfig:
    world: LatentWorldConfig = field(default_factory=LatentWorldConfig)


@dataclass
class LatentModelConfig:
    family: Literal["gmm"] = "gmm"
    preset: Literal["test", "small", "medium"] | None = None
    """Sets ``components`` (test 2, small 8, medium 16) when ``components`` is not given."""
    components: int | None = None
    """K of the fitted mixture (default: the preset's, else 8)."""
    min_var: float = 1e-2
    """Variance floor of the fitted mixture."""
    init: Literal["kmeans++", "random"] = "kmeans++"
    """Fresh runs: k-means++ seeding + Lloyd iterations on the unlabeled pool (the usual EM initialisation), or
    random points of the pool as means with unit variances."""
    init_restarts: int = 4
    """k-means restarts; the lowest inertia wins."""
    init_iters: int = 20
    init_max_points: int = 20000
    """k-means runs on at most this many unlabeled points (the first ones)."""

    def resolved_components(self) -> int:
        return self.components or PRESETS.get(self.preset or "small", 8)

    def validate(self) -> None:
        if self.components is not None and self.components < 1:
            raise ConfigError(f"model.components must be >= 1, got {self.components}")
        if self.min_var <= 0:
            raise ConfigError(f"model.min_var must be > 0, got {self.min_var}")
        if self.init_restarts < 1 or self.init_max_points < 1:
            raise ConfigError("model.init_restarts and model.init_max_points must be >= 1")


@dataclass
class LatentObjectiveConfig:
    name: Literal["gmm_nll"] = "gmm_nll"
    """gmm_nll: mean negative log-likelihood (maximum-likelihood pretraining, objectives/gmm_nll.py)."""


@dataclass
class LatentEvalConfig:
    n_labeled: list[int] = field(default_factory=lambda: [10, 30, 100, 300, 1000])
    """Downstream sample sizes n (increasing; each <= data.world.n_labeled)."""
    c: float = 1.0
    """Inverse L2 strength of every logistic regression (sklearn ``C``), the same at every n."""
    mlp_hidden: int = 64
    """Hidden units of the raw-x MLP baseline."""
    mlp_alpha: float = 1e-4
    """L2 weight decay of the MLP baseline (sklearn ``alpha``)."""
    nll_max_points: int = 20000
    """Unlabeled points the train NLL is measured on (the first ones)."""
    report: bool = True


def _default_train() -> TrainConfig:
    return TrainConfig(steps=300, batch_size=512, lr=2e-2, weight_decay=0.0, warmup_steps=10, log_every=50)


@dataclass
class LatentRunConfig:
    name: str = "latent-run"
    seed: int = 0
    modality: Literal["latent"] = "latent"
    data: LatentDataConfig = field(default_factory=LatentDataConfig)
    model: LatentModelConfig = field(default_factory=LatentModelConfig)
    objective: LatentObjectiveConfig = field(default_factory=LatentObjectiveConfig)
    train: TrainConfig = field(default_factory=_default_train)
    eval: LatentEvalConfig = field(default_factory=LatentEvalConfig)

    def validate(self) -> None:
        ns, world = self.eval.n_labeled, self.data.world
        if not ns or any(n < 1 for n in ns) or sorted(set(ns)) != list(ns):
            raise ConfigError(f"eval.n_labeled must be increasing sizes >= 1, got {ns}")
        if ns[-1] > world.n_labeled:
            raise ConfigError(f"eval.n_labeled: n={ns[-1]} exceeds data.world.n_labeled={world.n_labeled} (the labeled "
                              "points per draw); raise data.world.n_labeled or drop that n")


def latent_metric_names(cfg: LatentRunConfig) -> set[str]:
    """Every key a latent run writes to summary.json (to validate claims up front)."""
    names = {"step", "points", "train/loss", "train/points_per_s", "train/skipped_steps", "wall_s", "params",
             "eval/gmm/test_nll", "eval/gmm/train_nll"}
    names |= downstream_keys(cfg.eval.n_labeled)
    if cfg.data.world.kind == "gmm":
        names |= {"eval/gmm/true_nll", "eval/gmm/nll_excess", "eval/gmm/cluster_acc", "eval/bayes/error",
                  "eval/bayes/logloss"}
        if len(cfg.eval.n_labeled) > 1:
            names |= {f"eval/{p}/slope_n" for p in (*PIPELINES, "supervised")}
    return names
