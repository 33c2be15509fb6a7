"""Evaluation pieces against reference values: bits per byte, unigram baseline, QA scoring."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from pretrainlab.eval.loss import eval_loss
from pretrainlab.eval.qa import choice_logprobs, exact_match, multiple_choice
from pretrainlab.eval.unigram import unigram_counts, unigram_loss


class Uniform(torch.nn.Module):
    """Uniform logits over V tokens: loss is exactly ln V."""

    def __init__(self, V=8):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))
        self.V = V
        self.cfg = SimpleNamespace(max_seq_len=64)

    def forward(self, x):
        return torch.zeros(*x.shape, self.V) + self.w


class Echo(torch.nn.Module):
    """Predicts token (x + 1) mod V with high confidence."""

    def __init__(self, V=8):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(()))
        self.V = V
        self.cfg = SimpleNamespace(max_seq_len=64)

    def forward(self, x):
        return torch.nn.functional.one_hot((x + 1) % self.V, self.V).float() * 20 + self.w


def test_bpb_of_uniform_model():
    windows = torch.randint(1, 8, (3, 5))
    token_bytes = np.array([0, 1, 2, 3, 1, 1, 1, 1])
    r = eval_loss(Uniform(), windows, token_bytes)
    assert r["loss"] == pytest.approx(math.log(8))
    n_bytes = token_bytes[windows[:, 1:].numpy()].sum()
    assert r["bytes"] == n_bytes and r["tokens"] == 12
    assert r["bpb"] == pytest.approx(12 * math.log(8) / (math.log(2) * n_bytes))


def test_unigram_reference():
    counts = unigram_counts([np.array([0, 0, 1, 2])], vocab_size=4)
    assert counts.tolist() == [2, 1, 1, 0]
    r = unigram_loss(counts, np.array([0, 3]))
    probs = np.array([3, 2, 2, 1]) / 8  # add-one smoothing
    assert r["loss"] == pytest.approx(-(math.log(probs[0]) + math.log(probs[3])) / 2)


class CharTok:
    """Token ids are digits: '3' -> 3; eos 0."""

    eos_id = 0

    def encode(self, s):
        return [int(c) for c in s if c.isdigit()]

    def decode(self, ids):
        return " " + "".join(str(i) for i in ids)


def test_choice_logprobs_and_scoring():
    model = Echo()
    # after prompt [1, 2] the echo model expects 3, then 4
    lp = choice_logprobs(model, [1, 2], [[3, 4], [5, 6], [3]])
    assert lp[0] > lp[1] and lp[0] == pytest.approx(lp[2], abs=1e-4)
    items = [{"prompt": "12", "answer": "34", "choices": ["56", "34", "77"], "answer_index": 1},
             {"prompt": "45", "answer": "67", "choices": ["67", "11"], "answer_index": 1}]
    assert multiple_choice(model, CharTok(), items) == 0.5
    acc, preds = exact_match(model, CharTok(), items, max_new_tokens=2)
    assert preds == ["34", "67"] and acc == 1.0
