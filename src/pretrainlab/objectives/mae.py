"""Masked autoencoder (He et al. 2021, arXiv 2111.06377): encode visible patches, reconstruct the masked ones.

Per image, a random ``mask_ratio`` of the L patches is hidden (shuffle by uniform noise, keep the first
``K = L (1 - mask_ratio)``); the ViT encodes CLS + K visible tokens; a light decoder (owned here: linear
embed to ``decoder_dim``, learned mask token, fixed 2-D sin-cos positions, a few pre-norm blocks) sees all L
positions and predicts each patch's ``p*p*C`` pixels. With targets t (per-patch normalized when
``norm_pix_loss``: ``t = (x - mean(x)) / sqrt(var(x) + 1e-6)`` over the patch's pixels, unbiased var as in
the reference code) and mask m (1 = hidden):

    L = sum_{b,l} m_bl * mean_j (pred_blj - t_blj)^2 / sum_{b,l} m_bl

The noise is a pure function of (seed, step, dataset index): ``numpy.random.default_rng([seed, step, index])``
draws L uniforms per image, so a sample's mask does not depend on its batch-mates (and resumes bit-identically).

Example:
    >>> obj = MAE(vit, mask_ratio=0.75, seed=run_seed)
    >>> loss, metrics = obj(vit, {"views": [x], "labels": y, "index": idx, "step": step})
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from pretrainlab.models.vit import Block, init_weights, patchify, sincos_2d
from pretrainlab.objectives.vision_base import VisionObjective, unwrap


def mask_noise(seed: int, step: int, index: torch.Tensor, num_patches: int) -> torch.Tensor:
    """(B, L) uniform noise, row b a pure function of (seed, step, index[b])."""
    rows = [np.random.default_rng([seed, step, int(i)]).random(num_patches) for i in index.tolist()]
    return torch.from_numpy(np.stack(rows)).float()


def random_masking(noise: torch.Tensor, mask_ratio: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """noise (B, L) -> keep_idx (B, K) (visible patches, lowest noise first), mask (B, L) 1 = hidden, ids_restore."""
    B, L = noise.shape
    keep = max(1, int(L * (1 - mask_ratio)))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    mask = torch.ones(B, L, device=noise.device)
    mask[:, :keep] = 0
    return ids_shuffle[:, :keep], torch.gather(mask, 1, ids_restore), ids_restore


def mae_loss(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, norm_pix_loss: bool = True) -> torch.Tensor:
    """Mean squared error over hidden patches; pred/target (B, L, P), mask (B, L) with 1 = hidden."""
    target = target.float()
    if norm_pix_loss:
        mean, var = target.mean(dim=-1, keepdim=True), target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    per_patch = (pred.float() - target).pow(2).mean(dim=-1)  # (B, L)
    return (per_patch * mask).sum() / mask.sum()


class MAEDecoder(nn.Module):
    """(B, 1 + K, D_enc) visible tokens + ids_restore -> (B, L, p*p*C) pixel predictions."""

    def __init__(self, enc_dim: int, grid: int, patch_dim: int, dim: int, depth: int, heads: int):
        super().__init__()
        self.embed = nn.Linear(enc_dim, dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.register_buffer("pos_embed", sincos_2d(dim, grid)[None], persistent=False)  # (1, 1 + L, dim)
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pred = nn.Linear(dim, patch_dim)
        init_weights(self)
        nn.init.normal_(self.mask_token, std=0.02)

    def forward(self, tokens: torch.Tensor, ids_restore: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)
        B, L = ids_restore.shape
        masked = self.mask_token.expand(B, L + 1 - x.shape[1], -1).to(x.dtype)
        patches = torch.cat([x[:, 1:], masked], dim=1)  # (B, L, dim) in shuffled order
        patches = torch.gather(patches, 1, ids_restore[..., None].expand(-1, -1, x.shape[-1]))
        x = torch.cat([x[:, :1], patches], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.pred(self.norm(x))[:, 1:]


class MAE(VisionObjective):
    name = "mae"
    n_views = 1

    def __init__(self, model: nn.Module, num_classes: int = 0, multilabel: bool = False, mask_ratio: float = 0.75,
                 norm_pix_loss: bool = True, decoder_dim: int = 64, decoder_depth: int = 2, decoder_heads: int = 4,
                 seed: int = 0):
        super().__init__()
        vit = unwrap(model)
        if not hasattr(vit, "patch_size") or not hasattr(vit, "forward_tokens"):
            raise ValueError(f"objective 'mae' needs a ViT backbone (model.family: vit), got {type(vit).__name__}")
        if not 0.0 < mask_ratio < 1.0 or int(vit.num_patches * (1 - mask_ratio)) in (0, vit.num_patches):
            raise ValueError(f"objective.mask_ratio={mask_ratio} must hide some but not all of the "
                             f"{vit.num_patches} patches")
        self.mask_ratio, self.norm_pix_loss, self.seed = mask_ratio, norm_pix_loss, seed
        self.patch_size, self.num_patches = vit.patch_size, vit.num_patches
        patch_dim = vit.patch_size ** 2 * vit.cfg.in_chans
        self.decoder = MAEDecoder(vit.feature_dim, vit.grid, patch_dim, decoder_dim, decoder_depth, decoder_heads)

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        (x,) = self.views(batch)
        noise = mask_noise(self.seed, int(batch["step"]), batch["index"], self.num_patches).to(x.device)
        keep_idx, mask, ids_restore = random_masking(noise, self.mask_ratio)
        encoder = getattr(model, "forward_tokens", None) or unwrap(model).forward_tokens
        pred = self.decoder(encoder(x, keep_idx), ids_restore)
        loss = mae_loss(pred, patchify(x, self.patch_size), mask, self.norm_pix_loss)
        return loss, {"mask_frac": mask.mean()}
