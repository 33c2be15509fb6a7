"""Windows over a series world: per-day features, the samples of each period, and the targets of each task.

Features of stock i on day t (C = 5), all divided by the stock's daily log-return std ``sigma_i`` measured on
the pretraining period only (per-series normalisation; the market channel by the index's own std)::

    r[i,t] / sigma_i                        log return
    m[t] / sigma_m                          equal-weight market index log return (mean over stocks)
    log(P[i,t] / MA_k(P)[i,t]) / sigma_i    for k = 5, 10, 20 (trailing moving averages, as SSPT's MA5..MA20)

clipped to +-10. A sample is (i, t): the window of days ``t-L+1 .. t`` (shape (L, C)) and targets from day
t+1 on. Targets:

* ``up``: ``r[i,t+1] > 0`` (next-day direction, the fine-tuning task);
* ``ma``: ``log(mean(P[i,t+1..t+k]) / P[i,t]) / (sigma_i sqrt(k))`` for each horizon k (SSPT's
  moving-average prediction: the future k-day MA relative to today's price, variance-equalised);
* ``stock``, ``sector``: the series and its sector (SSPT's identity tasks).

A sample belongs to a period ``[a, b)`` when its targets do: ``t + 1 >= a`` and ``t + h <= b - 1`` with
``h`` the task's horizon (1 for direction, max(k) for MA), so no window's target crosses into a later
period. Windows may reach back into earlier periods (the past is known).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MA_FEATURES = (5, 10, 20)
FEATURES = ["return", "market", "ma5_gap", "ma10_gap", "ma20_gap"]
CLIP = 10.0


class WindowError(ValueError):
    """The series are too short for the window and the periods."""


def trailing_mean(x: np.ndarray, k: int) -> np.ndarray:
    """(N, T) mean over days t-k+1..t (fewer at the start)."""
    c = np.cumsum(np.pad(x, ((0, 0), (1, 0))), axis=1)
    idx = np.arange(x.shape[1])
    lo = np.maximum(idx + 1 - k, 0)
    return (c[:, idx + 1] - c[:, lo]) / (idx + 1 - lo)


def ma_targets(prices: np.ndarray, horizons: tuple[int, ...], sigma: np.ndarray) -> np.ndarray:
    """(N, T, H) ``log(mean(P[t+1..t+k]) / P[t]) / (sigma sqrt(k))``; NaN where t + k runs past the end."""
    N, T = prices.shape
    c = np.cumsum(np.pad(prices, ((0, 0), (1, 0))), axis=1)  # c[:, j] = sum of P[:, :j]
    out = np.full((N, T, len(horizons)), np.nan)
    for h, k in enumerate(horizons):
        t = np.arange(T - k)
        future = (c[:, t + k + 1] - c[:, t + 1]) / k
        out[:, t, h] = np.log(future / prices[:, t]) / (sigma[:, None] * np.sqrt(k))
    return out


@dataclass
class SeriesWindows:
    """Everything batches and evaluations read: features, targets and sample lists (numpy, in memory)."""

    features: np.ndarray   # (N, T, C) float32
    up: np.ndarray         # (N, T) int64: 1 if r[t+1] > 0 (0 on the last day)
    ma: np.ndarray         # (N, T, H) float32 (NaN past the end)
    next_return: np.ndarray  # (N, T) simple return P[t+1]/P[t] - 1 (0 on the last day)
    sectors: np.ndarray    # (N,)
    sigma: np.ndarray      # (N,) pretraining-period std of daily log returns
    sigma_market: float
    window: int
    horizons: tuple[int, ...]
    bounds: dict[str, tuple[int, int]]

    @property
    def first_day(self) -> int:
        """The first t with a full window of valid features (MA20 needs 20 prices before the window)."""
        return self.window + max(MA_FEATURES)

    def days(self, period: str, horizon: int = 1) -> np.ndarray:
        """Days t whose targets (t+1 .. t+horizon) lie in the period."""
        a, b = self.bounds[period]
        return np.arange(max(a - 1, self.first_day), b - horizon)

    def samples(self, period: str, horizon: int = 1) -> np.ndarray:
        """(M, 2) int64 (stock, day) pairs of a period, day-major."""
        t = self.days(period, horizon)
        N = self.features.shape[0]
        return np.stack([np.tile(np.arange(N), len(t)), np.repeat(t, N)], axis=1).astype(np.int64)

    def window_of(self, pairs: np.ndarray) -> np.ndarray:
        """(B, L, C) float32 windows ending at each (stock, day)."""
        offs = np.arange(-self.window + 1, 1)
        return self.features[pairs[:, :1], pairs[:, 1:2] + offs[None]]


def build_windows(prices: np.ndarray, sectors: np.ndarray, bounds: dict[str, tuple[int, int]], window: int,
                  horizons: tuple[int, ...], where: str = "data") -> SeriesWindows:
    """Features and targets of every (stock, day); ``sigma`` from the pretraining period only."""
    N, T = prices.shape
    need = window + max(MA_FEATURES) + max(horizons) + 2
    a, b = bounds["pretrain"]
    if b - max(a, window + max(MA_FEATURES)) < max(horizons) + 2 or min(e - s for s, e in bounds.values()) < 2:
        raise WindowError(f"{where}: {T} days split into {bounds} is too short for window {window} + MA20 warm-up + "
                          f"horizon {max(horizons)} (the pretraining period needs more than {need} days); "
                          "use a longer file, a smaller data.window or other split fractions")
    logp = np.log(prices)
    r = np.diff(logp, axis=1, prepend=logp[:, :1])
    m = r.mean(axis=0)
    sigma = r[:, max(a, 1):b].std(axis=1) + 1e-8
    sigma_m = float(m[max(a, 1):b].std() + 1e-8)
    gaps = [(logp - np.log(trailing_mean(prices, k))) / sigma[:, None] for k in MA_FEATURES]
    feats = np.stack([r / sigma[:, None], np.broadcast_to(m / sigma_m, (N, T)), *gaps], axis=-1)
    nxt = np.zeros((N, T))
    nxt[:, :-1] = prices[:, 1:] / prices[:, :-1] - 1.0
    up = np.zeros((N, T), dtype=np.int64)
    up[:, :-1] = (r[:, 1:] > 0)
    return SeriesWindows(features=np.clip(feats, -CLIP, CLIP).astype(np.float32), up=up,
                         ma=ma_targets(prices, horizons, sigma).astype(np.float32), next_return=nxt,
                         sectors=np.asarray(sectors, dtype=np.int64), sigma=sigma, sigma_market=sigma_m,
                         window=window, horizons=tuple(horizons), bounds=bounds)
