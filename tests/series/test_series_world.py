"""Series worlds: the market simulator is a pure function of (config, seed), cached by fingerprint, with
the documented structure; the windows respect the periods (no look-ahead) and match hand-computed targets."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.data.series_windows import WindowError, build_windows, ma_targets, trailing_mean
from pretrainlab.worlds.series import SeriesWorldConfig, build_series_world, world_fingerprint

SMALL = dict(n_stocks=6, n_sectors=3, n_days=300)


def test_market_is_deterministic_and_seeded(tmp_path):
    cfg = SeriesWorldConfig(**SMALL)
    a, b = build_series_world(cfg, seed=1), build_series_world(cfg, seed=1)
    c = build_series_world(cfg, seed=2)
    assert a.prices.shape == (6, 300) and a.drift.shape == (6, 300) and (a.prices > 0).all()
    np.testing.assert_array_equal(a.prices, b.prices)
    assert not np.allclose(a.prices, c.prices)
    assert list(a.sectors) == [0, 1, 2, 0, 1, 2] and len(a.sector_names) == 3
    pinned = build_series_world(SeriesWorldConfig(**SMALL, seed=2), seed=9)  # data.world.seed wins over the run's
    np.testing.assert_array_equal(pinned.prices, c.prices)


def test_cache_roundtrip(tmp_path):
    cfg = SeriesWorldConfig(**SMALL)
    built = build_series_world(cfg, seed=3, cache_dir=tmp_path)
    (path,) = tmp_path.glob("series_market_*.npz")
    assert world_fingerprint(cfg, 3) in path.name
    loaded = build_series_world(cfg, seed=3, cache_dir=tmp_path)
    np.testing.assert_array_equal(built.prices, loaded.prices)
    np.testing.assert_array_equal(built.drift, loaded.drift)
    assert loaded.names == built.names and loaded.dates == built.dates


def test_drift_is_the_conditional_mean():
    """The oracle's sign agrees with the next move more often than chance, and its residual is unpredictable
    by the oracle itself (regression slope of the return on the drift is about 1)."""
    d = build_series_world(SeriesWorldConfig(n_stocks=30, n_sectors=6, n_days=1000), seed=0)
    r = np.diff(np.log(d.prices), axis=1).ravel()
    drift = d.drift[:, 1:].ravel()
    assert np.mean((drift > 0) == (r > 0)) > 0.55
    slope = np.cov(drift, r)[0, 1] / drift.var()
    assert 0.8 < slope < 1.2


def test_boundaries_and_config_errors():
    cfg = SeriesWorldConfig(n_days=1000)
    assert cfg.boundaries(1000) == {"pretrain": (0, 600), "train": (0, 600), "val": (600, 800), "test": (800, 1000)}
    assert SeriesWorldConfig(pretrain_frac=0.3).boundaries(1000)["pretrain"] == (0, 300)
    from pretrainlab.config import ConfigError, from_dict

    with pytest.raises(ConfigError, match="pretraining never sees"):
        from_dict(SeriesWorldConfig, {"pretrain_frac": 0.8})
    with pytest.raises(ConfigError, match="leave a test period"):
        from_dict(SeriesWorldConfig, {"train_frac": 0.8, "val_frac": 0.2})
    with pytest.raises(ConfigError, match="kind csv needs a file"):
        from_dict(SeriesWorldConfig, {"kind": "csv"})


def test_ma_targets_and_trailing_mean_by_hand():
    p = np.array([[1.0, 2.0, 4.0, 8.0]])
    np.testing.assert_allclose(trailing_mean(p, 2), [[1.0, 1.5, 3.0, 6.0]])
    y = ma_targets(p, (2,), np.array([1.0]))
    # t=0: mean(P1, P2) = 3 -> log(3 / 1) / sqrt(2); t=1: mean(4, 8) = 6 -> log(6 / 2) / sqrt(2); t>=2: past the end
    np.testing.assert_allclose(y[0, :2, 0], [np.log(3) / np.sqrt(2), np.log(3) / np.sqrt(2)])
    assert np.isnan(y[0, 2:, 0]).all()


def _windows(days=400, window=8, horizons=(5, 10)):
    cfg = SeriesWorldConfig(n_stocks=4, n_sectors=2, n_days=days)
    d = build_series_world(cfg, seed=0)
    return d, build_windows(d.prices, d.sectors, cfg.boundaries(days), window, horizons)


def test_windows_never_look_ahead():
    d, w = _windows()
    for period in ("pretrain", "train", "val", "test"):
        a, b = w.bounds[period]
        for h in (1, 10):
            t = w.samples(period, h)[:, 1]
            assert t.min() + 1 >= a and t.max() + h <= b - 1
    # the window of (stock, t) ends on day t: its last return feature is r[t] / sigma
    s, t = 2, int(w.samples("test")[0, 1])
    x = w.window_of(np.array([[s, t]]))[0]
    r = np.log(d.prices[s, t] / d.prices[s, t - 1]) / w.sigma[s]
    assert x.shape == (8, 5) and x[-1, 0] == pytest.approx(r, rel=1e-5)
    assert w.up[s, t] == int(d.prices[s, t + 1] > d.prices[s, t])


def test_sigma_uses_the_pretraining_period_only():
    d, w = _windows()
    later = d.prices.copy()
    later[:, 300:] *= np.exp(np.cumsum(np.full(100, 0.05)))  # change only val/test days
    w2 = build_windows(later, d.sectors, w.bounds, 8, (5, 10))
    np.testing.assert_allclose(w.sigma, w2.sigma)


def test_too_short_is_a_clear_error():
    with pytest.raises(WindowError, match="too short for window 32"):
        _windows(days=80, window=32)
