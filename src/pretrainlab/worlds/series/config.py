"""Config and container of a series world: many price series on one calendar, with sectors and time splits.

``SeriesWorldConfig`` is the ``data.world`` section of a series run (``modality: series``); ``SeriesData``
is what a generator or the CSV reader returns. Days are split by time, never by series, and every later
period is strictly later (no look-ahead)::

    day 0 ......... pretrain_end                          (pretraining windows: their targets end before it)
    day 0 ..................... train_end                 (fine-tuning windows)
                                train_end ... val_end     (validation)
                                              val_end ... T  (test: accuracy and the trading evaluation)

By default ``pretrain_frac == train_frac`` (the SSPT set-up: pretraining and fine-tuning see the same days,
pretraining only adds tasks); a smaller ``pretrain_frac`` pretrains on an earlier prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pretrainlab.config import ConfigError


@dataclass
class SeriesWorldConfig:
    kind: Literal["market", "csv"] = "market"
    """market: the seeded stock-market simulator (market.py); csv: your prices (reader.py, ``path``)."""
    seed: int | None = None
    """World seed; null: the run's seed (each seed of an experiment is another market)."""
    n_stocks: int = 30
    n_sectors: int = 6
    n_days: int = 1260
    """Trading days (252 a year); the paper's set-up is 5 years: 3 train, 1 val, 1 test."""
    market_vol: float = 0.008
    """Daily volatility of the market factor (a random walk in log price)."""
    market_drift: float = 0.0003
    """Daily drift of the market factor."""
    momentum: float = 0.4
    """Largest |AR(1) coefficient| of idiosyncratic returns; sectors spread over [-momentum, momentum]
    (negative: short-term mean reversion, positive: momentum)."""
    lead_lag: float = 0.5
    """Largest delayed response to yesterday's market return (per sector, uniform in [0, lead_lag])."""
    trend: float = 0.15
    """Std of each stock's slowly varying drift (AR(1), rho 0.97) relative to its idiosyncratic volatility."""
    jump_rate: float = 0.01
    """Daily probability of an idiosyncratic jump (size ~ N(0, (4 sigma_i)^2))."""
    shock_rate: float = 0.004
    """Daily probability of a market crash day (~ N(-3%, 2%)) and, separately, of a sector shock (~ N(0, 4%))."""
    path: str | None = None
    """csv: a file with a date column and one column of prices per series."""
    date_column: str = "date"
    nan: Literal["raise", "ffill", "drop"] = "raise"
    """csv: a missing price stops with an error (raise), carries the last price forward (ffill), or drops
    every date on which any series is missing (drop)."""
    sectors: dict[str, str] = field(default_factory=dict)
    """csv: series name -> sector name (series not listed go to sector ``other``); empty: one sector."""
    pretrain_frac: float | None = None
    """Fraction of days the pretraining windows may use (default: ``train_frac``)."""
    train_frac: float = 0.6
    val_frac: float = 0.2
    """The test period is the rest: ``1 - train_frac - val_frac``."""

    def validate(self) -> None:
        if self.kind == "csv" and not self.path:
            raise ConfigError("data.world.path: kind csv needs a file (date column + one price column per series)")
        if self.kind == "market" and (self.n_stocks < 2 or self.n_sectors < 1 or self.n_sectors > self.n_stocks):
            raise ConfigError(f"data.world: need n_stocks >= 2 and 1 <= n_sectors <= n_stocks, got "
                              f"n_stocks={self.n_stocks}, n_sectors={self.n_sectors}")
        test = 1.0 - self.train_frac - self.val_frac
        if not (self.train_frac > 0 and self.val_frac > 0 and test > 1e-9):
            raise ConfigError(f"data.world: train_frac={self.train_frac} and val_frac={self.val_frac} must be > 0 "
                              "and leave a test period (train_frac + val_frac < 1)")
        pre = self.pretrain_frac
        if pre is not None and not 0 < pre <= self.train_frac:
            raise ConfigError(f"data.world.pretrain_frac={pre} must be in (0, train_frac={self.train_frac}]: "
                              "pretraining never sees validation or test days")

    def boundaries(self, n_days: int) -> dict[str, tuple[int, int]]:
        """Day ranges ``[start, end)`` of the periods: pretrain, train, val, test."""
        train_end = int(round(n_days * self.train_frac))
        val_end = int(round(n_days * (self.train_frac + self.val_frac)))
        pre_end = int(round(n_days * (self.pretrain_frac if self.pretrain_frac is not None else self.train_frac)))
        return {"pretrain": (0, pre_end), "train": (0, train_end), "val": (train_end, val_end),
                "test": (val_end, n_days)}


@dataclass
class SeriesData:
    """Prices of N series over T days (one calendar), their sectors, and the world's ground truth."""

    prices: np.ndarray
    """(N, T) float64, > 0."""
    names: list[str]
    sectors: np.ndarray
    """(N,) int64 sector index of each series."""
    sector_names: list[str]
    dates: list[str]
    """T ISO dates (the market world numbers its trading days ``d0000`` ...)."""
    drift: np.ndarray | None = None
    """(N, T) E[log return of day t | everything up to day t-1] (market world only: the oracle)."""
    fingerprint: str = ""
    source: str = ""

    @property
    def n_series(self) -> int:
        return int(self.prices.shape[0])

    @property
    def n_days(self) -> int:
        return int(self.prices.shape[1])
