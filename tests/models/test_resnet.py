import pytest
import torch

from pretrainlab.models import MODELS
from pretrainlab.models.resnet import BasicBlock, ResNet, ResNetConfig


def tiny_resnet(**kw) -> ResNet:
    torch.manual_seed(0)
    return ResNet(ResNetConfig(preset="test", **kw))


@pytest.mark.parametrize("stem,size", [("cifar", 8), ("imagenet", 16)])
def test_shapes(stem, size):
    model = tiny_resnet(stem=stem)
    x = torch.randn(2, 3, size, size)
    assert model.forward_features(x).shape == (2, 64) and model.feature_dim == 64
    assert tiny_resnet(stem=stem, num_classes=7)(x).shape == (2, 7)
    assert MODELS["resnet"] == (ResNetConfig, ResNet)


def test_groupnorm_is_batch_independent_batchnorm_is_not():
    x = torch.randn(4, 3, 8, 8)
    gn = tiny_resnet(norm="group").train()
    assert torch.allclose(gn.forward_features(x)[:1], gn.forward_features(x[:1]), atol=1e-5)
    bn = tiny_resnet(norm="batch").train()
    assert not torch.allclose(bn.forward_features(x)[:2], bn.forward_features(x[:2]), atol=1e-3)


def test_zero_init_residual_blocks_start_as_identity():
    block = BasicBlock(8, 8, 1, "group", 4)
    model = ResNet(ResNetConfig(zero_init_residual=True, norm="group"))
    first = next(m for m in model.modules() if isinstance(m, BasicBlock))
    x = torch.rand(2, 8, 8, 8)  # post-ReLU inputs are non-negative
    assert torch.allclose(first(x), x)
    assert not torch.allclose(block(x), x)


def test_widths_override_and_param_count():
    assert tiny_resnet(widths=[4, 8], blocks=[1, 2]).feature_dim == 8
    with torch.device("meta"):
        r18 = ResNet(ResNetConfig(preset="resnet18"))
    assert 11.0e6 < r18.num_params() < 11.3e6  # ResNet-18 without the fc layer


def test_validation_and_bad_input():
    with pytest.raises(ValueError, match="did you mean 'resnet18'"):
        ResNetConfig(preset="resnet81").validate()
    with pytest.raises(ValueError, match="model.norm"):
        ResNetConfig(norm="layer").validate()
    with pytest.raises(ValueError, match="differ in length"):
        ResNetConfig(widths=[8, 16], blocks=[1]).validate()
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\).*\(2, 1, 8, 8\)"):
        tiny_resnet()(torch.randn(2, 1, 8, 8))
