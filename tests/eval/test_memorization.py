"""Canary exposure: a model trained on the canary ranks it first; an untrained one does not."""

import torch

from pretrainlab.eval.memorization import canary_metrics, make_canary
from tests.conftest import tiny_decoder

PREFIX = "the secret code is"


def test_exposure_rises_when_the_canary_is_memorized(tokenizer):
    canary = make_canary(PREFIX, 6, seed=3)
    assert canary.startswith(PREFIX + " ") and len(canary.split()) == 4 + 6
    model = tiny_decoder(vocab_size=tokenizer.vocab_size, seq_len=64)
    before = canary_metrics(model, tokenizer, canary, PREFIX, n_candidates=100)
    ids = torch.tensor([[tokenizer.eos_id] + tokenizer.encode(canary)] * 4)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(200):
        logits = model(ids[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), ids[:, 1:].flatten())
        loss.backward()
        opt.step()
        opt.zero_grad()
    after = canary_metrics(model, tokenizer, canary, PREFIX, n_candidates=100)
    assert after["rank"] == 1 and after["extracted"] == 1.0
    assert after["exposure"] > 6.5 > before["exposure"] + 2  # log2(101) = 6.66 is the maximum
    assert after["loss_gap"] > before["loss_gap"]
