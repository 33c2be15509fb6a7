import math

import pytest
import torch

from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives import OBJECTIVES
from pretrainlab.objectives.supervised import Supervised, supervised_loss


def tiny_vit(**kw) -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", image_size=8, patch_size=4, **kw))


def batch(labels, n=8):
    g = torch.Generator().manual_seed(1)
    return {"views": [torch.randn(n, 3, 8, 8, generator=g)], "labels": labels, "index": torch.arange(n), "step": 0}


def test_cross_entropy_reference():
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    labels = torch.tensor([0, 1])
    by_hand = []
    for row, y in zip(logits.tolist(), labels.tolist()):
        by_hand.append(-(row[y] - math.log(sum(math.exp(v) for v in row))))
    assert supervised_loss(logits, labels).item() == pytest.approx(sum(by_hand) / 2, rel=1e-6)


def test_bce_reference_multilabel():
    logits = torch.tensor([[1.0, -2.0], [0.0, 3.0]])
    targets = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    terms = [-(t * math.log(sig(z)) + (1 - t) * math.log(1 - sig(z)))
             for zr, tr in zip(logits.tolist(), targets.tolist()) for z, t in zip(zr, tr)]
    assert supervised_loss(logits, targets, multilabel=True).item() == pytest.approx(sum(terms) / 4, rel=1e-6)


def test_head_ownership():
    plain = tiny_vit()
    obj = OBJECTIVES["supervised"](plain, num_classes=4)
    assert obj.head is not None and len(obj.trainable_parameters()) == 2
    with_head = tiny_vit(num_classes=4)
    assert Supervised(with_head, num_classes=4).trainable_parameters() == []
    with pytest.raises(ValueError, match="model.num_classes=4 but the data has 5"):
        Supervised(with_head, num_classes=5)
    with pytest.raises(ValueError, match="num_classes > 0"):
        Supervised(plain)


@pytest.mark.parametrize("multilabel", [False, True])
def test_step_lowers_loss(multilabel):
    model = tiny_vit()
    obj = Supervised(model, num_classes=4, multilabel=multilabel)
    multi_hot = (torch.rand(8, 4, generator=torch.Generator().manual_seed(2)) > 0.5).float()
    labels = multi_hot if multilabel else torch.arange(8) % 4
    b = batch(labels)
    opt = torch.optim.SGD(list(model.parameters()) + obj.trainable_parameters(), lr=0.05)
    loss0, metrics = obj(model, b)
    assert 0.0 <= metrics["acc"].item() <= 1.0
    loss0.backward()
    opt.step()
    assert obj(model, b)[0].item() < loss0.item()
