"""models/lora.py: LoRA layers (identity at init, merge/unmerge, state-dict merge) and ExPLoRA freezing."""

import pytest
import torch
from torch import nn

from pretrainlab.models.lora import (AdaptConfig, LoRALinear, apply_adapt, apply_lora, count_parameters,
                                     load_weights, merge_lora, merge_lora_state_dict, unmerge_lora)
from pretrainlab.models.vit import ViT, ViTConfig


def vit(depth: int = 3) -> ViT:
    torch.manual_seed(0)
    return ViT(ViTConfig(preset="test", depth=depth, image_size=8, patch_size=4))


def test_lora_linear_reference_value_and_identity_at_init():
    torch.manual_seed(0)
    base = nn.Linear(3, 2)
    layer = LoRALinear(base, rank=2, alpha=4.0)  # s = 2
    x = torch.randn(5, 3)
    assert torch.allclose(layer(x), base(x))  # B = 0
    with torch.no_grad():
        layer.lora_A.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
        layer.lora_B.copy_(torch.tensor([[1.0, 0.0], [0.0, -1.0]]))
    x = torch.tensor([[1.0, 2.0, 3.0]])
    # y = W x + b + 2 * B A x = base(x) + 2 * [1, -2]
    assert torch.allclose(layer(x), base(x) + torch.tensor([[2.0, -4.0]]), atol=1e-6)


def test_merge_unmerge_and_state_dict_merge_preserve_the_function():
    model = vit()
    names = apply_lora(model, [r"attn\.qkv$"], rank=4, alpha=8.0)
    assert names == ["blocks.0.attn.qkv", "blocks.1.attn.qkv", "blocks.2.attn.qkv"]
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 0.1)
    x = torch.randn(2, 3, 8, 8)
    ref = model.forward_features(x)
    w0 = model.blocks[0].attn.qkv.weight.clone()
    merge_lora(model)
    assert not torch.allclose(model.blocks[0].attn.qkv.weight, w0)
    assert torch.allclose(model.forward_features(x), ref, atol=1e-5)
    unmerge_lora(model)
    assert torch.allclose(model.blocks[0].attn.qkv.weight, w0, atol=1e-6)
    plain = ViT(ViTConfig(preset="test", depth=3, image_size=8, patch_size=4))
    plain.load_state_dict(merge_lora_state_dict(model.state_dict()))  # strict: every LoRA key folded away
    assert torch.allclose(plain.forward_features(x), ref, atol=1e-5)


def test_load_weights_into_lora_model_and_rejects_mismatch():
    src, model = vit(), vit()
    with torch.no_grad():
        for p in src.parameters():
            p.add_(1.0)
    apply_lora(model, [r"mlp\.0$"], rank=2)
    load_weights(model, src.state_dict())  # LoRA keys of the target may be missing
    assert torch.equal(model.blocks[1].mlp[0].weight, src.blocks[1].mlp[0].weight)
    with pytest.raises(RuntimeError, match="missing"):
        load_weights(model, {k: v for k, v in src.state_dict().items() if k != "norm.weight"})
    with pytest.raises(ValueError, match="lora_targets"):
        apply_lora(vit(), [r"nothing_here"], rank=2)


def test_explora_adapt_freezes_all_but_last_block_norms_and_lora():
    model = vit(depth=3)
    total = count_parameters(model)["total"]
    counts = apply_adapt(model, AdaptConfig(freeze=True, unfreeze_blocks=[-1], unfreeze=["norm"], lora_rank=2,
                                            lora_targets=[r"attn\.qkv$"]))
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert all(n.startswith("blocks.2.") or "norm" in n or "lora_" in n for n in trainable)
    assert "blocks.2.mlp.0.weight" in trainable and "blocks.0.mlp.0.weight" not in trainable
    assert "patch_embed.weight" not in trainable and "blocks.0.norm1.weight" in trainable
    assert isinstance(model.blocks[0].attn.qkv, LoRALinear) and not isinstance(model.blocks[2].attn.qkv, LoRALinear)
    lora = 2 * 2 * (32 + 96)  # blocks 0 and 1: A (2 x 32) + B (96 x 2)
    assert counts["total"] == total + lora
    block = sum(p.numel() for p in model.blocks[2].parameters())
    norms = sum(p.numel() for n, p in model.named_parameters() if "norm" in n and not n.startswith("blocks.2."))
    assert counts["trainable"] == block + norms + lora
    loss = model.forward_features(torch.randn(2, 3, 8, 8)).pow(2).sum()
    loss.backward()
    assert model.blocks[0].attn.qkv.weight.grad is None and model.blocks[0].attn.qkv.lora_A.grad is not None


def test_adapt_config_errors_name_the_key():
    with pytest.raises(ValueError, match="adapt.unfreeze_blocks"):
        AdaptConfig(unfreeze_blocks=[0]).validate()
    with pytest.raises(ValueError, match="adapt.unfreeze_blocks"):
        apply_adapt(vit(depth=2), AdaptConfig(freeze=True, unfreeze_blocks=[5]))
    assert not AdaptConfig().active
