import math

import pytest
import torch

from pretrainlab.models.resnet import ResNet, ResNetConfig
from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives.dino import DINO, dino_loss


def tiny_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", image_size=8, patch_size=4))


def views(n=6, step=0, k=2):
    g = torch.Generator().manual_seed(step)
    x = torch.randn(n, 3, 8, 8, generator=g)
    return {"views": [x + 0.1 * torch.randn(x.shape, generator=g) for _ in range(k)], "labels": torch.zeros(n),
            "index": torch.arange(n), "step": step}


def _softmax(v):
    m = max(v)
    e = [math.exp(a - m) for a in v]
    return [a / sum(e) for a in e]


def test_dino_loss_reference():
    s = [torch.tensor([[1.0, 0.0, -1.0]]), torch.tensor([[0.0, 2.0, 0.0]])]
    t = [torch.tensor([[0.5, 0.0, 0.0]]), torch.tensor([[0.0, 0.0, 1.0]])]
    center, ts, tt = torch.tensor([[0.1, 0.2, 0.3]]), 0.1, 0.04
    total = 0.0
    for u, v in [(0, 1), (1, 0)]:
        p_t = _softmax([(a - c) / tt for a, c in zip(t[u][0].tolist(), center[0].tolist())])
        p_s = _softmax([a / ts for a in s[v][0].tolist()])
        total += -sum(pt * math.log(ps) for pt, ps in zip(p_t, p_s))
    assert dino_loss(s, t, center, ts, tt).item() == pytest.approx(total / 2, rel=1e-5)


def test_teacher_ema_and_center_update():
    model = tiny_vit()
    obj = DINO(model, out_dim=16, hidden_dim=16, bottleneck_dim=8, momentum=0.9, center_momentum=0.8)
    assert all(not p.requires_grad for p in obj.teacher.parameters())
    assert {id(p) for p in obj.trainable_parameters()} == {id(p) for p in obj.head.parameters()}
    old_t = obj.teacher.cls_token.clone()
    with torch.no_grad():
        model.cls_token.add_(1.0)
    b = views()
    obj(model, b)
    assert torch.allclose(obj.teacher.cls_token, 0.9 * old_t + 0.1 * model.cls_token)
    with torch.no_grad():  # the centre is 0.8 * 0 + 0.2 * mean teacher output of this call
        t_out = torch.cat([obj.teacher_head(obj.teacher.forward_features(v)) for v in b["views"]])
    assert torch.allclose(obj.center, 0.2 * t_out.mean(0, keepdim=True), atol=1e-6)


def test_three_views_and_resnet():
    obj = DINO(ResNet(ResNetConfig(norm="group")), out_dim=8, hidden_dim=8, bottleneck_dim=4, n_views=3)
    loss, metrics = obj(obj.teacher, views(n=2, k=3))  # any backbone with forward_features works as student
    assert torch.isfinite(loss) and 0 < metrics["teacher_entropy"].item() <= math.log(8) + 1e-5
    with pytest.raises(ValueError, match="needs 3 augmented views"):
        obj(obj.teacher, views(n=2, k=2))


def test_step_lowers_loss_with_fixed_teacher_and_center():
    # Student and teacher start equal, but the teacher is sharper (0.04 vs 0.1), so the loss is above its minimum.
    # The loss is sharp (temperature 0.1 on unit vectors): a small plain-gradient step, as a descent check.
    model = tiny_vit()
    obj = DINO(model, out_dim=16, hidden_dim=32, bottleneck_dim=8, momentum=1.0, center_momentum=1.0)
    b = views()
    opt = torch.optim.SGD(list(model.parameters()) + obj.trainable_parameters(), lr=1e-4)
    loss0, _ = obj(model, b)
    loss0.backward()
    opt.step()
    assert obj(model, b)[0].item() < loss0.item() - 1e-4


def test_prototype_scores_are_cosines_independent_of_weight_scale():
    head = DINO(tiny_vit(), out_dim=16, hidden_dim=16, bottleneck_dim=8).head
    x = torch.randn(3, 32)
    before = head(x)
    with torch.no_grad():
        head.prototypes.weight.mul_(5.0)
    assert torch.allclose(head(x), before, atol=1e-6)
    assert before.abs().max() <= 1.0 + 1e-5
