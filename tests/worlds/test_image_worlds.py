"""Image worlds: determinism, shapes/dtypes, balance, spurious shift, fractal filling rate, multi-label
co-occurrence, satellite resolutions, cache round-trip, digits and the user-file readers' errors."""

from __future__ import annotations

import numpy as np
import pytest

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.worlds import image as image_worlds
from pretrainlab.worlds.image import ImageReadError, ImageWorldConfig, build_image_world
from pretrainlab.worlds.image import fractal, satellite, xray
from pretrainlab.worlds.image.common import rng

SMALL = dict(n_train=40, n_val=8, n_test=8, size=24)


def _cfg(kind, **kw):
    return ImageWorldConfig(kind=kind, **{**SMALL, **kw})


@pytest.mark.parametrize("kind,channels,dtype,multilabel", [
    ("shapes", 3, np.uint8, False), ("fractal", 3, np.uint8, False),
    ("satellite", 6, np.float32, True), ("xray", 1, np.uint8, True)])
def test_world_is_deterministic_with_expected_shapes(kind, channels, dtype, multilabel):
    kw = {"fractal_classes": 4} if kind == "fractal" else {}
    a, b = build_image_world(_cfg(kind, **kw)), build_image_world(_cfg(kind, **kw))
    other = build_image_world(_cfg(kind, seed=1, **kw))
    assert a.fingerprint == b.fingerprint != other.fingerprint
    assert {"train", "val", "test"} <= set(a.splits)
    assert a.channels == channels and a.multilabel == multilabel
    for name, split in a.splits.items():
        assert split.images.dtype == dtype and split.images.shape[1] == channels
        np.testing.assert_array_equal(split.images, b.splits[name].images)
        np.testing.assert_array_equal(split.labels, b.splits[name].labels)
        if multilabel:
            assert split.labels.dtype == np.float32 and split.labels.shape == (len(split), a.num_classes)
        else:
            assert split.labels.dtype == np.int64 and split.labels.shape == (len(split),)
    assert a.splits["train"].images.shape == (40, channels, 24, 24)
    assert not np.array_equal(a.splits["train"].images, other.splits["train"].images)
    pre = a.preprocessing
    assert pre["size"] == 24 and len(pre["mean"]) == len(pre["std"]) == len(pre["bands"]) == channels
    scaled = a.splits["train"].images.astype(np.float64) / pre["scale"]
    np.testing.assert_allclose(pre["mean"], scaled.mean((0, 2, 3)), rtol=1e-6)
    assert 0 < min(pre["std"])


@pytest.mark.parametrize("kind", ["shapes", "fractal"])
def test_single_label_worlds_are_balanced(kind):
    data = build_image_world(_cfg(kind, n_train=53, fractal_classes=5))
    counts = np.bincount(data.splits["train"].labels, minlength=data.num_classes)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 53


def _colour_centroid_accuracy(data):
    """Nearest-centroid accuracy on per-channel mean/std (a pure colour/background shortcut)."""
    def feat(s):
        x = s.images.astype(np.float32) / 255
        return np.concatenate([x.mean((2, 3)), x.std((2, 3))], 1)
    tr = data.splits["train"]
    cent = np.stack([feat(tr)[tr.labels == c].mean(0) for c in range(data.num_classes)])
    out = {}
    for name in ("test", "test_shift"):
        s = data.splits[name]
        pred = ((feat(s)[:, None] - cent[None]) ** 2).sum(-1).argmin(1)
        out[name] = float((pred == s.labels).mean())
    return out


