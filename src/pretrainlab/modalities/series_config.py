"""The run config of a series run (top-level ``modality: series``): world, windows, encoder, tasks, evaluation.

    name: sspt-pretrain
    modality: series
    data:      {world: {kind: market, n_stocks: 30}, window: 32, period: pretrain}
    model:     {preset: tiny}                      # SeriesTransformerConfig fields (models/series_transformer.py)
    objective: {ma: 1.0, stock: 1.0, sector: 1.0, direction: 0.0}   # task weights (0: off)
    train:     TrainConfig (train/config.py; the same as every run)
    eval:      {top_k: 5, cost: 0.0005}

A stage trains on the windows of ``data.period`` (``pretrain`` or ``train``); evaluation always uses the
validation and test periods. Direction and trading keys appear when ``objective.direction > 0``; the
pretraining tasks' held-out scores when their weight is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pretrainlab.config import ConfigError
from pretrainlab.models.series_transformer import SeriesTransformerConfig
from pretrainlab.train.config import TrainConfig
from pretrainlab.worlds.series import SeriesWorldConfig


@dataclass
class SeriesDataConfig:
    world: SeriesWorldConfig = field(default_factory=SeriesWorldConfig)
    window: int = 32
    """Days per window (SSPT: 32)."""
    period: Literal["pretrain", "train"] = "train"
    """The period whose windows this stage trains on (targets never cross its end)."""
    ma_horizons: list[int] = field(default_factory=lambda: [5, 10, 20])
    """Moving-average prediction horizons in days."""

    def validate(self) -> None:
        if self.window < 2:
            raise ConfigError(f"data.window must be >= 2 days, got {self.window}")
        if not self.ma_horizons or min(self.ma_horizons) < 1:
            raise ConfigError(f"data.ma_horizons must be positive day counts, got {self.ma_horizons}")


@dataclass
class SeriesObjectiveConfig:
    """Task weights of the loss ``sum_k w_k loss_k`` (objectives/weighted_sum.py); 0 turns a task off."""

    ma: float = 0.0
    """Moving-average prediction (objectives/ma_prediction.py)."""
    stock: float = 0.0
    """Stock-identity classification (objectives/series_identity.py)."""
    sector: float = 0.0
    """Sector classification (objectives/series_identity.py)."""
    direction: float = 1.0
    """Next-day up/down (objectives/direction.py), the fine-tuning task."""

    def validate(self) -> None:
        weights = {"ma": self.ma, "stock": self.stock, "sector": self.sector, "direction": self.direction}
        bad = {k: w for k, w in weights.items() if w < 0}
        if bad:
            raise ConfigError(f"objective: task weights must be >= 0, got {bad}")
        if not any(w > 0 for w in weights.values()):
            raise ConfigError("objective: every task weight is 0; set at least one of objective.ma, "
                              "objective.stock, objective.sector, objective.direction > 0")


@dataclass
class SeriesEvalConfig:
    top_k: int = 5
    """Long the k highest-scored series, short the k lowest, every test day (eval/series/trading.py)."""
    cost: float = 0.0005
    """Transaction cost per unit of weight traded (0.0005 = 5 bp)."""
    baselines: bool = True
    """Also report the pooled logistic-regression baseline (and the oracle on the market world)."""
    batch_size: int = 1024
    report: bool = True


@dataclass
class SeriesRunConfig:
    name: str = "series-run"
    seed: int = 0
    modality: Literal["series"] = "series"
    data: SeriesDataConfig = field(default_factory=SeriesDataConfig)
    model: SeriesTransformerConfig = field(default_factory=SeriesTransformerConfig)
    objective: SeriesObjectiveConfig = field(default_factory=SeriesObjectiveConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: SeriesEvalConfig = field(default_factory=SeriesEvalConfig)

    def validate(self) -> None:
        if self.eval.top_k < 1:
            raise ConfigError(f"eval.top_k must be >= 1, got {self.eval.top_k}")
        w = self.data.world
        if w.kind == "market" and 2 * self.eval.top_k > w.n_stocks and self.objective.direction > 0:
            raise ConfigError(f"eval.top_k={self.eval.top_k}: long k + short k needs 2k <= data.world.n_stocks="
                              f"{w.n_stocks}")
        if w.kind == "csv" and self.objective.sector > 0 and not w.sectors:
            raise ConfigError("objective.sector > 0 needs sectors: set data.world.sectors ({series: sector}) for a "
                              "csv world, or objective.sector: 0")


def series_metric_names(cfg: SeriesRunConfig) -> set[str]:
    """Every key a series run writes to summary.json (claims are validated against it up front)."""
    names = {"step", "windows", "train/loss", "train/windows_per_s", "train/skipped_steps", "wall_s", "params",
             "params_trainable"}
    o = cfg.objective
    if o.ma > 0:
        names |= {"eval/ma/mse", "eval/ma/r2"}
    names |= {f"eval/identity/{k}_acc" for k, w in (("stock", o.stock), ("sector", o.sector)) if w > 0}
    if o.direction > 0:
        names |= {"eval/direction/val/accuracy", "eval/direction/val/auc", "eval/direction/accuracy",
                  "eval/direction/auc"}
        names |= {f"eval/trading/{k}" for k in ("annual_return", "sharpe", "max_drawdown", "turnover",
                                                "market_annual_return", "market_sharpe", "market_max_drawdown",
                                                "sharpe_vs_market", "return_vs_market")}
        if cfg.eval.baselines:
            names.add("eval/baseline/linear_accuracy")
            if cfg.data.world.kind == "market":
                names.add("eval/baseline/oracle_accuracy")
    return names
