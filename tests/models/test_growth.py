"""bert2BERT growth: FPI preserves the function (step-0 loss), AKI/stacking do not, symmetry is broken."""

import functools

import pytest
import torch
import torch.nn.functional as F

from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.models.growth import grow_model, grow_state_dict, unit_map

V, T = 64, 16
# Documented tolerance: FPI is exact up to float32 rounding (measured ~1e-6 on the loss).
FPI_TOL = 1e-4


def _batch(seed: int = 0) -> torch.Tensor:
    """Learnable sequences: arithmetic progressions x[t+1] = (x[t] + b) mod V, b in {1, 2, 3, 5}."""
    g = torch.Generator().manual_seed(seed)
    start = torch.randint(0, V, (16,), generator=g)
    b = torch.tensor([1, 2, 3, 5]).repeat(4)
    return (start[:, None] + b[:, None] * torch.arange(T)) % V


def _loss(model, x) -> float:
    with torch.no_grad():
        return F.cross_entropy(model(x)[:, :-1].flatten(0, 1), x[:, 1:].flatten()).item()


def _train(model, steps: int, lr: float = 1e-2) -> None:
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    for step in range(steps):
        x = _batch(step % 4)
        loss = F.cross_entropy(model(x)[:, :-1].flatten(0, 1), x[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()


@functools.lru_cache(maxsize=None)
def _small(tie: bool = True, kv: int = 2) -> Decoder:
    torch.manual_seed(0)
    model = Decoder(DecoderConfig(d_model=32, n_layers=2, n_heads=2, n_kv_heads=kv, ffn_hidden=64, vocab_size=V,
                                  max_seq_len=T, tie_embeddings=tie))
    _train(model, 20, lr=3e-2)
    return model


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models on one thread: with two, OpenMP spin-waiting on a loaded 2-core machine is ~50x slower."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def small() -> Decoder:
    return _small(True, 2)


@pytest.mark.parametrize("tie,kv,width", [(True, 2, (64, 4, 4, 128)), (True, 1, (64, 4, 2, 100)),
                                          (False, 2, (48, 3, 3, 96))])
def test_fpi_preserves_step0_loss(tie, kv, width):
    small = _small(tie, kv)
    x = _batch(9)
    d, h, hkv, f = width  # (48, 3, 3, 96): uneven copy counts, the RMSNorm rescaling is exercised
    cfg = DecoderConfig(d_model=d, n_layers=2, n_heads=h, n_kv_heads=hkv, ffn_hidden=f, tie_embeddings=tie)
    grown = grow_model(small, cfg, "fpi", seed=3, noise=0.1)
    assert grown.cfg.d_model == d and grown.num_params() > small.num_params()
    assert abs(_loss(grown, x) - _loss(small, x)) < FPI_TOL
    # The test can fail: a randomly initialized model of the same shape is far off.
    torch.manual_seed(1)
    scratch = Decoder(grown.cfg)
    assert abs(_loss(scratch, x) - _loss(small, x)) > 0.5
    assert _loss(small, x) < 0.6 * torch.log(torch.tensor(float(V))).item()  # the small model learned


def test_aki_and_stack_are_not_function_preserving_but_informed(small):
    x = _batch(9)
    base = _loss(small, x)
    cfg = DecoderConfig(d_model=64, n_layers=2, n_heads=4, ffn_hidden=128)
    aki = grow_model(small, cfg, "aki", seed=3)
    assert abs(_loss(aki, x) - base) > FPI_TOL
    # New FFN units of layer 0 come from layer 1 (residual-widened); old ones stay.
    sd = aki.state_dict()
    fpi = grow_model(small, cfg, "fpi", seed=3).state_dict()
    assert torch.equal(sd["layers.0.mlp.gate_proj.weight"][:64], fpi["layers.0.mlp.gate_proj.weight"][:64])
    assert not torch.allclose(sd["layers.0.mlp.gate_proj.weight"][64:], fpi["layers.0.mlp.gate_proj.weight"][64:])
    deep = grow_model(small, DecoderConfig(d_model=64, n_layers=4, n_heads=4, ffn_hidden=128), "fpi+stack", seed=3)
    dsd = deep.state_dict()
    assert torch.equal(dsd["layers.2.mlp.up_proj.weight"], dsd["layers.0.mlp.up_proj.weight"])
    stack = grow_model(small, DecoderConfig(d_model=32, n_layers=4, n_heads=2, ffn_hidden=64), "stack")
    assert abs(_loss(stack, x) - base) > FPI_TOL
    # All grown models start far better than a random one of their shape.
    for m in (aki, deep, stack):
        torch.manual_seed(1)
        assert _loss(m, x) < _loss(Decoder(m.cfg), x) - 0.5


def test_noise_breaks_symmetry_of_copies(small):
    """With equal splits, copied residual units stay identical under AdamW; the zero-sum noise separates them."""
    cfg = DecoderConfig(d_model=64, n_layers=2, n_heads=4, ffn_hidden=128)
    gaps = {}
    for noise in (0.0, 0.1):
        grown = grow_model(small, cfg, "fpi", seed=3, noise=noise)
        g = unit_map(32, 64, torch.Generator().manual_seed(3))  # the residual map the grower drew first
        _train(grown, 5, lr=3e-3)
        emb = grown.embed_tokens.weight.detach()
        gaps[noise] = (emb[:, 32:] - emb[:, g[32:]]).abs().max().item()
    assert gaps[0.0] < 1e-5
    assert gaps[0.1] > 1e-3


def test_unit_map_balanced():
    g = unit_map(4, 11, torch.Generator().manual_seed(0))
    assert g[:4].tolist() == [0, 1, 2, 3]
    counts = torch.bincount(g).tolist()
    assert max(counts) - min(counts) <= 1 and sum(counts) == 11


@pytest.mark.parametrize("method,target,match", [
    ("fpi", dict(d_model=64, n_layers=2, n_heads=2, ffn_hidden=128), "head width"),
    ("fpi", dict(d_model=64, n_layers=4, n_heads=4, ffn_hidden=128), "fpi\\+stack"),
    ("stack", dict(d_model=64, n_layers=4, n_heads=4, ffn_hidden=128), "keeps the width"),
    ("fpi", dict(d_model=16, n_layers=2, n_heads=1, ffn_hidden=64), "cannot shrink"),
    ("grow", dict(d_model=64, n_layers=2, n_heads=4, ffn_hidden=128), "unknown method"),
])
def test_invalid_growth_names_the_problem(small, method, target, match):
    with pytest.raises(ValueError, match=match):
        grow_state_dict(small.state_dict(), small.cfg, DecoderConfig(vocab_size=V, max_seq_len=T, **target), method)
