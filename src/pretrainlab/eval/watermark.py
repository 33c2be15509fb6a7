"""Watermark probe: documents written by a green-list-biased sampler, detected in the model's output.

Kirchenbauer et al. 2023, "A Watermark for Large Language Models": before each token, a hash of the
previous token seeds a random "green list" G(prev) of gamma*V vocabulary ids; the sampler adds delta to
the logits of green tokens. Detection needs only the key: for T scored tokens of which |s|_G are green,

    z = (|s|_G - gamma*T) / sqrt(T * gamma * (1 - gamma))

is ~N(0, 1) for text written without the key and large for watermarked text.

Here the inserted documents come from a simple seeded generator over an *alphabet* of word tokens of the
run's tokenizer (tokens that decode to " word" and encode back to themselves, so the rendered text
tokenizes to the sampled ids): uniform over the alphabet, plus delta on green ids. After training, the
model continues held-out watermarked prefixes (sampled, temperature 1); the mean z of its continuations
measures how much of the watermark it absorbed. A model trained without the documents gives z ~ 0.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from pretrainlab.eval.generate import generate


def _key(*parts) -> int:
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "little")


class GreenList:
    """G(prev): ``gamma * vocab_size`` ids chosen by a generator seeded with hash(key, prev)."""

    def __init__(self, vocab_size: int, gamma: float = 0.5, key: int = 0):
        if not 0 < gamma < 1:
            raise ValueError(f"watermark gamma must be in (0, 1), got {gamma}")
        self.V, self.gamma, self.key = vocab_size, gamma, key
        self._cache: dict[int, np.ndarray] = {}

    def mask(self, prev: int) -> np.ndarray:
        if prev not in self._cache:
            rng = np.random.default_rng(_key(self.key, "green", prev))
            m = np.zeros(self.V, dtype=bool)
            m[rng.permutation(self.V)[: int(self.gamma * self.V)]] = True
            self._cache[prev] = m
        return self._cache[prev]

    def z_score(self, tokens: list[int], prev: int | None = None) -> tuple[float, int, int]:
        """(z, green count, scored count) of ``tokens``; the first is scored against ``prev`` if given."""
        seq = ([prev] if prev is not None else []) + list(tokens)
        pairs = [(a, b) for a, b in zip(seq, seq[1:]) if 0 <= b < self.V]
        if not pairs:
            return math.nan, 0, 0
        green = sum(int(self.mask(a)[b]) for a, b in pairs)
        T, g = len(pairs), self.gamma
        return (green - g * T) / math.sqrt(T * g * (1 - g)), green, T


def alphabet(tokenizer, size: int, seed: int) -> list[int]:
    """``size`` word-token ids (decode to " letters", encode back to the same single id), seeded choice."""
    ok = []
    for tid in range(tokenizer.vocab_size):
        text = tokenizer.decode([tid])
        if len(text) >= 3 and text[0] == " " and text[1:].isalpha() and text[1:].islower() \
                and tokenizer.encode(text) == [tid]:
            ok.append(tid)
    if len(ok) < size:
        raise ValueError(f"watermark probe: the tokenizer has only {len(ok)} word tokens, {size} requested; "
                         "lower the probe's alphabet or raise data.tokenizer.vocab_size")
    rng = np.random.default_rng(_key(seed, "alphabet"))
    return sorted(rng.choice(ok, size=size, replace=False).tolist())


def watermarked_tokens(green: GreenList, alpha: list[int], n_tokens: int, delta: float, seed: int) -> list[int]:
    """One document of ``n_tokens`` ids from the alphabet, green ids boosted by ``delta`` (pure fn of seed)."""
    rng = np.random.default_rng(_key(green.key, "doc", seed))
    alpha_arr = np.asarray(alpha)
    toks = [int(rng.choice(alpha_arr))]
    for _ in range(n_tokens - 1):
        logits = delta * green.mask(toks[-1])[alpha_arr]
        p = np.exp(logits - logits.max())
        toks.append(int(rng.choice(alpha_arr, p=p / p.sum())))
    return toks


def watermark_documents(tokenizer, green: GreenList, alpha: list[int], n: int, n_tokens: int, delta: float,
                        start: int = 0) -> list[str]:
    """Rendered texts of documents ``start .. start+n-1``."""
    return [tokenizer.decode(watermarked_tokens(green, alpha, n_tokens, delta, i)) for i in range(start, start + n)]


def watermark_metrics(model, tokenizer, green: GreenList, prompts: list[str], n_tokens: int,
                      seed: int = 0) -> dict[str, float]:
    """Mean z (per continuation) and green fraction of the model's sampled continuations of ``prompts``."""
    ids = [[tokenizer.eos_id] + tokenizer.encode(p) for p in prompts]
    outs = generate(model, ids, n_tokens, eos_id=tokenizer.eos_id, temperature=1.0, seed=seed)
    zs, green_n, total = [], 0, 0
    for p, o in zip(ids, outs):
        z, g, t = green.z_score(o, prev=p[-1])
        if t:
            zs.append(z)
            green_n, total = green_n + g, total + t
    return {"z": float(np.mean(zs)) if zs else math.nan, "green_frac": green_n / total if total else math.nan}
