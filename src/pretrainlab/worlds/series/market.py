"""The market world: a seeded stock-market simulator (numpy), after SSPT's G-TS generator (GBM stocks with
per-stock drift and volatility; METHODS-2 #28), with sector factors, shocks and a little
structure a model can learn.

Daily log return of stock i (sector g) on day t::

    r[i,t] = mu_i + beta_i m[t] + gamma_i s[g,t] + lambda_g m[t-1] + z[i,t] + u[i,t] + J[i,t]

    m[t]   = market_drift + market_vol eps + crash          (a random walk in log price; crash days w.p. shock_rate)
    s[g,t] = sigma_g eps + sector shock                     (sector factor, shocks w.p. shock_rate)
    u[i,t] = kappa_g u[i,t-1] + sigma_i eps                 (idiosyncratic AR(1): momentum kappa > 0, reversion < 0)
    z[i,t] = 0.97 z[i,t-1] + eta                            (slow drift, std trend * sigma_i)
    J[i,t]                                                  (idiosyncratic jumps, w.p. jump_rate, ~N(0, (4 sigma_i)^2))

The learnable part is ``drift[i,t] = E[r[i,t] | days < t] = mu_i + beta_i E[m] + lambda_g m[t-1] + 0.97 z[i,t-1]
+ kappa_g u[i,t-1]``: a delayed reaction to the market (lead-lag), sector-specific momentum or mean reversion,
and a slow trend. The sectors' ``kappa_g`` spread over ``[-momentum, momentum]``, so a model that pools all
stocks without telling sectors apart sees little of it; knowing a window's sector (SSPT's identity task)
tells which way yesterday's move tends to continue. ``drift`` is kept as the oracle (``SeriesData.drift``).
Prices start at 100 x U(0.5, 2) and are ``P[:, 0] exp(cumsum r)``; the world is a pure function of the config.
"""

from __future__ import annotations

import numpy as np

from .config import SeriesData, SeriesWorldConfig

TREND_RHO = 0.97
CRASH_MEAN, CRASH_SD, SECTOR_SHOCK_SD = -0.03, 0.02, 0.04


def _sector_params(rng: np.random.Generator, cfg: SeriesWorldConfig) -> dict[str, np.ndarray]:
    G = cfg.n_sectors
    kappa = cfg.momentum * (np.linspace(-1.0, 1.0, G) if G > 1 else np.ones(1))
    return {"kappa": rng.permutation(kappa), "lam": cfg.lead_lag * rng.uniform(0.0, 1.0, G),
            "vol": rng.uniform(0.006, 0.012, G), "beta": rng.uniform(0.6, 1.4, G)}


def _stock_params(rng: np.random.Generator, cfg: SeriesWorldConfig, sector_beta: np.ndarray) -> dict:
    N = cfg.n_stocks
    sectors = np.arange(N) % cfg.n_sectors
    return {"sector": sectors, "beta": sector_beta[sectors] + 0.15 * rng.standard_normal(N),
            "gamma": rng.uniform(0.7, 1.3, N), "vol": rng.uniform(0.010, 0.020, N),
            "mu": 0.0002 + 0.0002 * rng.standard_normal(N), "p0": 100.0 * np.exp(rng.uniform(np.log(0.5), np.log(2.0), N))}


def _shocks(rng: np.random.Generator, shape: tuple, rate: float, mean: float, sd: float) -> np.ndarray:
    return (rng.random(shape) < rate) * (mean + sd * rng.standard_normal(shape))


def generate(cfg: SeriesWorldConfig, seed: int) -> SeriesData:
    """Prices (N, T), sectors and the oracle drift of a seeded market (see the module docstring)."""
    rng = np.random.default_rng([int(seed), 28])
    N, G, T = cfg.n_stocks, cfg.n_sectors, cfg.n_days
    sec = _sector_params(rng, cfg)
    st = _stock_params(rng, cfg, sec["beta"])
    g = st["sector"]
    m = cfg.market_drift + cfg.market_vol * rng.standard_normal(T) + _shocks(rng, (T,), cfg.shock_rate, CRASH_MEAN, CRASH_SD)
    s = sec["vol"][:, None] * rng.standard_normal((G, T)) + _shocks(rng, (G, T), cfg.shock_rate, 0.0, SECTOR_SHOCK_SD)
    eps_u = st["vol"][:, None] * rng.standard_normal((N, T))
    eta = cfg.trend * st["vol"][:, None] * np.sqrt(1 - TREND_RHO ** 2) * rng.standard_normal((N, T))
    jumps = _shocks(rng, (N, T), cfg.jump_rate, 0.0, 1.0) * 4.0 * st["vol"][:, None]
    e_m = cfg.market_drift + cfg.shock_rate * CRASH_MEAN
    kappa, lam = sec["kappa"][g], sec["lam"][g]
    u, z = np.zeros((N, T)), np.zeros((N, T))
    r, drift = np.zeros((N, T)), np.zeros((N, T))
    for t in range(1, T):
        drift[:, t] = st["mu"] + st["beta"] * e_m + lam * m[t - 1] + TREND_RHO * z[:, t - 1] + kappa * u[:, t - 1]
        z[:, t] = TREND_RHO * z[:, t - 1] + eta[:, t]
        u[:, t] = kappa * u[:, t - 1] + eps_u[:, t]
        r[:, t] = (st["mu"] + st["beta"] * m[t] + st["gamma"] * s[g, t] + lam * m[t - 1] + z[:, t] + u[:, t]
                   + jumps[:, t])
    prices = st["p0"][:, None] * np.exp(np.cumsum(r, axis=1))
    return SeriesData(prices=prices, names=[f"S{i:03d}" for i in range(N)], sectors=g.astype(np.int64),
                      sector_names=[f"sector{k}" for k in range(G)], dates=[f"d{t:04d}" for t in range(T)],
                      drift=drift, source="market")
