"""GaLore: ours against galore-torch's GaLoreAdamW (same updates), projection shapes and state memory."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

import pytest
import torch
from torch import nn

from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.optim.galore import GaLoreAdamW, GaLoreConfig, build_galore_adamw, orthogonal_basis
from pretrainlab.optim.memory import optimizer_state_bytes


def tiny_decoder() -> Decoder:
    torch.manual_seed(0)
    return Decoder(DecoderConfig(d_model=32, n_layers=2, n_heads=4, vocab_size=320, max_seq_len=32))


def _problem(seed: int = 0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(24, 40), nn.Tanh(), nn.Linear(40, 16, bias=False))
    x, y = torch.randn(64, 24), torch.randn(64, 16)
    return model, x, y


def _groups(model, rank=6, gap=4, scale=0.25, wd=0.1):
    w = [model[0].weight, model[2].weight]
    return [{"params": w, "rank": rank, "update_proj_gap": gap, "scale": scale, "proj_type": "std",
             "weight_decay": wd},
            {"params": [model[0].bias], "weight_decay": 0.0}]


def _train(model, opt, x, y, steps):
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        traj.append([p.detach().clone() for p in model.parameters()])
    return traj


def _reference_galore_adamw():
    """galore-torch's GaLoreAdamW, loaded without the package ``__init__`` (which imports bitsandbytes)."""
    spec = importlib.util.find_spec("galore_torch")
    if spec is None:
        pytest.skip("galore-torch not installed (pip install 'pretrainlab[memeff]')")
    pkg = types.ModuleType("_galore_ref")
    pkg.__path__ = list(spec.submodule_search_locations)
    sys.modules.setdefault("_galore_ref", pkg)
    return importlib.import_module("_galore_ref.adamw").AdamW


def test_matches_galore_torch():
    reference = _reference_galore_adamw()
    m1, x, y = _problem()
    m2, _, _ = _problem()
    ours = GaLoreAdamW(_groups(m1), lr=3e-2, betas=(0.9, 0.95), eps=1e-6)
    ref = reference(_groups(m2), lr=3e-2, betas=(0.9, 0.95), eps=1e-6, no_deprecation_warning=True)
    t1, t2 = _train(m1, ours, x, y, 13), _train(m2, ref, x, y, 13)  # projector refreshed at steps 0, 4, 8, 12
    start = _problem()[0]
    moved = max((a - b).abs().max().item() for a, b in zip(t1[-1], start.parameters()))
    assert moved > 1e-2
    for step, (a, b) in enumerate(zip(t1, t2)):
        for pa, pb in zip(a, b):
            torch.testing.assert_close(pa, pb, atol=2e-5, rtol=1e-4, msg=f"step {step}")


def test_projection_side_and_state_shapes():
    g = torch.randn(40, 24)
    basis = orthogonal_basis(g, 6, "right")
    assert basis.shape == (6, 24)
    torch.testing.assert_close(basis @ basis.T, torch.eye(6), atol=1e-5, rtol=0)
    m, x, y = _problem()
    opt = GaLoreAdamW(_groups(m), lr=1e-2)
    _train(m, opt, x, y, 1)
    s0, s2 = opt.state[m[0].weight], opt.state[m[2].weight]
    assert s0["exp_avg"].shape == (40, 6) and s0["projector"].shape == (6, 24)  # tall: right side
    assert s2["exp_avg"].shape == (6, 40) and s2["projector"].shape == (16, 6)  # wide: left side


def test_projector_refreshes_every_gap_steps():
    m, x, y = _problem()
    opt = GaLoreAdamW(_groups(m, gap=4), lr=1e-2)
    seen = []
    for _ in range(9):
        _train(m, opt, x, y, 1)
        seen.append(opt.state[m[0].weight]["projector"].clone())
    changed = [i for i in range(1, 9) if not torch.equal(seen[i], seen[i - 1])]
    assert changed == [4, 8]


def test_builder_groups_and_state_bytes():
    model = tiny_decoder()
    cfg = GaLoreConfig(rank=4, update_proj_gap=10)
    opt = build_galore_adamw(model, cfg, lr=1e-3, weight_decay=0.1, betas=(0.9, 0.95))
    projected = opt.param_groups[0]["params"]
    assert len(projected) == 2 * 7  # 2 blocks x (q, k, v, o, gate, up, down)
    assert all(p is not model.embed_tokens.weight for p in projected)
    tokens = torch.randint(0, 320, (2, 16))
    nn.functional.cross_entropy(model(tokens).flatten(0, 1), tokens.flatten()).backward()
    opt.step()
    adam = torch.optim.AdamW(model.parameters(), lr=1e-3)
    adam.step()
    assert optimizer_state_bytes(opt) < 0.6 * optimizer_state_bytes(adam)
    dims = [tuple(p.shape) for p in projected]
    expected = sum(4 * (2 * max(m, n) + min(m, n)) * 4 + 4 for m, n in dims)
    got = sum(v.numel() * v.element_size() for p in projected for v in opt.state[p].values())
    assert got == expected
