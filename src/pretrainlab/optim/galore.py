"""GaLore: memory-efficient training by gradient low-rank projection (Zhao et al. 2024, arXiv 2403.03507),
one of the methods benchmarked in METHODS-2 #31. Written in-project; ``galore-torch`` (optional extra
``memeff``: ``pip install 'pretrainlab[memeff]'``) is only used to test this file against.

For a 2-D weight W (m x n) with gradient G, every ``update_proj_gap`` steps (at steps 0, T, 2T, ...) the
projector P is refreshed from the SVD G = U S V^T of the current gradient ("std" projection: the
smaller side):

    m >= n:  P = V[:, :r]^T (r x n),  R = G P^T (m x r),   back: N P
    m <  n:  P = U[:, :r]   (m x r),  R = P^T G (r x n),   back: P N

Adam runs on R (moments of R's shape, so its state is r/min(m, n) of AdamW's plus P), and the
normalized update N = m_hat / (sqrt(v_hat) + eps) goes back to full rank, scaled by ``scale`` (alpha):

    W <- W - lr * scale * back(N);   then decoupled weight decay  W <- W - lr * wd * W

This follows ``galore_torch.GaLoreAdamW`` 1.0 step for step (bias-corrected step size, moments kept
across projector refreshes, weight decay applied after the update), so the two give the same updates.
Other parameters (embeddings, norms) take plain Adam steps in the same optimizer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from pretrainlab.config import ConfigError


@dataclass
class GaLoreConfig:
    rank: int = 32
    update_proj_gap: int = 200
    """Steps between projector refreshes (SVD of the current gradient)."""
    scale: float = 0.25
    """alpha: multiplies the projected-back update (the GaLore paper uses 0.25 with a higher LR)."""
    proj_type: Literal["std", "left", "right"] = "std"
    """std: project the smaller side; left/right: always U (m x r) / always V^T (r x n)."""

    def validate(self) -> None:
        if self.rank < 1 or self.update_proj_gap < 1:
            raise ConfigError(f"train.galore: rank and update_proj_gap must be >= 1, got "
                              f"rank={self.rank}, update_proj_gap={self.update_proj_gap}")


def _side(shape: torch.Size, proj_type: str) -> str:
    if proj_type == "std":
        return "right" if shape[0] >= shape[1] else "left"
    return proj_type


def orthogonal_basis(grad: torch.Tensor, rank: int, side: str) -> torch.Tensor:
    """Top-``rank`` right (V^T rows, r x n) or left (U columns, m x r) singular vectors of ``grad``."""
    U, _, Vh = torch.linalg.svd(grad.float(), full_matrices=False)
    basis = Vh[:rank] if side == "right" else U[:, :rank]
    return basis.to(grad.dtype)


class GaLoreAdamW(torch.optim.Optimizer):
    """AdamW with GaLore projection for param groups that carry ``rank`` (and ``update_proj_gap``, ``scale``,
    ``proj_type``). State per projected parameter: ``step``, ``exp_avg``/``exp_avg_sq`` (low-rank shape) and
    ``projector`` (the basis P), all tensors, so checkpoints load with ``weights_only=True``."""

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            projected = "rank" in group
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad, state = p.grad, self.state[p]
                if "step" not in state:
                    state["step"] = torch.zeros((), dtype=torch.float32)
                step = int(state["step"].item())
                if projected:
                    side = _side(grad.shape, group.get("proj_type", "std"))
                    if "projector" not in state or step % group["update_proj_gap"] == 0:
                        state["projector"] = orthogonal_basis(grad, group["rank"], side)
                    P = state["projector"]
                    grad = grad @ P.T if side == "right" else P.T @ grad
                if "exp_avg" not in state:
                    state["exp_avg"] = torch.zeros_like(grad)
                    state["exp_avg_sq"] = torch.zeros_like(grad)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                step += 1
                state["step"].fill_(step)
                exp_avg.mul_(beta1).add_(grad, alpha=1.0 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
                step_size = group["lr"] * math.sqrt(1.0 - beta2**step) / (1.0 - beta1**step)
                update = exp_avg / exp_avg_sq.sqrt().add_(group["eps"])
                if projected:
                    P = state["projector"]
                    update = (update @ P if side == "right" else P @ update) * group["scale"]
                p.add_(update, alpha=-step_size)
                if group["weight_decay"] > 0.0:
                    p.add_(p, alpha=-group["lr"] * group["weight_decay"])
        return loss


def galore_targets(model: nn.Module) -> list[nn.Parameter]:
    """The 2-D weights of the linears inside the decoder blocks (attention and MLP), as in the GaLore
    paper (``attn``/``mlp`` modules); embeddings and the head stay full-rank."""
    out = []
    for name, m in model.named_modules():
        inner = name.split("_orig_mod.")[-1].removeprefix("module.")
        if inner.startswith("layers.") and isinstance(m, nn.Linear) and m.weight.requires_grad:
            out.append(m.weight)
    return out


def build_galore_adamw(model: nn.Module, cfg: GaLoreConfig, lr: float, weight_decay: float,
                       betas: tuple[float, float], eps: float = 1e-8) -> GaLoreAdamW:
    """Param groups: projected block weights (decay), other >= 2-D params (decay), 1-D params (no decay)."""
    targets = galore_targets(model)
    if not targets:
        raise ValueError("train.optimizer=galore: the model has no block linear layers to project")
    if any(hasattr(p, "full_tensor") for p in targets):
        raise ValueError("train.optimizer=galore needs whole weight matrices; use train.distributed=ddp, not fsdp")
    ids, seen = {id(p) for p in targets}, set()
    decay, no_decay = [], []
    for p in model.parameters():
        if not p.requires_grad or id(p) in seen or id(p) in ids:
            continue
        seen.add(id(p))
        (decay if p.dim() >= 2 else no_decay).append(p)
    groups = [{"params": targets, "weight_decay": weight_decay, "rank": cfg.rank,
               "update_proj_gap": cfg.update_proj_gap, "scale": cfg.scale, "proj_type": cfg.proj_type},
              {"params": decay, "weight_decay": weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return GaLoreAdamW([g for g in groups if g["params"]], lr=lr, betas=betas, eps=eps)
