"""A small transformer encoder over windows of daily features (SSPT's 2-layer transformer, METHODS-2 #28).

Window (B, L, C) -> linear embedding of each day to D, a learned CLS token, fixed 1-D sin-cos positions,
``depth`` pre-norm blocks (``x + attn(LN(x))``, ``x + mlp(LN(x))``; the ViT block of models/vit.py, no
causal mask: the whole window is the past), a final LayerNorm; ``forward`` returns the CLS feature (B, D)
that every task head (objectives/ma_prediction.py, series_identity.py, direction.py) reads.
Shapes: B batch, L window days, C features per day, D width.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import torch
from torch import nn

from pretrainlab.config import ConfigError
from pretrainlab.models.vit import Block, init_weights, sincos_1d

# name -> (dim, depth, heads)
PRESETS: dict[str, tuple[int, int, int]] = {
    "test": (16, 1, 2),     # ~3k parameters: unit tests
    "tiny": (32, 2, 4),     # ~26k: the tiny recipe (the paper's 2 layers)
    "small": (64, 2, 4),    # ~100k: the full recipe
    "base": (128, 4, 8),
}


@dataclass
class SeriesTransformerConfig:
    """Series encoder. ``preset`` fills dim/depth/heads; explicit fields override it."""

    preset: str = "test"
    """test | tiny | small | base."""
    dim: int | None = None
    depth: int | None = None
    heads: int | None = None
    window: int = 32
    """Days per window (set from ``data.window``)."""
    in_features: int = 5
    """Features per day (set from the data)."""
    mlp_ratio: float = 4.0

    def validate(self) -> None:
        if self.preset not in PRESETS:
            close = difflib.get_close_matches(self.preset, list(PRESETS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"model.preset: unknown series preset '{self.preset}'{hint}; choose one of {list(PRESETS)}")
        c = self.resolved()
        if c.dim % c.heads or c.dim % 2:
            raise ConfigError(f"model.dim={c.dim} must be even and divide by model.heads={c.heads}")

    def resolved(self) -> "SeriesTransformerConfig":
        dim, depth, heads = PRESETS[self.preset]
        return replace(self, dim=self.dim or dim, depth=self.depth or depth, heads=self.heads or heads)


class SeriesTransformer(nn.Module):
    """(B, L, C) windows -> (B, D) CLS features."""

    def __init__(self, cfg: SeriesTransformerConfig):
        super().__init__()
        cfg.validate()
        self.cfg = c = cfg.resolved()
        self.dim = c.dim
        self.embed = nn.Linear(c.in_features, c.dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c.dim))
        pos = torch.cat([torch.zeros(1, c.dim), sincos_1d(c.dim, torch.arange(c.window))])
        self.register_buffer("pos", pos[None], persistent=False)  # (1, 1 + L, D)
        self.blocks = nn.ModuleList([Block(c.dim, c.heads, c.mlp_ratio) for _ in range(c.depth)])
        self.norm = nn.LayerNorm(c.dim, eps=1e-6)
        init_weights(self)
        nn.init.normal_(self.cls_token, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, L, _ = x.shape
        if L != self.cfg.window:
            raise ValueError(f"window of {L} days, the model was built for {self.cfg.window} (model.window)")
        h = torch.cat([self.cls_token.expand(B, -1, -1), self.embed(x)], dim=1) + self.pos  # (B, 1 + L, D)
        for block in self.blocks:
            h = block(h)
        return self.norm(h)[:, 0]  # (B, D)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
