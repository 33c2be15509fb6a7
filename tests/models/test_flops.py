"""The analytic training FLOPs equal a brute-force count of a real forward + backward; FLOPs-to-target."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.models.flops import flops_per_step, flops_per_token, flops_to_target


@pytest.mark.parametrize("kw", [dict(n_kv_heads=2), dict(n_kv_heads=4, tie_embeddings=False, ffn_hidden=96)])
def test_flops_match_flop_counter(kw):
    torch.manual_seed(0)
    cfg = DecoderConfig(d_model=32, n_layers=2, n_heads=4, vocab_size=320, max_seq_len=24, **kw)
    model = Decoder(cfg)
    x = torch.randint(0, 320, (3, 24))
    # The math SDPA backend runs attention as bmm ops, which the counter sees (the fused CPU kernel it does not).
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        F.cross_entropy(model(x).flatten(0, 1), x.flatten()).backward()
    assert counter.get_total_flops() == flops_per_step(cfg, batch_size=3, seq_len=24)
    assert flops_per_token(cfg, 24) > 6 * (model.num_params() - model.embed_tokens.weight.numel())


def test_flops_to_target_interpolates():
    points = [(0.0, 5.0), (10.0, 4.0), (20.0, 3.0), (30.0, 2.5)]
    assert flops_to_target(points, 3.5) == pytest.approx(15.0)
    assert flops_to_target(points, 2.5) == pytest.approx(30.0)
    assert flops_to_target(points, 6.0) == 0.0
    assert math.isinf(flops_to_target(points, 2.0))
    assert flops_to_target([(10.0, 3.0), (0.0, 4.0)], 3.0) == 10.0  # sorted by FLOPs first
