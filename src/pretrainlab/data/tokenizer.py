"""Byte-level BPE tokenizer trained with HF ``tokenizers``; saved as ``tokenizer.json``.

The saved file loads in ``transformers.PreTrainedTokenizerFast(tokenizer_file=...)``. Token id 0 is
``<|endoftext|>``: it separates documents in the token store and ends generations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, processors, trainers

EOS = "<|endoftext|>"
PAD = "<|pad|>"


@dataclass
class TokenizerConfig:
    vocab_size: int = 4096
    """Total vocabulary including the 256 byte symbols and special tokens."""
    train_docs: int = 20000
    """Documents (across sources) used to train the BPE merges."""
    min_frequency: int = 2
    path: str | None = None
    """Use an existing tokenizer.json instead of training one."""
    world: dict[str, Any] = field(default_factory=dict)
    """Train the merges on another rendering of ``data.world``: overrides of the world config for the
    training texts only (``{rewriter: null}``: the original rendering of a world whose corpus is rewritten),
    so two arms can share one tokenizer. Empty: the run's own (curated) training documents."""

    def validate(self) -> None:
        if self.path is not None and self.world:
            raise ValueError("data.tokenizer: give path or world, not both")
        if self.path is None and self.vocab_size < 300:
            raise ValueError(f"data.tokenizer.vocab_size={self.vocab_size}: byte-level BPE needs >= 300 "
                             "(256 bytes + special tokens + merges)")


class Tokenizer:
    """Thin wrapper over an HF ``tokenizers.Tokenizer`` with the ids pretrainlab needs."""

    def __init__(self, hf: HFTokenizer):
        self.hf = hf
        self.eos_id = hf.token_to_id(EOS)
        if self.eos_id is None:
            raise ValueError(f"tokenizer has no {EOS} token; train it with pretrainlab or add the token")
        self.vocab_size = hf.get_vocab_size()
        self._token_bytes: np.ndarray | None = None

    @classmethod
    def train(cls, texts: Iterable[str], cfg: TokenizerConfig) -> "Tokenizer":
        hf = HFTokenizer(models.BPE())
        hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        hf.decoder = decoders.ByteLevel()
        hf.post_processor = processors.ByteLevel(trim_offsets=False)
        trainer = trainers.BpeTrainer(
            vocab_size=cfg.vocab_size,
            min_frequency=cfg.min_frequency,
            special_tokens=[EOS, PAD],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        hf.train_from_iterator(texts, trainer=trainer)
        return cls(hf)

    @classmethod
    def load(cls, path: str | Path) -> "Tokenizer":
        path = Path(path)
        if path.is_dir():
            path = path / "tokenizer.json"
        if not path.exists():
            raise FileNotFoundError(f"{path}: no tokenizer.json here; run `pretrainlab data prepare` first")
        return cls(HFTokenizer.from_file(str(path)))

    def save(self, path: str | Path) -> None:
        self.hf.save(str(path))

    def encode(self, text: str) -> list[int]:
        return self.hf.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Encode in parallel across cores (the Rust side uses a thread pool)."""
        return [e.ids for e in self.hf.encode_batch(texts, add_special_tokens=False)]

    def decode(self, ids: Iterable[int]) -> str:
        return self.hf.decode(list(ids), skip_special_tokens=True)

    def token_bytes(self) -> np.ndarray:
        """UTF-8 byte length of every token id (0 for special tokens); for bits-per-byte."""
        if self._token_bytes is None:
            inverse = {c: b for b, c in _bytes_to_unicode().items()}
            out = np.zeros(self.vocab_size, dtype=np.int64)
            special = {EOS, PAD}
            for tok, idx in self.hf.get_vocab().items():
                out[idx] = 0 if tok in special else sum(1 for ch in tok if ch in inverse)
            self._token_bytes = out
        return self._token_bytes


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable-character map used by byte-level BPE."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def sample_texts(streams: dict[str, Iterator[dict]], n_docs: int) -> Iterator[str]:
    """Round-robin up to ``n_docs`` texts from several document streams (for tokenizer training)."""
    iters = list(streams.values())
    produced = 0
    while iters and produced < n_docs:
        for it in list(iters):
            doc = next(it, None)
            if doc is None:
                iters.remove(it)
                continue
            produced += 1
            yield doc["text"]
            if produced >= n_docs:
                return
