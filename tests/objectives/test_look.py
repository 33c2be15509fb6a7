import math

import pytest
import torch
import torch.nn.functional as F

from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives.look import LOOK, look_loss


def tiny_vit() -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", image_size=8, patch_size=4))


def _unit(deg):
    return [math.cos(math.radians(deg)), math.sin(math.radians(deg))]


def test_look_loss_reference_leave_one_out_and_empty_slots():
    # Bank slots at angles; slot 0 is the anchor itself (left out), slot 5 is empty (label -1).
    angles = [0, 10, 20, 40, 170, 5]
    bank = torch.tensor([_unit(a) for a in angles])
    bank_labels = torch.tensor([1, 0, 1, 1, 0, -1])
    z = torch.tensor([_unit(0)])
    tau, k = 0.5, 3
    # Neighbours of angle 0 excluding slots 0 and 5: slots 1 (10 deg), 2 (20), 3 (40); same label: 2 and 3.
    s = {j: math.cos(math.radians(angles[j])) / tau for j in (1, 2, 3)}
    want = -math.log((math.exp(s[2]) + math.exp(s[3])) / sum(math.exp(v) for v in s.values()))
    per_anchor, has_pos = look_loss(z, torch.tensor([1]), torch.tensor([0]), bank, bank_labels, k, tau)
    assert has_pos.tolist() == [True]
    assert per_anchor.item() == pytest.approx(want, rel=1e-5)


def test_no_positive_neighbour_gives_zero_loss_and_finite_gradient():
    bank = F.normalize(torch.randn(4, 3), dim=-1)
    z = F.normalize(torch.randn(2, 3), dim=-1).requires_grad_(True)
    labels, bank_labels = torch.tensor([7, 0]), torch.tensor([0, 0, -1, -1])
    per_anchor, has_pos = look_loss(z, labels, torch.tensor([2, 3]), bank, bank_labels, k=3, temperature=0.1)
    assert has_pos.tolist() == [False, True] and per_anchor[0].item() == 0.0
    per_anchor.sum().backward()
    assert torch.isfinite(z.grad).all() and z.grad[0].abs().sum() == 0


def test_bank_update_by_index_with_momentum():
    obj = LOOK(tiny_vit(), num_classes=3, bank_size=5, proj_dim=2, momentum=0.0, bank_momentum=0.5)
    first = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    obj.update_bank(first, torch.tensor([2, 1]), torch.tensor([4, 0]))
    assert obj.bank_labels.tolist() == [1, -1, -1, -1, 2]
    assert obj.bank[4].tolist() == [1.0, 0.0]  # empty slot: plain write
    obj.update_bank(torch.tensor([[0.0, 1.0]]), torch.tensor([2]), torch.tensor([4]))
    assert torch.allclose(obj.bank[4], F.normalize(torch.tensor([0.5, 0.5]), dim=0))
    with pytest.raises(ValueError, match="bank_size=5"):
        obj.update_bank(first, torch.tensor([0, 0]), torch.tensor([1, 5]))


def test_momentum_encoder_and_config_errors():
    model = tiny_vit()
    obj = LOOK(model, num_classes=2, bank_size=16, momentum=0.75, proj_hidden=16, proj_dim=8)
    assert {id(p) for p in obj.trainable_parameters()} == {id(p) for p in obj.projector.parameters()}
    old = obj.key_encoder.cls_token.clone()
    with torch.no_grad():
        model.cls_token.add_(2.0)
    x = torch.randn(4, 3, 8, 8)
    obj(model, {"views": [x], "labels": torch.tensor([0, 1, 0, 1]), "index": torch.arange(4), "step": 0})
    assert torch.allclose(obj.key_encoder.cls_token, 0.75 * old + 0.25 * model.cls_token)
    assert (obj.bank_labels[:4] >= 0).all() and (obj.bank_labels[4:] == -1).all()
    with pytest.raises(ValueError, match="single-label"):
        LOOK(model, num_classes=2, multilabel=True, bank_size=4)


def test_step_lowers_loss():
    model = tiny_vit()
    obj = LOOK(model, num_classes=2, bank_size=8, k=4, momentum=0.0, proj_hidden=32, proj_dim=16)
    g = torch.Generator().manual_seed(0)
    b = {"views": [torch.randn(8, 3, 8, 8, generator=g)], "labels": torch.arange(8) % 2, "index": torch.arange(8),
         "step": 0}
    opt = torch.optim.SGD(list(model.parameters()) + obj.trainable_parameters(), lr=0.05)
    loss0, metrics = obj(model, b)
    assert 0.0 <= metrics["no_pos_frac"].item() < 1.0
    loss0.backward()
    opt.step()
    assert obj(model, b)[0].item() < loss0.item()


def test_state_dict_carries_bank_and_momentum_encoder():
    model = tiny_vit()
    obj = LOOK(model, num_classes=2, bank_size=6, momentum=0.9, proj_hidden=8, proj_dim=4)
    obj.update_bank(F.normalize(torch.randn(2, 4), dim=-1), torch.tensor([1, 0]), torch.tensor([3, 5]))
    with torch.no_grad():
        obj.key_encoder.cls_token.add_(1.0)
    fresh = LOOK(model, num_classes=2, bank_size=6, momentum=0.9, proj_hidden=8, proj_dim=4)
    fresh.load_state_dict(obj.state_dict())
    assert torch.equal(fresh.bank, obj.bank) and fresh.bank_labels.tolist() == obj.bank_labels.tolist()
    assert torch.equal(fresh.key_encoder.cls_token, obj.key_encoder.cls_token)


def test_bank_grows_when_size_is_not_given_and_reloads():
    model = tiny_vit()
    obj = LOOK(model, num_classes=2, proj_hidden=8, proj_dim=4, momentum=0.0)
    assert obj.bank.shape == (0, 4)
    keys = F.normalize(torch.randn(2, 4), dim=-1)
    obj.update_bank(keys, torch.tensor([1, 0]), torch.tensor([6, 2]))
    assert obj.bank.shape == (7, 4) and obj.bank_labels.tolist() == [-1, -1, 0, -1, -1, -1, 1]
    assert torch.equal(obj.bank[6], keys[0])
    fresh = LOOK(model, num_classes=2, proj_hidden=8, proj_dim=4, momentum=0.0)
    fresh.load_state_dict(obj.state_dict())
    assert torch.equal(fresh.bank, obj.bank) and torch.equal(fresh.bank_labels, obj.bank_labels)
