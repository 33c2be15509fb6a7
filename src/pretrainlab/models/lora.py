"""LoRA (Hu et al. 2021, arXiv 2106.09685) on ``nn.Linear`` layers chosen by name, plus block freezing: the
parameter-efficient extended pretraining of ExPLoRA (Khanna et al. 2024, arXiv 2406.10973).

A target linear ``y = W x + b`` (W frozen) becomes

    y = W x + b + s * B (A x),     A in R^{r x d_in} ~ kaiming-uniform,  B in R^{d_out x r} = 0,  s = alpha / r

so the adapted model equals the base model at initialisation. ``merge`` folds ``W <- W + s B A`` (and
``unmerge`` takes it out again); ``merge_lora_state_dict`` does the same on a saved state dict, so a LoRA
checkpoint loads into a plain backbone. The layer keeps the names ``weight``/``bias`` (base checkpoints load
into it unchanged) and adds ``lora_A``, ``lora_B`` and the buffer ``lora_scale``.

``AdaptConfig`` (the ``adapt`` section of an image run) freezes the backbone except the listed blocks and
parameter-name patterns, then adds LoRA to the frozen targets. ExPLoRA: ``freeze: true``,
``unfreeze_blocks: [-1]``, ``unfreeze: [norm]``, ``lora_rank: r`` on ``attn.qkv``.

Example:
    >>> names = apply_adapt(vit, AdaptConfig(freeze=True, unfreeze_blocks=[-1], lora_rank=8))
    >>> count_parameters(vit)  # {"total": ..., "trainable": ...}
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


class LoRALinear(nn.Linear):
    """``nn.Linear`` + a rank-r update ``s * B A``; built from an existing layer (sharing its parameters)."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float):
        nn.Module.__init__(self)
        self.in_features, self.out_features = base.in_features, base.out_features
        self.weight, self.bias = base.weight, base.bias
        dev, dt = base.weight.device, base.weight.dtype
        self.lora_A = nn.Parameter(torch.empty(rank, self.in_features, device=dev, dtype=dt))
        self.lora_B = nn.Parameter(torch.zeros(self.out_features, rank, device=dev, dtype=dt))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.register_buffer("lora_scale", torch.tensor(alpha / rank))
        self.merged = False

    def delta(self) -> torch.Tensor:
        return self.lora_scale * (self.lora_B @ self.lora_A)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.linear(x, self.weight, self.bias)
        if self.merged:
            return out
        return out + self.lora_scale * F.linear(F.linear(x, self.lora_A), self.lora_B)

    @torch.no_grad()
    def merge(self) -> None:
        if not self.merged:
            self.weight.add_(self.delta().to(self.weight.dtype))
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        if self.merged:
            self.weight.sub_(self.delta().to(self.weight.dtype))
            self.merged = False


def apply_lora(model: nn.Module, targets: list[str], rank: int, alpha: float | None = None) -> list[str]:
    """Replace every ``nn.Linear`` whose qualified name matches a regex in ``targets`` (``re.search``)."""
    if rank < 1:
        raise ValueError(f"adapt.lora_rank must be >= 1, got {rank}")
    names = [n for n, m in model.named_modules()
             if type(m) is nn.Linear and any(re.search(t, n) for t in targets)]
    if not names:
        linears = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        raise ValueError(f"adapt.lora_targets {targets} match no nn.Linear; linear layers are e.g. {linears[:6]}")
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), rank, float(alpha or rank)))
    return names


def lora_layers(model: nn.Module) -> list[LoRALinear]:
    return [m for m in model.modules() if isinstance(m, LoRALinear)]


def merge_lora(model: nn.Module) -> None:
    for m in lora_layers(model):
        m.merge()


def unmerge_lora(model: nn.Module) -> None:
    for m in lora_layers(model):
        m.unmerge()


