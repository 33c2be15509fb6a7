"""Memorization of inserted canaries: exposure, verbatim extraction and loss gap.

Carlini et al. 2019, "The Secret Sharer": a canary is a prefix plus a random secret (here: digits).
For a trained model, rank the canary's log-perplexity among R candidates that share its prefix but carry
other random secrets; exposure = log2(R) - log2(rank), so exposure ~ log2(R) means the canary is the
model's top choice and ~ 1 means chance. Extraction: greedy decoding from the prefix reproduces the
secret exactly. Loss gap: mean token loss of random candidates minus that of the canary.

    canary = make_canary("the secret code is", n_digits=6, seed=3)   # "the secret code is 4 1 9 0 7 3"
"""

from __future__ import annotations

import math

import numpy as np
import torch

from pretrainlab.eval.generate import generate


def make_canary(prefix: str, n_digits: int, seed: int) -> str:
    digits = np.random.default_rng(seed).integers(0, 10, size=n_digits)
    return prefix + " " + " ".join(str(d) for d in digits)


@torch.no_grad()
def sequence_loss(model, tokenizer, prefix: str, secrets: list[str]) -> np.ndarray:
    """Mean token loss of each secret given the prefix (one batch, right-padded; causal so padding is inert).
    The prefix starts with end-of-text, as insertions do in the training stream."""
    p = [tokenizer.eos_id] + tokenizer.encode(prefix)
    seqs = [p + tokenizer.encode(" " + s) for s in secrets]
    T = max(len(s) for s in seqs)
    x = torch.zeros(len(seqs), T, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, :len(s)] = torch.tensor(s)
    device = next(model.parameters()).device
    logp = torch.log_softmax(model(x.to(device)).float(), -1).cpu()
    out = []
    for i, s in enumerate(seqs):
        pos = torch.arange(len(p) - 1, len(s) - 1)
        out.append(-float(logp[i, pos, torch.tensor(s[len(p):])].mean()))
    return np.array(out)


def canary_metrics(model, tokenizer, canary: str, prefix: str, n_candidates: int = 200, seed: int = 0) -> dict:
    """Exposure, extraction (0/1) and loss gap of one canary ``prefix + " " + secret``."""
    secret = canary[len(prefix):].strip()
    n_digits = len(secret.split())
    rng = np.random.default_rng(seed)
    candidates = set()
    while len(candidates) < n_candidates:
        cand = " ".join(str(d) for d in rng.integers(0, 10, size=n_digits))
        if cand != secret:
            candidates.add(cand)
    losses = sequence_loss(model, tokenizer, prefix, [secret, *sorted(candidates)])
    rank = 1 + int((losses[1:] < losses[0]).sum())
    target = tokenizer.encode(" " + secret)
    out = generate(model, [[tokenizer.eos_id] + tokenizer.encode(prefix)], len(target), eos_id=tokenizer.eos_id)[0]
    return {
        "exposure": math.log2(n_candidates + 1) - math.log2(rank),
        "extracted": float(tokenizer.decode(out).strip() == secret),
        "loss_gap": float(losses[1:].mean() - losses[0]),
        "rank": rank,
    }
