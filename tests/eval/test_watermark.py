"""Watermark probe: green lists, the biased document sampler, z-test detection on a model's output."""

import numpy as np
import pytest
import torch
from torch import nn

from pretrainlab.data.tokenizer import Tokenizer, TokenizerConfig
from pretrainlab.eval.backdoor import WORDS
from pretrainlab.eval.watermark import GreenList, alphabet, watermark_metrics, watermarked_tokens


class GreenModel(nn.Module):
    """Next-token logits = bias * G(previous token): writes watermarked text when bias > 0."""

    def __init__(self, green: GreenList, bias: float, allowed: list[int]):
        super().__init__()
        self.green, self.bias = green, bias
        self.allowed = torch.zeros(green.V, dtype=torch.bool)
        self.allowed[allowed] = True
        self.w = nn.Parameter(torch.zeros(1))
        self.cfg = type("Cfg", (), {"max_seq_len": 256})()

    def forward(self, x):
        masks = torch.stack([torch.from_numpy(self.green.mask(int(t))) for t in x.flatten()]).float()
        logits = self.bias * masks.view(*x.shape, -1)
        return logits.masked_fill(~self.allowed, -1e9) + self.w


@pytest.fixture(scope="module")
def tokenizer():
    """A tokenizer with whole-word tokens (the session fixture has almost none)."""
    return Tokenizer.train([" ".join(WORDS)] * 50, TokenizerConfig(vocab_size=400, min_frequency=1))


def test_green_list_is_seeded_and_sized():
    g = GreenList(320, gamma=0.25, key=3)
    assert g.mask(5).sum() == 80
    assert (g.mask(5) == GreenList(320, 0.25, key=3).mask(5)).all()
    assert (g.mask(5) != g.mask(6)).any() and (g.mask(5) != GreenList(320, 0.25, key=4).mask(5)).any()


def test_sampler_text_is_detected_and_unbiased_text_is_not(tokenizer):
    alpha = alphabet(tokenizer, 12, seed=0)
    assert all(tokenizer.encode(tokenizer.decode([t])) == [t] for t in alpha)
    g = GreenList(tokenizer.vocab_size, 0.5, key=1)
    doc = watermarked_tokens(g, alpha, 200, delta=4.0, seed=0)
    assert doc == watermarked_tokens(g, alpha, 200, delta=4.0, seed=0)
    assert tokenizer.encode(tokenizer.decode(doc)) == doc  # the rendered text tokenizes to the sampled ids
    z_wm = g.z_score(doc)[0]
    z_plain = [g.z_score(watermarked_tokens(g, alpha, 200, delta=0.0, seed=s))[0] for s in range(20)]
    assert z_wm > 6
    assert abs(np.mean(z_plain)) < 1.5 and max(abs(z) for z in z_plain) < 4.5


def test_metrics_separate_a_watermarked_model_from_a_clean_one(tokenizer):
    alpha = alphabet(tokenizer, 12, seed=0)
    g = GreenList(tokenizer.vocab_size, 0.5, key=1)
    prompts = [tokenizer.decode(watermarked_tokens(g, alpha, 6, 4.0, 100 + i)) for i in range(6)]
    marked = watermark_metrics(GreenModel(g, 6.0, alpha), tokenizer, g, prompts, 24)
    clean = watermark_metrics(GreenModel(g, 0.0, alpha), tokenizer, g, prompts, 24)
    assert marked["z"] > 3 and marked["green_frac"] > 0.8
    assert abs(clean["z"]) < 2 and 0.25 < clean["green_frac"] < 0.75
