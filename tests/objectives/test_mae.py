import pytest
import torch

from pretrainlab.models.resnet import ResNet, ResNetConfig
from pretrainlab.models.vit import ViT, ViTConfig, patchify
from pretrainlab.objectives.mae import MAE, mae_loss, mask_noise, random_masking


def tiny_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", image_size=16, patch_size=4))


def test_mask_is_a_function_of_seed_step_index():
    a = mask_noise(0, 3, torch.tensor([5, 9]), 16)
    b = mask_noise(0, 3, torch.tensor([2, 5]), 16)
    assert torch.equal(a[0], b[1])  # index 5: same noise whatever its batch-mates
    assert not torch.equal(a[0], mask_noise(0, 4, torch.tensor([5]), 16)[0])
    assert not torch.equal(a[0], mask_noise(1, 3, torch.tensor([5]), 16)[0])
    keep, mask, restore = random_masking(a, 0.75)
    assert keep.shape == (2, 4) and mask.sum(1).tolist() == [12.0, 12.0]
    assert (mask.gather(1, keep) == 0).all()  # kept patches are exactly the unmasked ones
    assert set(keep[0].tolist()) == set(a[0].argsort()[:4].tolist())  # lowest noise kept


def test_mae_loss_reference():
    # One image, two patches of 4 pixels; patch 1 hidden.
    target = torch.tensor([[[1.0, 2.0, 3.0, 4.0], [0.0, 2.0, 0.0, 2.0]]])
    pred = torch.tensor([[[9.0, 9.0, 9.0, 9.0], [1.0, 1.0, -1.0, -1.0]]])
    mask = torch.tensor([[0.0, 1.0]])
    raw = sum((p - t) ** 2 for p, t in zip([1, 1, -1, -1], [0, 2, 0, 2])) / 4
    assert mae_loss(pred, target, mask, norm_pix_loss=False).item() == pytest.approx(raw)
    # norm_pix: mean 1, unbiased var 4/3 -> targets (+-1) / sqrt(4/3 + 1e-6).
    s = (4 / 3 + 1e-6) ** 0.5
    normed = [-1 / s, 1 / s, -1 / s, 1 / s]
    want = sum((p - t) ** 2 for p, t in zip([1, 1, -1, -1], normed)) / 4
    assert mae_loss(pred, target, mask, norm_pix_loss=True).item() == pytest.approx(want, rel=1e-6)


def test_forward_shapes_determinism_and_step_lowers_loss():
    model = tiny_vit()
    obj = MAE(model, mask_ratio=0.75, decoder_dim=16, decoder_depth=1, decoder_heads=2, seed=7)
    x = torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    b = {"views": [x], "labels": torch.zeros(4), "index": torch.arange(4), "step": 3}
    loss0, metrics = obj(model, b)
    assert metrics["mask_frac"].item() == pytest.approx(0.75)
    assert torch.equal(loss0, obj(model, b)[0])  # same (seed, step, index): same masks
    assert not torch.equal(loss0, obj(model, {**b, "step": 4})[0])
    names = {n for n, _ in obj.named_parameters()}
    assert "decoder.mask_token" in names and not any(n.startswith("model") for n in names)
    opt = torch.optim.AdamW(list(model.parameters()) + obj.trainable_parameters(), lr=3e-3)
    loss0.backward()
    opt.step()
    assert obj(model, b)[0].item() < loss0.item()


def test_perfect_prediction_has_zero_loss():
    x = torch.randn(2, 3, 8, 8)
    target = patchify(x, 4)
    mask = torch.tensor([[1.0, 0, 1, 0], [0, 1, 1, 1]])
    assert mae_loss(target, target, mask, norm_pix_loss=False).item() == 0.0


def test_needs_a_vit():
    with pytest.raises(ValueError, match="needs a ViT backbone"):
        MAE(ResNet(ResNetConfig()))
    with pytest.raises(ValueError, match="mask_ratio"):
        MAE(tiny_vit(), mask_ratio=1.0)
    with pytest.raises(ValueError, match="some but not all of the 16 patches"):
        MAE(tiny_vit(), mask_ratio=0.99)