def merge_lora_state_dict(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``X.weight + X.lora_scale * X.lora_B @ X.lora_A`` for every LoRA layer; the LoRA keys dropped."""
    out = {k: v for k, v in sd.items() if not k.rpartition(".")[2].startswith("lora_")}
    for key in sd:
        if key.endswith(".lora_A"):
            prefix = key[: -len("lora_A")]
            w = sd[prefix + "weight"]
            delta = sd[prefix + "lora_scale"].float() * (sd[prefix + "lora_B"].float() @ sd[key].float())
            out[prefix + "weight"] = (w.float() + delta).to(w.dtype)
    return out


def load_weights(model: nn.Module, sd: dict[str, torch.Tensor]) -> None:
    """Load ``sd`` (LoRA merged first) into ``model``; only ``model``'s own LoRA keys may be missing."""
    missing, unexpected = model.load_state_dict(merge_lora_state_dict(sd), strict=False)
    missing = [k for k in missing if not k.rpartition(".")[2].startswith("lora_")]
    if missing or unexpected:
        raise RuntimeError(f"backbone weights do not match the model: missing {missing[:5]}, "
                           f"unexpected {unexpected[:5]}; check model.* against the source checkpoint")


def count_parameters(model: nn.Module) -> dict[str, int]:
    params = list(model.parameters())
    return {"total": sum(p.numel() for p in params), "trainable": sum(p.numel() for p in params if p.requires_grad)}


@dataclass
class AdaptConfig:
    """Which backbone parameters train, and LoRA on the frozen ones (default: everything trains, no LoRA)."""

    freeze: bool = False
    """Freeze the backbone except ``unfreeze_blocks`` and ``unfreeze`` patterns (LoRA factors always train)."""
    unfreeze_blocks: list[int] = field(default_factory=list)
    """Blocks (``blocks.<i>``; negative counts from the end) that train fully when ``freeze``."""
    unfreeze: list[str] = field(default_factory=list)
    """Regexes on parameter names that train when ``freeze`` (e.g. ``norm``: every LayerNorm)."""
    lora_rank: int = 0
    """0: no LoRA."""
    lora_alpha: float = 0.0
    """Scale s = alpha / rank (0: alpha = rank, s = 1)."""
    lora_targets: list[str] = field(default_factory=lambda: [r"attn\.qkv$"])
    """Regexes on module names; only layers in frozen blocks get LoRA."""

    def validate(self) -> None:
        if self.lora_rank < 0:
            raise ValueError(f"adapt.lora_rank must be >= 0, got {self.lora_rank}")
        if (self.unfreeze_blocks or self.unfreeze) and not self.freeze:
            raise ValueError("adapt.unfreeze_blocks / adapt.unfreeze need adapt.freeze: true")

    @property
    def active(self) -> bool:
        return self.freeze or self.lora_rank > 0


def apply_adapt(model: nn.Module, cfg: AdaptConfig) -> dict[str, int]:
    """Freeze / unfreeze, then LoRA on the frozen target linears; returns ``count_parameters``."""
    blocks = getattr(model, "blocks", None)
    n_blocks = len(blocks) if blocks is not None else 0
    for b in cfg.unfreeze_blocks:
        if not -n_blocks <= b < n_blocks:
            raise ValueError(f"adapt.unfreeze_blocks: {b} out of range for a backbone with {n_blocks} blocks")
    open_blocks = {f"blocks.{b % n_blocks}." for b in cfg.unfreeze_blocks}
    if cfg.freeze:
        for name, p in model.named_parameters():
            p.requires_grad_(any(name.startswith(o) for o in open_blocks)
                             or any(re.search(u, name) for u in cfg.unfreeze))
    if cfg.lora_rank:
        targets = [rf"(?:{t})" for t in cfg.lora_targets]
        frozen = [n for n, m in model.named_modules() if type(m) is nn.Linear and any(re.search(t, n) for t in targets)
                  and not any((n + ".").startswith(o) for o in open_blocks)]
        if not frozen:
            raise ValueError(f"adapt.lora_targets {cfg.lora_targets} match no nn.Linear outside the unfrozen blocks")
        apply_lora(model, [rf"^{re.escape(n)}$" for n in frozen], cfg.lora_rank, cfg.lora_alpha or None)
    return count_parameters(model)
