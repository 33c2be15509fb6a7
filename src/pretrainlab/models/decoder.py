"""Llama-style decoder-only language model (RMSNorm, RoPE, SwiGLU, SDPA), written in-project.

Parameter names follow HF ``LlamaForCausalLM`` (``embed_tokens``, ``layers.i.self_attn.q_proj`` …) so
export is a prefix rename. Size presets go from ~1M parameters (``nano``) to a GPT-2-124M-class model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import torch
import torch.utils.checkpoint
from torch import nn

from pretrainlab.models.layers import Attention, RMSNorm, SwiGLU, rope_cache

# name -> (d_model, n_layers, n_heads, ffn_hidden); vocab and context come from the data.
PRESETS: dict[str, tuple[int, int, int, int]] = {
    "nano": (96, 5, 4, 256),        # ~0.55M + embeddings (~1M at vocab 4096)
    "micro": (128, 4, 4, 384),      # ~0.8M + embeddings
    "mini": (256, 6, 8, 704),       # ~4.8M + embeddings
    "small": (384, 6, 6, 1024),     # ~10.6M + embeddings: the throughput benchmark shape
    "medium": (512, 8, 8, 1408),    # ~25.7M + embeddings
    "gpt2-124m": (768, 12, 12, 2048),  # ~85M + 38.6M embeddings at vocab 50304: GPT-2 small class
}


@dataclass
class DecoderConfig:
    """Decoder architecture. ``size`` picks a preset; explicit fields (when set) override it."""

    size: str = "micro"
    """Preset name: nano | micro | mini | small | medium | gpt2-124m."""
    d_model: int | None = None
    n_layers: int | None = None
    n_heads: int | None = None
    n_kv_heads: int | None = None
    """Key/value heads for grouped-query attention (default: n_heads)."""
    ffn_hidden: int | None = None
    vocab_size: int = 0
    """Filled from the tokenizer when 0."""
    max_seq_len: int = 0
    """Filled from the data sequence length when 0."""
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    tie_embeddings: bool = True
    init_std: float = 0.02

    def validate(self) -> None:
        if self.size not in PRESETS:
            import difflib

            close = difflib.get_close_matches(self.size, list(PRESETS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"model.size: unknown preset '{self.size}'{hint}; choose one of {list(PRESETS)}")
        for key in ("d_model", "n_layers", "n_heads", "n_kv_heads", "ffn_hidden"):
            if getattr(self, key) is not None and getattr(self, key) < 1:
                raise ValueError(f"model.{key} must be >= 1 (or unset for the preset's), got {getattr(self, key)}")
        for key in ("vocab_size", "max_seq_len"):
            if getattr(self, key) < 0:
                raise ValueError(f"model.{key} must be >= 0 (0: from the data), got {getattr(self, key)}")
        r = self.resolved()
        if r.d_model % r.n_heads or (r.d_model // r.n_heads) % 2:
            raise ValueError(f"model.d_model={r.d_model} must divide by model.n_heads={r.n_heads} into an even head "
                             "width (rotary embeddings rotate pairs); change one of them")
        if r.n_heads % r.n_kv_heads:
            raise ValueError(f"model.n_heads={r.n_heads} must divide by model.n_kv_heads={r.n_kv_heads}")

    def resolved(self) -> "DecoderConfig":
        """A copy with every preset field filled in."""
        d, n_layers, n_heads, ffn = PRESETS[self.size]
        d = self.d_model or d
        n_heads = self.n_heads or n_heads
        return replace(
            self,
            d_model=d,
            n_layers=self.n_layers or n_layers,
            n_heads=n_heads,
            n_kv_heads=self.n_kv_heads or n_heads,
            ffn_hidden=self.ffn_hidden or (ffn if not self.d_model else _llama_ffn(d)),
        )


def _llama_ffn(d: int, multiple_of: int = 64) -> int:
    hidden = int(8 * d / 3)
    return multiple_of * math.ceil(hidden / multiple_of)


class Block(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.self_attn = Attention(cfg.d_model, cfg.n_heads, cfg.n_kv_heads)
        self.post_attention_layernorm = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.mlp = SwiGLU(cfg.d_model, cfg.ffn_hidden)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Decoder(nn.Module):
    """tokens (B, T) -> logits (B, T, V)."""

    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        cfg = cfg.resolved()
        if cfg.vocab_size <= 0 or cfg.max_seq_len <= 0:
            raise ValueError("DecoderConfig needs vocab_size and max_seq_len (filled from tokenizer and data)")
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.d_model, cfg.norm_eps)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        if cfg.tie_embeddings:
            self.lm_head.weight = self.embed_tokens.weight
        cos, sin = rope_cache(cfg.max_seq_len, cfg.d_model // cfg.n_heads, cfg.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.activation_checkpointing = False
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Normal(0, std) init; residual output projections scaled by 1/sqrt(2 * n_layers) (GPT-2)."""
        std = self.cfg.init_std
        for name, p in self.named_parameters():
            if p.dim() == 1:
                nn.init.ones_(p)
            elif name.endswith(("o_proj.weight", "down_proj.weight")):
                nn.init.normal_(p, 0.0, std / math.sqrt(2 * self.cfg.n_layers))
            else:
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens: torch.Tensor, return_hidden: bool = False) -> torch.Tensor:
        T = tokens.shape[1]
        if T > self.cfg.max_seq_len:
            raise ValueError(f"sequence length {T} exceeds the model's max_seq_len {self.cfg.max_seq_len}")
        x = self.embed_tokens(tokens)  # (B, T, D)
        cos, sin = self.rope_cos[:T], self.rope_sin[:T]
        for layer in self.layers:
            if self.activation_checkpointing and self.training:
                x = torch.utils.checkpoint.checkpoint(layer, x, cos, sin, use_reentrant=False)
            else:
                x = layer(x, cos, sin)
        x = self.norm(x)
        return x if return_hidden else self.lm_head(x)  # (B, T, V)

    def num_params(self, non_embedding: bool = False) -> int:
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n -= self.embed_tokens.weight.numel()
        return n

    def flops_per_token(self, seq_len: int) -> float:
        """Training FLOPs per token: 6 N (non-embedding + head) + 12 L T D for attention (PaLM appendix B)."""
        c = self.cfg
        n = self.num_params(non_embedding=True) + (0 if not c.tie_embeddings else self.lm_head.weight.numel())
        return 6 * n + 12 * c.n_layers * seq_len * c.d_model
