"""Low-rank parameterizations: W = s B A, ReLoRA merges, refactorization, moment resets, re-warmup."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from pretrainlab.config import ConfigError
from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.optim.lowrank import (LowRankConfig, LowRankLinear, apply_lowrank, lowrank_modules, restart,
                                       rewarm_factor)
from pretrainlab.optim.memory import optimizer_state_bytes, trainable_params


def decoder(lowrank: LowRankConfig | None = None, seed: int = 0) -> Decoder:
    torch.manual_seed(seed)
    model = Decoder(DecoderConfig(d_model=32, n_layers=2, n_heads=4, ffn_hidden=48, vocab_size=64, max_seq_len=16))
    return apply_lowrank(model, lowrank or LowRankConfig(), seed)


def _loss(model, tokens):
    return nn.functional.cross_entropy(model(tokens)[:, :-1].flatten(0, 1), tokens[:, 1:].flatten())


TOKENS = torch.randint(0, 64, (4, 16), generator=torch.Generator().manual_seed(1))


def test_mode_none_leaves_the_model_alone():
    a, b = decoder(), decoder(LowRankConfig(mode="none", rank=4))
    assert a.state_dict().keys() == b.state_dict().keys()
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert not lowrank_modules(b)


def test_lowrank_replaces_block_linears_only():
    model = decoder(LowRankConfig(mode="lowrank", rank=4))
    layers = lowrank_modules(model)
    assert len(layers) == 2 * 7 and all(m.weight is None if hasattr(m, "weight") else True for _, m in layers)
    assert isinstance(model.embed_tokens, nn.Embedding) and isinstance(model.lm_head, nn.Linear)
    full = decoder()
    shapes = [(m.in_features, m.out_features) for n, m in full.named_modules()
              if n.startswith("layers.") and isinstance(m, nn.Linear)]
    lin = sum(i * o for i, o in shapes)
    assert trainable_params(model) == trainable_params(full) - lin + sum(4 * (i + o) for i, o in shapes)
    loss = _loss(model, TOKENS)
    loss.backward()
    assert all(m.lora_A.grad is not None and m.lora_B.grad is not None for _, m in layers)


def test_relora_starts_as_the_full_rank_model_and_freezes_w0():
    full, relora = decoder(), decoder(LowRankConfig(mode="relora", rank=4))
    torch.testing.assert_close(relora(TOKENS), full(TOKENS))
    _, m = lowrank_modules(relora)[0]
    assert not m.weight.requires_grad and m.lora_B.abs().sum() == 0
    assert trainable_params(relora) < trainable_params(full) < sum(p.numel() for p in relora.parameters())


def _train(model, opt, steps=3):
    for _ in range(steps):
        opt.zero_grad()
        _loss(model, TOKENS).backward()
        opt.step()


@pytest.mark.parametrize("mode", ["relora", "lowrank"])
def test_restart_preserves_the_function_and_resets_factor_moments(mode):
    cfg = LowRankConfig(mode=mode, rank=4, restart_every=3, reset_moments="factors")
    model = decoder(cfg)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    _train(model, opt)
    before = model(TOKENS).detach()
    _, m = lowrank_modules(model)[0]
    w_before, a_before = m.effective_weight().detach().clone(), m.lora_A.detach().clone()
    assert restart(model, opt, cfg, seed=0, step=3) == 14
    torch.testing.assert_close(model(TOKENS), before, atol=2e-5, rtol=1e-4)
    torch.testing.assert_close(m.effective_weight(), w_before, atol=2e-6, rtol=1e-4)
    assert not torch.equal(m.lora_A, a_before)
    for p in (m.lora_A, m.lora_B):
        assert all(v.abs().sum() == 0 for v in opt.state[p].values())  # moments and step count reset
    assert opt.state[model.embed_tokens.weight]["exp_avg"].abs().sum() > 0
    if mode == "lowrank":  # balanced factors: B^T B = A A^T = S
        btb, aat = m.lora_B.T @ m.lora_B, m.lora_A @ m.lora_A.T
        torch.testing.assert_close(btb, aat, atol=1e-5, rtol=1e-4)
        assert (btb - torch.diag(torch.diagonal(btb))).abs().max() < 1e-5
    else:
        assert m.lora_B.abs().sum() == 0
    # a zeroed state steps exactly like a fresh AdamW
    opt.zero_grad(set_to_none=True)
    twin = m.lora_A.detach().clone().requires_grad_()
    fresh = torch.optim.AdamW([twin], lr=1e-2)
    grad = torch.randn_like(twin)
    m.lora_A.grad, twin.grad = grad.clone(), grad.clone()
    opt.step()
    fresh.step()
    torch.testing.assert_close(m.lora_A.detach(), twin.detach(), atol=0, rtol=0)


def test_relora_reinit_is_a_pure_function_of_seed_and_step():
    cfg = LowRankConfig(mode="relora", rank=4, restart_every=3)
    a, b = decoder(cfg), decoder(cfg)
    oa = torch.optim.AdamW([p for p in a.parameters() if p.requires_grad], lr=1e-2)
    ob = torch.optim.AdamW([p for p in b.parameters() if p.requires_grad], lr=1e-2)
    restart(a, oa, cfg, seed=5, step=3)
    torch.manual_seed(123)  # global RNG must not matter
    restart(b, ob, cfg, seed=5, step=3)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    restart(b, ob, cfg, seed=5, step=6)
    assert not torch.equal(lowrank_modules(a)[0][1].lora_A, lowrank_modules(b)[0][1].lora_A)


def test_reset_all_clears_every_moment_and_state_bytes_shrink():
    cfg = LowRankConfig(mode="lowrank", rank=4, restart_every=3, reset_moments="all")
    model = decoder(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    _train(model, opt)
    lowrank_bytes = optimizer_state_bytes(opt)
    restart(model, opt, cfg, seed=0, step=3)
    assert all(v.abs().sum() == 0 for st in opt.state.values() for v in st.values())
    assert optimizer_state_bytes(opt) == lowrank_bytes  # reset in place: same keys, same bytes
    full = decoder()
    full_opt = torch.optim.AdamW(full.parameters(), lr=1e-2)
    _train(full, full_opt, 1)
    assert 0 < lowrank_bytes < optimizer_state_bytes(full_opt)


def test_rewarm_factor_ramps_after_each_restart():
    assert [rewarm_factor(s, 10, 4) for s in (0, 9)] == [1.0, 1.0]
    assert [rewarm_factor(s, 10, 4) for s in range(10, 15)] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert rewarm_factor(20, 10, 4) == 0.25 and rewarm_factor(20, 10, 0) == 1.0


def test_config_errors_name_the_key():
    from pretrainlab.config import from_dict

    with pytest.raises(ConfigError, match="train.lowrank.restart_every"):
        from_dict(LowRankConfig, {"restart_every": 5})
    from pretrainlab.train.config import TrainConfig

    with pytest.raises(ConfigError, match="train.optimizer=galore"):
        from_dict(TrainConfig, {"optimizer": "galore", "lowrank": {"mode": "lowrank"}})
    assert isinstance(LowRankLinear(8, 6, 16, 16.0, "lowrank", torch.Generator()).lora_A, nn.Parameter)


@pytest.mark.parametrize("mode", ["lowrank", "relora"])
def test_merged_weights_load_into_a_full_rank_decoder(mode):
    """export/hf.py folds low-rank layers into plain weights: a full-rank decoder loading them computes
    the same function."""
    from pretrainlab.optim.lowrank import merge_lowrank_weights

    model = decoder(LowRankConfig(mode=mode, rank=4, alpha=8.0))
    with torch.no_grad():
        for _, m in lowrank_modules(model):
            m.lora_B.normal_(0, 0.05)  # relora starts with B = 0: make the delta visible
    full = decoder()
    merged = merge_lowrank_weights(model.state_dict())
    assert set(merged) == set(full.state_dict())
    full.load_state_dict(merged)
    torch.testing.assert_close(full(TOKENS), model(TOKENS), atol=1e-5, rtol=1e-4)
