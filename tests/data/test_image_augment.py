"""Image augmentations: determinism per (seed, step, index, view) regardless of the batch, each op's
effect, the crop's scale/ratio ranges, presets and the resize/normalize helpers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.data.image_augment import (AugmentConfig, augment, crop_boxes, normalize, resize,
                                            sample_uniforms)


def _images(b=8, c=3, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(b, c, size, size, generator=g)


def _only(**kw):
    return AugmentConfig(preset="none", **kw)


@pytest.mark.parametrize("preset", ["mae", "simclr", "dino"])
def test_sample_output_independent_of_batch_composition(preset):
    cfg = AugmentConfig(preset=preset)
    x, idx = _images(), torch.arange(100, 108)
    full = augment(x, cfg, seed=3, step=7, index=idx)
    part = augment(x[[5, 2]], cfg, seed=3, step=7, index=idx[[5, 2]])
    torch.testing.assert_close(part, full[[5, 2]], atol=1e-6, rtol=0)
    perm = torch.randperm(8, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(augment(x[perm], cfg, 3, 7, idx[perm]), full[perm], atol=1e-6, rtol=0)
    for other in (dict(seed=4, step=7), dict(seed=3, step=8)):
        assert not torch.allclose(augment(x, cfg, index=idx, **other), full)
    assert not torch.allclose(augment(x, cfg, 3, 7, idx, view=1), full)
    assert full.shape == x.shape and full.min() >= 0 and full.max() <= 1


def test_none_is_identity_and_size_resamples():
    x = _images()
    assert torch.equal(augment(x, _only(), 0, 0, torch.arange(8)), x)
    out = augment(x, _only(size=8), 0, 0, torch.arange(8))
    assert out.shape == (8, 3, 8, 8)


def test_flip():
    x = _images()
    torch.testing.assert_close(augment(x, _only(flip=1.0), 0, 0, torch.arange(8)), x.flip(-1), atol=1e-5, rtol=0)
    u = sample_uniforms(0, 0, torch.arange(2000))
    assert 0.45 < (u[:, 22] < 0.5).mean() < 0.55
    assert np.abs(u.mean(0) - 0.5).max() < 0.03 and u.min() >= 0 and u.max() < 1


def test_crop_boxes_respect_scale_and_ratio():
    cfg = _only(crop_scale=(0.2, 0.6), crop_ratio=(0.5, 2.0))
    boxes = crop_boxes(sample_uniforms(1, 2, torch.arange(3000)), cfg, 32, 32)
    cx, cy, w, h = boxes.T
    area, ratio = w * h, w / h
    assert area.min() >= 0.2 - 1e-9 and area.max() <= 0.6 + 1e-9
    assert ratio.min() >= 0.5 - 1e-9 and ratio.max() <= 2.0 + 1e-9
    assert area.max() - area.min() > 0.3
    assert (cx - w / 2 >= -1e-9).all() and (cx + w / 2 <= 1 + 1e-9).all()
    assert (cy - h / 2 >= -1e-9).all() and (cy + h / 2 <= 1 + 1e-9).all()
    whole = _only(crop_scale=(1.0, 1.0), crop_ratio=(1.0, 1.0))
    full = crop_boxes(sample_uniforms(1, 2, torch.arange(10)), whole, 32, 32)
    np.testing.assert_allclose(full, [[0.5, 0.5, 1.0, 1.0]] * 10)


def test_crop_takes_the_sampled_window():
    size = 64
    ramp = ((torch.arange(size) + 0.5) / size).view(1, 1, 1, size).expand(6, 3, size, size).contiguous()
    cfg = _only(crop_scale=(0.1, 0.5), crop_ratio=(1.0, 1.0))
    idx = torch.arange(6)
    out = augment(ramp, cfg, 5, 1, idx)
    cx, _, w, _ = crop_boxes(sample_uniforms(5, 1, idx), cfg, size, size).T
    left, right = out[:, 0, 0, 0].numpy(), out[:, 0, 0, -1].numpy()
    np.testing.assert_allclose((left + right) / 2, cx, atol=2 / size)
    np.testing.assert_allclose(right - left, w * (1 - 1 / size), atol=2 / size)


def test_colour_ops():
    x, idx = _images(), torch.arange(8)
    grey = augment(x, _only(grayscale=1.0), 0, 0, idx)
    assert torch.allclose(grey[:, 0], grey[:, 1]) and torch.allclose(grey[:, 1], grey[:, 2])
    jit = augment(x, _only(jitter=0.8, jitter_prob=1.0), 0, 0, idx)
    assert (jit - x).abs().mean() > 0.02 and jit.min() >= 0 and jit.max() <= 1
    assert torch.equal(augment(x, _only(jitter=0.8, jitter_prob=0.0), 0, 0, idx), x)
    bands = _images(c=6)
    out = augment(bands, _only(jitter=0.8, jitter_prob=1.0, grayscale=1.0), 0, 0, idx)
    assert out.shape == bands.shape and not torch.allclose(out, bands)
    assert not torch.allclose(out[:, 0], out[:, 1])


def test_blur_and_solarize():
    x, idx = _images(size=24), torch.arange(8)
    blurred = augment(x, _only(blur=1.0, blur_sigma=(1.0, 2.0)), 0, 0, idx)
    tv = lambda t: (t[..., 1:] - t[..., :-1]).abs().mean()  # noqa: E731
    assert tv(blurred) < 0.5 * tv(x)
    torch.testing.assert_close(blurred.mean((2, 3)), x.mean((2, 3)), atol=0.03, rtol=0)
    flat = torch.full((2, 3, 24, 24), 0.3)
    torch.testing.assert_close(augment(flat, _only(blur=1.0), 0, 0, torch.arange(2)), flat)
    sol = augment(x, _only(solarize=1.0, solarize_threshold=0.5), 0, 0, idx)
    torch.testing.assert_close(sol, torch.where(x >= 0.5, 1 - x, x))


def test_presets_and_config_loading():
    assert AugmentConfig().crop_scale == (0.2, 1.0) and AugmentConfig().flip == 0.5
    simclr = AugmentConfig(preset="simclr", blur=0.0)
    assert simclr.crop_scale == (0.08, 1.0) and simclr.blur == 0.0 and simclr.grayscale == 0.2
    loaded = from_dict(AugmentConfig, {"preset": "dino", "crop_scale": [0.3, 1.0]})
    assert loaded.crop_scale == (0.3, 1.0) and loaded.solarize == 0.1
    with pytest.raises(ConfigError, match="preset"):
        AugmentConfig(preset="imagenet")
    with pytest.raises(ConfigError, match="crop_scale"):
        AugmentConfig(crop_scale=(0.5, 0.2))
    with pytest.raises(ValueError, match="uint8"):
        augment(torch.zeros(2, 3, 8, 8, dtype=torch.uint8), AugmentConfig(), 0, 0, torch.arange(2))


def test_resize_and_normalize():
    x = torch.full((2, 3, 16, 16), 0.25)
    for mode in ("bilinear", "bicubic", "area", "nearest"):
        out = resize(x, 8, mode)
        assert out.shape == (2, 3, 8, 8)
        torch.testing.assert_close(out, torch.full_like(out, 0.25))
    assert resize(x, 32).shape[-1] == 32
    norm = normalize(torch.ones(1, 3, 2, 2), [0.5, 0.5, 0.0], [0.5, 0.25, 1.0])
    torch.testing.assert_close(norm[0, :, 0, 0], torch.tensor([1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="3 channel.*6/6 entries"):
        normalize(torch.ones(1, 3, 2, 2), [0.5] * 6, [1.0] * 6)
