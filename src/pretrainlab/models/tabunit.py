"""TabUnit encoder (UniTabE, Yang et al. 2023, arXiv 2307.09249): one vector per cell, a transformer over
the cells of a row, a [CLS] row vector.

Shapes: B rows, C cells (columns, padded), L column-name tokens, D width. Per cell (TabUnit)::

    n = mean_l E[name_l]                          column name (word tokens, shared embedding E)
    v = x * w_num + b_num      (numeric, z-scored x)   |   E[category]   |   m  (masked)  |  0 (missing)
    t = T[type]                type in {numeric, categorical, missing}
    u = W2 gelu(W1 [n ; v + t])                   fuse layer
    cell = LN(n + sigmoid(G n) * u)               gated link: the name decides how much value passes

then ``[CLS] + cells`` go through a pre-norm transformer encoder with a key-padding mask (padding cells
and cells a view drops); there is no position embedding, so a row is a set of cells and column order
does not matter. ``forward`` returns the [CLS] vector (B, D) and the cell vectors (B, C, D).
``name_fusion=False`` replaces the name vector with a learned per-position column embedding (the
ablation and throughput baseline: the model no longer reads column names). Deviation from the paper:
numbers enter as a value-scaled embedding (not digit tokens); the free-form LSTM decoder is not built
(heads for masked cells and classification live in objectives/).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from pretrainlab.config import ConfigError

PRESETS = {"test": (32, 2, 2), "small": (64, 3, 4), "base": (128, 4, 4)}
"""preset -> (dim, depth, heads)."""
MISSING_TYPE = 3


@dataclass
class TabUnitConfig:
    vocab_size: int = 256
    dim: int = 32
    depth: int = 2
    heads: int = 2
    mlp_ratio: float = 2.0
    dropout: float = 0.0
    name_fusion: bool = True
    max_cols: int = 64
    """Column positions of the ``name_fusion=False`` baseline."""

    def validate(self) -> None:
        if self.dim % self.heads:
            raise ConfigError(f"model.dim={self.dim} must be divisible by model.heads={self.heads}")

    @classmethod
    def preset(cls, name: str, **overrides) -> "TabUnitConfig":
        if name not in PRESETS:
            raise ConfigError(f"model.preset: unknown preset '{name}'; choose one of {list(PRESETS)}")
        dim, depth, heads = PRESETS[name]
        cfg = cls(**{"dim": dim, "depth": depth, "heads": heads, **overrides})
        cfg.validate()
        return cfg


class TabUnit(nn.Module):
    family = "tabunit"

    def __init__(self, cfg: TabUnitConfig):
        super().__init__()
        self.cfg, D = cfg, cfg.dim
        self.tok = nn.Embedding(cfg.vocab_size, D, padding_idx=0)
        self.col = nn.Embedding(cfg.max_cols, D) if not cfg.name_fusion else None
        self.num_w, self.num_b = nn.Parameter(torch.randn(D) * 0.5), nn.Parameter(torch.zeros(D))
        self.type_emb = nn.Embedding(4, D)
        self.mask_emb = nn.Parameter(torch.randn(D) * 0.02)
        self.fuse = nn.Sequential(nn.Linear(2 * D, D), nn.GELU(), nn.Linear(D, D))
        self.gate = nn.Linear(D, D)
        self.cell_norm = nn.LayerNorm(D)
        self.cls = nn.Parameter(torch.randn(D) * 0.02)
        layer = nn.TransformerEncoderLayer(D, cfg.heads, int(D * cfg.mlp_ratio), cfg.dropout, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(D)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def name_vectors(self, names: torch.Tensor) -> torch.Tensor:
        """(B, C, L) tokens -> (B, C, D): the mean embedding of each column name's tokens."""
        if self.col is not None:
            B, C, _ = names.shape
            return self.col(torch.arange(C, device=names.device)).expand(B, C, -1)
        present = (names != 0).unsqueeze(-1).float()
        return (self.tok(names) * present).sum(2) / present.sum(2).clamp(min=1.0)

    def cells(self, batch: dict, mask: torch.Tensor | None = None) -> torch.Tensor:
        """(B, C, D) TabUnit cell vectors; ``mask`` (B, C) bool replaces those cells' values by [MASK]."""
        kinds, miss = batch["kinds"].long(), batch["miss"]
        n = self.name_vectors(batch["names"])
        numeric = (kinds == 1).unsqueeze(-1)
        v = torch.where(numeric, batch["num"].unsqueeze(-1) * self.num_w + self.num_b, self.tok(batch["cat"]))
        v = v.masked_fill(miss.unsqueeze(-1), 0.0)
        if mask is not None:
            v = torch.where(mask.unsqueeze(-1), self.mask_emb.to(v.dtype), v)
        t = self.type_emb(torch.where(miss, torch.full_like(kinds, MISSING_TYPE), kinds))
        u = self.fuse(torch.cat([n, v + t], dim=-1))
        return self.cell_norm(n + torch.sigmoid(self.gate(n)) * u)

    def forward(self, batch: dict, mask: torch.Tensor | None = None,
                drop: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """([CLS] (B, D), cells (B, C, D)); ``drop`` (B, C) bool hides cells from attention (a view)."""
        x = self.cells(batch, mask)
        B = x.shape[0]
        pad = batch["kinds"] == 0
        if drop is not None:
            pad = pad | drop
        x = torch.cat([self.cls.expand(B, 1, -1).to(x.dtype), x], dim=1)
        pad = torch.cat([torch.zeros(B, 1, dtype=torch.bool, device=pad.device), pad], dim=1)
        h = self.norm(self.encoder(x, src_key_padding_mask=pad))
        return h[:, 0], h[:, 1:]


def build_tabunit(preset: str, vocab_size: int, **overrides) -> TabUnit:
    return TabUnit(TabUnitConfig.preset(preset, vocab_size=vocab_size, **overrides))


__all__ = ["PRESETS", "TabUnit", "TabUnitConfig", "build_tabunit"]
