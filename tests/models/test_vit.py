import math

import pytest
import torch

from pretrainlab.models import MODELS
from pretrainlab.models.vit import PRESETS, ViT, ViTConfig, patchify, sincos_2d, unpatchify


def tiny_vit(**kw) -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", image_size=8, patch_size=4, **kw)).eval()


def test_sincos_2d_reference():
    # dim 4 on a 2x2 grid: each half has one frequency (w = 1), so patch (r, c) -> [sin r, cos r, sin c, cos c].
    pos = sincos_2d(4, 2)
    assert pos.shape == (5, 4)
    assert torch.equal(pos[0], torch.zeros(4))  # CLS
    for i, (r, c) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        want = torch.tensor([math.sin(r), math.cos(r), math.sin(c), math.cos(c)])
        assert torch.allclose(pos[1 + i], want, atol=1e-6), (r, c)


def test_patchify_reference_and_roundtrip():
    x = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).view(2, 3, 4, 4)
    p = patchify(x, 2)
    assert p.shape == (2, 4, 12)
    # patch 1 is rows 0-1, cols 2-3; inside a patch the order is (row, col, channel).
    want = [x[0, c, r, 2 + q].item() for r in range(2) for q in range(2) for c in range(3)]
    assert p[0, 1].tolist() == want
    assert torch.equal(unpatchify(p, 2, 3), x)


def test_shapes_and_head():
    model = tiny_vit()
    x = torch.randn(3, 3, 8, 8)
    assert model.forward_tokens(x).shape == (3, 1 + 4, 32)
    assert model.forward_features(x).shape == (3, 32) and model.feature_dim == 32
    assert torch.equal(model(x), model.forward_features(x))  # no head
    assert tiny_vit(num_classes=5)(x).shape == (3, 5)
    assert MODELS["vit"] == (ViTConfig, ViT)


def test_keep_idx_encodes_only_visible_patches_with_their_positions():
    model = tiny_vit()
    x = torch.randn(2, 3, 8, 8)
    full = model.forward_tokens(x, torch.arange(4).expand(2, 4))
    assert torch.allclose(full, model.forward_tokens(x), atol=1e-5)
    keep = torch.tensor([[3, 0], [1, 2]])
    vis = model.forward_tokens(x, keep)
    assert vis.shape == (2, 3, 32)
    # Permuting the visible set permutes the patch outputs (positions travel with patches); CLS is unchanged.
    swapped = model.forward_tokens(x, keep.flip(1))
    assert torch.allclose(swapped[:, 1:], vis[:, 1:].flip(1), atol=1e-5)
    assert torch.allclose(swapped[:, 0], vis[:, 0], atol=1e-5)
    # Hiding a patch changes the result (the encoder really drops it).
    assert not torch.allclose(model.forward_tokens(x, keep[:, :1])[:, 0], vis[:, 0], atol=1e-4)


def test_attention_maps_and_intermediate_layers():
    model = tiny_vit()
    x = torch.randn(2, 3, 8, 8)
    maps = model.get_attention_maps(x)
    assert len(maps) == 2 and maps[0].shape == (2, 2, 5, 5)
    assert torch.allclose(maps[0].sum(-1), torch.ones(2, 2, 5), atol=1e-5)
    layers = model.get_intermediate_layers(x, n=2)
    assert len(layers) == 2 and layers[0].shape == (2, 5, 32)
    # The explicit-softmax path (used for maps) equals the SDPA path.
    assert torch.allclose(layers[-1], model.forward_tokens(x), atol=1e-5)
    assert len(model.get_intermediate_layers(x, n=[0])) == 1


def test_bad_input_names_expected_shape():
    model = tiny_vit()
    with pytest.raises(ValueError, match=r"\(B, 3, 8, 8\).*\(2, 1, 8, 8\)"):
        model(torch.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match="float"):
        model(torch.zeros(2, 3, 8, 8, dtype=torch.uint8))


def test_presets_and_validation():
    with torch.device("meta"):
        tiny = ViT(ViTConfig(preset="tiny"))
        small = ViT(ViTConfig(preset="small"))
    assert 5.3e6 < tiny.num_params() < 5.8e6  # ViT-Ti/16 without a head
    assert 21e6 < small.num_params() < 22.5e6
    assert tiny.num_patches == 196 and set(PRESETS) >= {"test", "tiny", "small"}
    with pytest.raises(ValueError, match="did you mean 'tiny'"):
        ViTConfig(preset="tiyn").validate()
    with pytest.raises(ValueError, match="image_size=30 must divide by model.patch_size=4"):
        ViTConfig(image_size=30).validate()
