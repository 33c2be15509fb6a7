import pytest
import torch

from pretrainlab.models.decoder import PRESETS, Decoder, DecoderConfig
from pretrainlab.models.layers import RMSNorm, apply_rope, rope_cache
from tests.conftest import tiny_decoder


def test_forward_shapes_and_causality():
    model = tiny_decoder()
    x = torch.randint(0, 320, (2, 16))
    logits = model(x)
    assert logits.shape == (2, 16, 320)
    # Changing a future token must not change earlier logits.
    y = x.clone()
    y[:, 10] = (y[:, 10] + 1) % 320
    assert torch.allclose(model(y)[:, :10], logits[:, :10], atol=1e-6)
    assert not torch.allclose(model(y)[:, 10:], logits[:, 10:])


def test_rmsnorm_reference():
    norm = RMSNorm(4, eps=0.0)
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    expected = x / torch.sqrt(torch.tensor(7.5))
    assert torch.allclose(norm(x), expected)


def test_rope_preserves_norm_and_relative_positions():
    cos, sin = rope_cache(8, 4, 10000.0)
    q = torch.randn(1, 1, 8, 4)
    rq = apply_rope(q, cos, sin)
    assert torch.allclose(rq.norm(dim=-1), q.norm(dim=-1), atol=1e-5)
    assert torch.allclose(rq[..., 0, :], q[..., 0, :])  # position 0 is not rotated
    # <R_m q, R_n k> depends only on m - n.
    qv, kv = torch.randn(4), torch.randn(4)
    same = [apply_rope(qv.expand(1, 1, 8, 4), cos, sin)[0, 0, m] @ apply_rope(kv.expand(1, 1, 8, 4), cos, sin)[0, 0, m - 2]
            for m in (2, 5, 7)]
    assert torch.allclose(torch.stack(same), same[0].expand(3), atol=1e-5)


@pytest.mark.parametrize("size,lo,hi", [("nano", 0.8e6, 1.5e6), ("gpt2-124m", 110e6, 135e6)])
def test_preset_sizes(size, lo, hi):
    vocab = 4096 if size == "nano" else 50304
    with torch.device("meta"):
        model = Decoder(DecoderConfig(size=size, vocab_size=vocab, max_seq_len=1024))
    assert lo < model.num_params() < hi


def test_gqa_and_unknown_preset():
    model = tiny_decoder(n_kv_heads=2)
    assert model(torch.randint(0, 320, (1, 8))).shape == (1, 8, 320)
    with pytest.raises(ValueError, match="did you mean 'micro'"):
        DecoderConfig(size="micr").validate()
    assert set(PRESETS) >= {"nano", "micro", "small", "gpt2-124m"}


def test_tied_embeddings():
    model = tiny_decoder()
    assert model.lm_head.weight is model.embed_tokens.weight
    untied = tiny_decoder(tie_embeddings=False)
    assert untied.lm_head.weight is not untied.embed_tokens.weight