def test_shapes_shift_split_breaks_the_spurious_colour():
    data = build_image_world(_cfg("shapes", n_train=240, n_test=120, spurious=0.9))
    tr, sh = data.splits["train"], data.splits["test_shift"]
    assert tr.meta["colour_is_class"].mean() > 0.85
    assert sh.meta["colour_is_class"].mean() < 0.1
    assert np.array_equal(np.sort(sh.labels), np.sort(data.splits["test"].labels))
    acc = _colour_centroid_accuracy(data)
    assert acc["test"] > 0.5 > 0.25 > acc["test_shift"]
    none = build_image_world(_cfg("shapes", n_train=240, spurious=0.0)).splits["train"]
    assert none.meta["colour_is_class"].mean() < 0.3
    assert set(np.unique(tr.meta["subclass"] // 3)) == set(range(4))
    np.testing.assert_array_equal(tr.meta["superclass"], tr.labels)


def test_shapes_subclass_labels():
    data = build_image_world(_cfg("shapes", label="sub", n_super=2, n_sub=3))
    assert data.num_classes == 6 and len(data.class_names) == 6
    np.testing.assert_array_equal(data.splits["train"].labels, data.splits["train"].meta["subclass"])


def test_fractal_filling_rate_rejects_degenerate_systems():
    gen = rng(0, "test")
    square = np.array([[0.5, 0, 0, 0.5, x, y] for x in (-0.5, 0.5) for y in (-0.5, 0.5)])
    point = np.array([[0.0, 0, 0, 0.0, 0.3, 0.1], [0.0, 0, 0, 0.0, 0.3, 0.1]])
    line = np.array([[0.5, 0, 0, 0.0, 0.5, 0], [0.5, 0, 0, 0.0, -0.5, 0]])
    diverging = np.array([[2.0, 0, 0, 2.0, 1, 1], [1.5, 0.5, 0.5, 1.5, 0, 0]])
    rates = [fractal.filling_rate(fractal.chaos_game(p[None], 3000, gen))[0] for p in (square, point, line, diverging)]
    assert rates[0] > 0.8
    assert rates[1] < 0.01 and rates[2] < 0.1 and rates[3] == 0.0
    cfg = _cfg("fractal", fractal_classes=6)
    systems, accepted = fractal.class_systems(cfg)
    assert len(systems) == 6 and all(2 <= len(s) <= 4 for s in systems)
    assert min(accepted) >= cfg.fractal_fill_min
    assert build_image_world(cfg).preprocessing["filling_rates"] == [round(r, 4) for r in accepted]
    again = np.mean([fractal.filling_rate(np.stack([fractal.chaos_game(s[None], 3000, rng(k))[0] for s in systems]))
                     for k in range(3)], 0)
    assert (again > cfg.fractal_fill_min - 0.1).all()


def test_xray_findings_cooccur_and_show_in_pixels():
    _, y = xray.sample_findings(rng(0, "cooc"), 20000, 1.0)
    corr = np.corrcoef(y.T)
    card, eff, nod = (xray.FINDINGS.index(n) for n in ("cardiomegaly", "effusion", "nodule"))
    assert corr[card, eff] > 0.3 and abs(corr[card, nod]) < 0.05
    _, none = xray.sample_findings(rng(0, "cooc"), 2000, 0.0)
    assert none.sum() == 0
    data = build_image_world(_cfg("xray", n_train=160, n_test=60, size=32))
    tr = data.splits["train"]
    heart = tr.images[:, 0, 18:26, 12:24].astype(float).mean((1, 2))
    big = tr.labels[:, card] == 1
    assert big.any() and heart[big].mean() > heart[~big].mean() + 5
    faint = build_image_world(_cfg("xray", n_train=160, size=32, xray_contrast=0.0)).splits["train"]
    heart0 = faint.images[:, 0, 18:26, 12:24].astype(float).mean((1, 2))
    assert abs(heart0[big].mean() - heart0[~big].mean()) < 3
    assert data.splits["test_shift"].images.mean() > data.splits["test"].images.mean() + 5


def test_satellite_multilabel_targets_and_two_resolutions():
    data = build_image_world(_cfg("satellite", n_train=60, size=32, sat_gsd_factor=2))
    tr, low = data.splits["train"], data.splits["train_lowres"]
    assert low.images.shape == (60, 6, 16, 16) and data.preprocessing["lowres_size"] == 16
    np.testing.assert_array_equal(tr.labels, (tr.meta["fractions"] >= 0.1).astype(np.float32))
    np.testing.assert_array_equal(tr.labels, low.labels)
    assert 1.5 < tr.labels.sum(1).mean() < len(satellite.CLASSES)
    fine_mean, low_mean = tr.images.mean((2, 3)), low.images.mean((2, 3))
    assert np.corrcoef(fine_mean[:, 3], low_mean[:, 3])[0, 1] > 0.95
    nir = satellite.BANDS.index("nir")
    dom = tr.meta["dominant"]
    water, forest = satellite.CLASSES.index("water"), satellite.CLASSES.index("forest")
    if (dom == water).any() and (dom == forest).any():
        assert tr.images[dom == water, nir].mean() < tr.images[dom == forest, nir].mean()
    assert data.preprocessing["bands"] == list(satellite.BANDS) and data.preprocessing["scale"] == 10000.0
    assert 0 <= tr.images.min() and tr.images.max() <= 10000
    single = build_image_world(_cfg("satellite", n_train=60, size=32, sat_label="dominant"))
    assert not single.multilabel and single.splits["train"].labels.dtype == np.int64
    np.testing.assert_array_equal(single.splits["train"].labels, dom)
    np.testing.assert_array_equal(single.splits["train"].images, tr.images)


def test_channel_conversion():
    grey = build_image_world(_cfg("shapes", channels=1))
    assert grey.channels == 1 and grey.splits["test_shift"].images.shape[1] == 1
    assert len(grey.preprocessing["mean"]) == 1
    rgb = build_image_world(_cfg("satellite", channels=3))
    assert rgb.splits["train"].images.shape[1] == 3 and rgb.preprocessing["bands"] == ["red", "green", "blue"]


def test_cache_round_trip(tmp_path, monkeypatch):
    cfg = _cfg("xray")
    data = build_image_world(cfg, cache_dir=tmp_path)
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == [f"image_xray_{data.fingerprint}.npz"]

    def boom(_cfg):
        raise AssertionError("generator called despite a cached copy")
    monkeypatch.setitem(image_worlds.IMAGE_WORLDS, "xray", boom)
    again = build_image_world(cfg, cache_dir=tmp_path)
    assert again.preprocessing == data.preprocessing and again.class_names == data.class_names
    assert (again.num_classes, again.multilabel, again.channels) == (data.num_classes, True, 1)
    for name, split in data.splits.items():
        np.testing.assert_array_equal(again.splits[name].images, split.images)
        np.testing.assert_array_equal(again.splits[name].labels, split.labels)
        np.testing.assert_array_equal(again.splits[name].meta["conditions"], split.meta["conditions"])
    with pytest.raises(AssertionError, match="generator called"):
        build_image_world(_cfg("xray", seed=5), cache_dir=tmp_path)


def test_digits_world():
    pytest.importorskip("sklearn")
    data = build_image_world(ImageWorldConfig(kind="digits", n_train=0, n_val=100, n_test=200, size=16))
    tr, te = data.splits["train"], data.splits["test"]
    assert len(tr) == 1797 - 300 and tr.images.shape[1:] == (1, 16, 16) and data.num_classes == 10
    assert set(tr.meta["source_index"]).isdisjoint(te.meta["source_index"])
    assert np.bincount(tr.labels, minlength=10).min() > 100
    with pytest.raises(ImageReadError, match="n_val"):
        build_image_world(ImageWorldConfig(kind="digits", n_val=1000, n_test=1000))


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError, match="kind"):
        from_dict(ImageWorldConfig, {"kind": "cifar"})
    with pytest.raises(ConfigError, match="spurious"):
        from_dict(ImageWorldConfig, {"spurious": 1.5})
    with pytest.raises(ConfigError, match="path"):
        from_dict(ImageWorldConfig, {"kind": "folder"})
    assert from_dict(ImageWorldConfig, {"kind": "fractal", "fractal_maps": [2, 3]}).fractal_maps == (2, 3)
