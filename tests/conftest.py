"""Shared fixtures: tiny tokenizer and tiny decoder (CPU, seconds)."""

from __future__ import annotations

import pytest
import torch

from pretrainlab.data.tokenizer import Tokenizer, TokenizerConfig
from pretrainlab.models.decoder import Decoder, DecoderConfig

TEXTS = [
    "Once upon a time there was a little cat named Kiralo. The cat liked to run and play.",
    "Q: 37 + 48 = ? A: 85\nQ: 12 * 3 = ? A: 36",
    "def add_3(x):\n    return x + 3\nprint(add_3(4))  # 7",
    "As of 2011, Kiralo Venn works at Tamoru Labs. Kiralo Venn was born in Tamoton.",
] * 20


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    return Tokenizer.train(TEXTS, TokenizerConfig(vocab_size=320, min_frequency=1))


def tiny_decoder(vocab_size: int = 320, seq_len: int = 32, **kw) -> Decoder:
    torch.manual_seed(0)
    cfg = DecoderConfig(size="nano", d_model=32, n_layers=2, n_heads=4, vocab_size=vocab_size,
                        max_seq_len=seq_len, **kw)
    return Decoder(cfg)
