import math

import pytest
import torch

from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives.contrastive import Contrastive, info_nce, nt_xent


def tiny_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", image_size=8, patch_size=4))


def views(n=6, step=0):
    g = torch.Generator().manual_seed(step)
    x = torch.randn(n, 3, 8, 8, generator=g)
    return {"views": [x + 0.1 * torch.randn(x.shape, generator=g), x + 0.1 * torch.randn(x.shape, generator=g)],
            "labels": torch.zeros(n), "index": torch.arange(n), "step": step}


def _unit(v):
    n = math.sqrt(sum(a * a for a in v))
    return [a / n for a in v]


def test_nt_xent_reference():
    z1, z2 = [[1.0, 0.0], [1.0, 1.0]], [[0.0, 2.0], [3.0, 4.0]]
    z, tau = [_unit(v) for v in z1 + z2], 0.5
    pos = {0: 2, 1: 3, 2: 0, 3: 1}
    dot = lambda a, b: sum(x * y for x, y in zip(a, b))  # noqa: E731
    terms = []
    for i in range(4):
        denom = sum(math.exp(dot(z[i], z[j]) / tau) for j in range(4) if j != i)
        terms.append(-math.log(math.exp(dot(z[i], z[pos[i]]) / tau) / denom))
    assert nt_xent(torch.tensor(z1), torch.tensor(z2), tau).item() == pytest.approx(sum(terms) / 4, rel=1e-5)


def test_info_nce_reference_with_queue():
    q, k = [[1.0, 0.0], [0.0, 1.0]], [[0.6, 0.8], [0.8, 0.6]]
    queue, tau = [[-1.0, 0.0]], 0.2
    dot = lambda a, b: sum(x * y for x, y in zip(a, b))  # noqa: E731
    terms = []
    for i in range(2):
        logits = [dot(q[i], kk) / tau for kk in k] + [dot(q[i], u) / tau for u in queue]
        terms.append(-(logits[i] - math.log(sum(math.exp(v) for v in logits))))
    got = info_nce(torch.tensor(q), torch.tensor(k), torch.tensor(queue), tau)
    assert got.item() == pytest.approx(sum(terms) / 2, rel=1e-5)


def test_queue_is_fifo_and_only_filled_slots_count():
    obj = Contrastive(tiny_vit(), proj_dim=2, queue_size=3)
    obj.enqueue(torch.tensor([[1.0, 0.0], [0.0, 1.0]]))
    assert obj.queue_len.item() == 2 and obj.queue_ptr.item() == 2
    obj.enqueue(torch.tensor([[2.0, 0.0], [0.0, 2.0]]))  # wraps: slot 2, then slot 0 (oldest) overwritten
    assert obj.queue_len.item() == 3 and obj.queue_ptr.item() == 1
    assert obj.queue.tolist() == [[0.0, 2.0], [0.0, 1.0], [2.0, 0.0]]


def test_moco_key_encoder_ema_once_per_step_and_not_trainable():
    model = tiny_vit()
    obj = Contrastive(model, momentum=0.9, queue_size=8, proj_hidden=16, proj_dim=8)
    trainable = {id(p) for p in obj.trainable_parameters()}
    assert trainable == {id(p) for p in obj.projector.parameters()}
    assert all(not p.requires_grad for p in obj.key_encoder.parameters())
    old_key = obj.key_encoder.cls_token.clone()
    with torch.no_grad():
        model.cls_token.add_(1.0)
    loss, metrics = obj(model, views(step=0))
    assert torch.allclose(obj.key_encoder.cls_token, 0.9 * old_key + 0.1 * model.cls_token)
    assert metrics["queue_len"].item() == 8  # 2 views x 6 keys, capped at the queue size
    after_first = obj.key_encoder.cls_token.clone()
    obj(model, views(step=0))  # second micro-batch of the same step: no second EMA update
    assert torch.equal(obj.key_encoder.cls_token, after_first)
    loss.backward()
    assert model.cls_token.grad is not None and obj.key_encoder.cls_token.grad is None


@pytest.mark.parametrize("kw", [{}, {"momentum": 0.99, "queue_size": 16}])
def test_step_lowers_loss(kw):
    model = tiny_vit()
    obj = Contrastive(model, proj_hidden=32, proj_dim=16, **kw)
    b = views()
    opt = torch.optim.AdamW(list(model.parameters()) + obj.trainable_parameters(), lr=3e-3)
    loss0, _ = obj(model, b)
    loss0.backward()
    opt.step()
    if kw:  # same queue as the first call, for a like-for-like comparison
        obj.queue_len.zero_()
    assert obj(model, b)[0].item() < loss0.item()
