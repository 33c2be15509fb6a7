"""Weights + optimizer-state memory (``memory/weights_optim_bytes``): frozen weights count, tied weights once."""

from __future__ import annotations

import torch
from torch import nn

from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.optim.lowrank import LowRankConfig, apply_lowrank
from pretrainlab.optim.memory import optimizer_state_bytes, param_bytes, weights_optimizer_bytes


def _decoder(lowrank: LowRankConfig | None = None) -> Decoder:
    torch.manual_seed(0)
    model = Decoder(DecoderConfig(d_model=32, n_layers=2, n_heads=4, ffn_hidden=48, vocab_size=64, max_seq_len=16))
    return apply_lowrank(model, lowrank or LowRankConfig(), 0)


def _step(model: nn.Module) -> torch.optim.Optimizer:
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    tokens = torch.randint(0, 64, (2, 16), generator=torch.Generator().manual_seed(1))
    model(tokens).float().pow(2).mean().backward()
    opt.step()
    return opt


def test_weights_plus_state_counts_frozen_and_tied_once():
    shared = nn.Linear(4, 4, bias=False)
    frozen = nn.Linear(4, 2, bias=False).requires_grad_(False)
    model = nn.ModuleDict({"a": shared, "b": shared, "c": frozen})
    assert param_bytes(model) == 4 * (16 + 8)
    full = _decoder()
    opt = _step(full)
    assert weights_optimizer_bytes(full, opt) == param_bytes(full) + optimizer_state_bytes(opt)


def test_lowrank_holds_fewer_weights_and_relora_keeps_its_frozen_w0():
    full, low = _decoder(), _decoder(LowRankConfig(mode="lowrank", rank=4))
    relora = _decoder(LowRankConfig(mode="relora", rank=4))
    assert param_bytes(low) < param_bytes(full) < param_bytes(relora)
    assert weights_optimizer_bytes(low, _step(low)) < weights_optimizer_bytes(full, _step(full))
