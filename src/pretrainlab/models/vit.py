"""Vision Transformer (Dosovitskiy et al. 2021, arXiv 2010.11929), written in-project (no timm/torchvision).

Image (B, C, H, W) -> non-overlapping P x P patches by a strided conv -> (B, L, D) tokens, L = (H/P)^2, plus a
learned CLS token; fixed 2-D sin-cos positions (the MAE variant, He et al. 2021): half of the D channels
encode the row, half the column, each as ``[sin(pos * w_k), cos(pos * w_k)]`` with ``w_k = 1 / 10000^(k / (D/4))``;
the CLS position is zero. Pre-norm blocks ``x + attn(LN(x))``, ``x + mlp(LN(x))``, a final LayerNorm.

``forward_tokens(x, keep_idx)`` encodes only the visible patches (MAE); ``get_attention_maps`` and
``get_intermediate_layers`` read attention and per-block tokens. Shapes: B batch, L patches, N = 1 + L tokens,
D width, H heads.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

# name -> (dim, depth, heads, patch_size, image_size)
PRESETS: dict[str, tuple[int, int, int, int, int]] = {
    "test": (32, 2, 2, 4, 32),       # ~27k parameters: unit tests, CPU smoke runs
    "tiny": (192, 12, 3, 16, 224),   # ViT-Ti/16, ~5.5M
    "small": (384, 12, 6, 16, 224),  # ViT-S/16, ~21.6M
    "base": (768, 12, 12, 16, 224),  # ViT-B/16, ~85.6M
}


@dataclass
class ViTConfig:
    """ViT architecture. ``preset`` fills dim/depth/heads/patch_size/image_size; explicit fields override it."""

    preset: str = "test"
    """test | tiny | small | base."""
    dim: int | None = None
    depth: int | None = None
    heads: int | None = None
    patch_size: int | None = None
    image_size: int | None = None
    """Input height = width; must divide by patch_size."""
    in_chans: int = 3
    mlp_ratio: float = 4.0
    num_classes: int = 0
    """0 = no head: forward returns the CLS feature."""
    qkv_bias: bool = True
    norm_eps: float = 1e-6

    def validate(self) -> None:
        if self.preset not in PRESETS:
            close = difflib.get_close_matches(self.preset, list(PRESETS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"model.preset: unknown ViT preset '{self.preset}'{hint}; choose one of {list(PRESETS)}")
        c = self.resolved()
        if c.image_size % c.patch_size:
            raise ValueError(f"model.image_size={c.image_size} must divide by model.patch_size={c.patch_size}")
        if c.dim % c.heads or c.dim % 4:
            raise ValueError(f"model.dim={c.dim} must divide by model.heads={c.heads} and by 4 (2-D sin-cos)")

    def resolved(self) -> "ViTConfig":
        dim, depth, heads, patch, size = PRESETS[self.preset]
        return replace(self, dim=self.dim or dim, depth=self.depth or depth, heads=self.heads or heads,
                       patch_size=self.patch_size or patch, image_size=self.image_size or size)


def sincos_1d(dim: int, pos: torch.Tensor) -> torch.Tensor:
    """(M,) positions -> (M, dim) ``[sin(pos w), cos(pos w)]``, w_k = 10000^(-k / (dim/2))."""
    omega = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float64) / (dim / 2))
    out = pos.double()[:, None] * omega[None]
    return torch.cat([out.sin(), out.cos()], dim=1).float()


def sincos_2d(dim: int, grid: int, cls_token: bool = True) -> torch.Tensor:
    """(1 + grid^2, dim) fixed positions: rows in the first half of the channels, columns in the second."""
    ys, xs = torch.meshgrid(torch.arange(grid), torch.arange(grid), indexing="ij")
    emb = torch.cat([sincos_1d(dim // 2, ys.flatten()), sincos_1d(dim // 2, xs.flatten())], dim=1)
    return torch.cat([torch.zeros(1, dim), emb]) if cls_token else emb


def patchify(images: torch.Tensor, p: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, L, p*p*C), patches in row-major order, pixels (row, col, channel) inside."""
    B, C, H, W = images.shape
    x = images.reshape(B, C, H // p, p, W // p, p)
    return torch.einsum("bchpwq->bhwpqc", x).reshape(B, (H // p) * (W // p), p * p * C)


def unpatchify(patches: torch.Tensor, p: int, channels: int) -> torch.Tensor:
    """Inverse of ``patchify`` for square images."""
    B, L, _ = patches.shape
    g = int(round(L ** 0.5))
    x = patches.reshape(B, g, g, p, p, channels)
    return torch.einsum("bhwpqc->bchpwq", x).reshape(B, channels, g * p, g * p)


class Attention(nn.Module):
    """Bidirectional multi-head self-attention; SDPA unless the attention map is asked for."""

    def __init__(self, dim: int, heads: int, qkv_bias: bool = True):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, return_attn: bool = False):
        B, N, D = x.shape
        q, k, v = self.qkv(x).view(B, N, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)  # (B, H, N, Dh)
        if return_attn:
            attn = (q @ k.transpose(-2, -1) * self.head_dim ** -0.5).softmax(dim=-1)  # (B, H, N, N)
            y = attn @ v
        else:
            attn, y = None, F.scaled_dot_product_attention(q, k, v)
        return self.proj(y.transpose(1, 2).reshape(B, N, D)), attn


class Block(nn.Module):
    """Pre-norm transformer block with a GELU MLP."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float = 4.0, qkv_bias: bool = True, eps: float = 1e-6):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x: torch.Tensor, return_attn: bool = False):
        y, attn = self.attn(self.norm1(x), return_attn)
        x = x + y
        x = x + self.mlp(self.norm2(x))
        return (x, attn) if return_attn else x


def init_weights(module: nn.Module) -> None:
    """MAE/timm init: xavier-uniform linears with zero bias, LayerNorm (1, 0)."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class ViT(nn.Module):
    """images (B, C, S, S) -> logits (B, num_classes), or the CLS feature (B, D) when num_classes == 0."""

    def __init__(self, cfg: ViTConfig):
        super().__init__()
        cfg.validate()
        cfg = cfg.resolved()
        self.cfg = cfg
        self.patch_size, self.grid = cfg.patch_size, cfg.image_size // cfg.patch_size
        self.num_patches, self.num_classes = self.grid ** 2, cfg.num_classes
        self.patch_embed = nn.Conv2d(cfg.in_chans, cfg.dim, cfg.patch_size, stride=cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.dim))
        self.register_buffer("pos_embed", sincos_2d(cfg.dim, self.grid)[None], persistent=False)  # (1, N, D)
        self.blocks = nn.ModuleList(Block(cfg.dim, cfg.heads, cfg.mlp_ratio, cfg.qkv_bias, cfg.norm_eps)
                                    for _ in range(cfg.depth))
        self.norm = nn.LayerNorm(cfg.dim, eps=cfg.norm_eps)
        self.head = nn.Linear(cfg.dim, cfg.num_classes) if cfg.num_classes > 0 else nn.Identity()
        init_weights(self)
        w = self.patch_embed.weight.data
        nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        nn.init.normal_(self.cls_token, std=0.02)

    @property
    def feature_dim(self) -> int:
        return self.cfg.dim

    def check_input(self, x: torch.Tensor) -> None:
        c = self.cfg
        want = (c.in_chans, c.image_size, c.image_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != want or not x.is_floating_point():
            raise ValueError(f"ViT expects float images (B, {want[0]}, {want[1]}, {want[2]}), got {x.dtype} "
                             f"{tuple(x.shape)}; resize/normalize them (data.image_augment) or set model.image_size "
                             f"/ model.in_chans")

    def embed(self, x: torch.Tensor, keep_idx: torch.Tensor | None = None) -> torch.Tensor:
        """(B, C, S, S) -> (B, 1 + K, D): CLS plus the kept patch tokens (all L when keep_idx is None)."""
        self.check_input(x)
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed[:, 1:]  # (B, L, D)
        if keep_idx is not None:  # (B, K) indices of visible patches
            tokens = torch.gather(tokens, 1, keep_idx[..., None].expand(-1, -1, tokens.shape[-1]))
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(tokens.shape[0], -1, -1)
        return torch.cat([cls, tokens], dim=1)

    def forward_tokens(self, x: torch.Tensor, keep_idx: torch.Tensor | None = None) -> torch.Tensor:
        """(B, 1 + L, D) tokens after the final norm (1 + K with keep_idx)."""
        t = self.embed(x, keep_idx)
        for blk in self.blocks:
            t = blk(t)
        return self.norm(t)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_tokens(x)[:, 0]  # (B, D) CLS

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))

    @torch.no_grad()
    def get_attention_maps(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Softmax attention of every block, each (B, H, N, N); row 0 is the CLS token's attention."""
        t, maps = self.embed(x), []
        for blk in self.blocks:
            t, attn = blk(t, return_attn=True)
            maps.append(attn)
        return maps

    def get_intermediate_layers(self, x: torch.Tensor, n: int | list[int] = 1, norm: bool = True) -> list[torch.Tensor]:
        """Tokens (B, N, D) after the last ``n`` blocks (int) or after the listed block indices."""
        want = set(range(len(self.blocks) - n, len(self.blocks))) if isinstance(n, int) else set(n)
        t, out = self.embed(x), []
        for i, blk in enumerate(self.blocks):
            t = blk(t)
            if i in want:
                out.append(self.norm(t) if norm else t)
        return out

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
