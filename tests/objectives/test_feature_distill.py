"""objectives/feature_distill.py: loss reference value, teacher loading, gradients only to the student."""

import pytest
import torch

from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives.feature_distill import FeatureDistill, feature_distill_loss
from pretrainlab.objectives.mae import MAE


def tiny_vit(seed: int = 0) -> ViT:
    torch.manual_seed(seed)
    return ViT(ViTConfig(preset="test", image_size=8, patch_size=4))


def batch():
    torch.manual_seed(1)
    return {"views": [torch.randn(4, 3, 8, 8)], "labels": torch.zeros(4), "index": torch.arange(4), "step": 3}


def test_feature_distill_loss_reference_value():
    s = torch.tensor([[1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    t = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    loss = feature_distill_loss(s, t)
    assert loss.item() == pytest.approx((5.0 + 25.0) / 2)  # mean over the batch of squared L2 distances
    loss.backward()
    assert torch.allclose(s.grad, (s - t).detach())  # 2 (s - t) / B with B = 2


def test_objective_is_mae_plus_weighted_distillation_and_teacher_frozen():
    student = tiny_vit(0)
    obj = FeatureDistill(student, decoder_dim=16, decoder_depth=1, decoder_heads=2, distill_weight=0.5)
    with torch.no_grad():  # move the teacher away from the student
        for p in obj.teacher.parameters():
            p.add_(0.05 * torch.randn_like(p))
    b = batch()
    loss, metrics = obj(student, b)
    x = b["views"][0]
    want = feature_distill_loss(student.forward_features(x), obj.teacher.forward_features(x))
    assert metrics["distill_loss"].item() == pytest.approx(want.item(), rel=1e-5)
    assert metrics["distill_loss"].item() > 0
    mae = MAE(student, decoder_dim=16, decoder_depth=1, decoder_heads=2)
    mae.decoder.load_state_dict(obj.decoder.state_dict())
    assert metrics["mae_loss"].item() == pytest.approx(mae(student, b)[0].item(), rel=1e-5)
    assert loss.item() == pytest.approx(metrics["mae_loss"].item() + 0.5 * want.item(), rel=1e-5)
    loss.backward()
    assert all(p.grad is None for p in obj.teacher.parameters())
    assert student.blocks[0].attn.qkv.weight.grad is not None
    assert not any(p is q for p in obj.trainable_parameters() for q in obj.teacher.parameters())


def test_teacher_from_checkpoint(tmp_path):
    from safetensors.torch import save_file

    teacher = tiny_vit(7)
    ckpt = tmp_path / "checkpoints" / "step_5"
    ckpt.mkdir(parents=True)
    weights = {f"backbone.{k}": v.contiguous() for k, v in teacher.state_dict().items()}
    save_file(weights, str(ckpt / "model.safetensors"))
    obj = FeatureDistill(tiny_vit(0), decoder_dim=16, decoder_depth=1, decoder_heads=2, teacher_from=str(tmp_path))
    x = batch()["views"][0]
    assert torch.allclose(obj.teacher.forward_features(x), teacher.forward_features(x), atol=1e-6)
    with pytest.raises(ValueError, match="objective.teacher_from"):
        FeatureDistill(tiny_vit(0), decoder_dim=16, teacher_from=str(tmp_path / "missing"))
