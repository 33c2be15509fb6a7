"""Low-rank parameterizations of the decoder's linear layers (METHODS-2 #31, "Scalable Parameter and
Memory Efficient Pretraining for LLM", Glentis et al. 2025, arXiv 2505.22922).

Every ``nn.Linear`` inside the decoder blocks (attention q/k/v/o and the SwiGLU gate/up/down
projections; never the embeddings or the head) becomes a ``LowRankLinear`` with factors
``lora_B`` (out x r) and ``lora_A`` (r x in) and scale s = alpha / r:

* ``lowrank`` (pure low-rank from scratch): W = s B A. Both factors start Kaiming-uniform, as in the
  paper's code (``LoRaFaLinear``). Only r (in + out) parameters per layer train.
* ``relora`` (ReLoRA, Lialin et al. 2023): W = W0 + s B A with W0 frozen (the decoder's usual init),
  A Kaiming-uniform, B = 0. Every ``restart_every`` steps B A is merged into W0 (W0 += s B A), A and B
  are re-initialized and their Adam moments reset, so the sum of the updates is high-rank.
* weight refactorization (the paper's proposal, ``lowrank`` with ``restart_every > 0``): every T steps
  take the SVD B A = U S V^T and reset B = U sqrt(S), A = sqrt(S) V^T (balanced factors; W unchanged),
  with a momentum reset (``reset_moments``) and a short LR re-warmup (``rewarm_steps``: the paper pairs it
  with cosine-with-restarts / "quick recovery").

The restarts run from ``train/callbacks/lowrank_restarts.py``. Random re-inits are pure functions of
(seed, step, layer name), so a resumed run repeats them bit for bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.config import ConfigError
from pretrainlab.seeding import derive_seed


@dataclass
class LowRankConfig:
    mode: Literal["none", "lowrank", "relora"] = "none"
    """none: full-rank weights (default); lowrank: W = s B A; relora: W = W0 + s B A with W0 frozen."""
    rank: int = 32
    alpha: float = 32.0
    """Scale s = alpha / rank (the paper's code: lora_alpha)."""
    restart_every: int = 0
    """relora: merge B A into W0 and restart every N steps; lowrank: refactorize B A (SVD) every N steps.
    0: never."""
    reset_moments: Literal["factors", "all", "none"] = "factors"
    """At each restart, drop the Adam state of the factors, of every parameter, or of none."""
    rewarm_steps: int = 0
    """After each restart the LR ramps linearly from 1/rewarm_steps of the schedule back to it."""

    def validate(self) -> None:
        if self.mode != "none" and self.rank < 1:
            raise ConfigError(f"train.lowrank.rank must be >= 1, got {self.rank}")
        if self.restart_every < 0 or self.rewarm_steps < 0:
            raise ConfigError("train.lowrank.restart_every and train.lowrank.rewarm_steps must be >= 0")
        if self.mode == "none" and self.restart_every:
            raise ConfigError("train.lowrank.restart_every needs train.lowrank.mode: lowrank or relora")


def _kaiming(shape: tuple[int, int], generator: torch.Generator) -> torch.Tensor:
    """nn.Linear's default init (Kaiming-uniform, a = sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    t = torch.empty(shape)
    nn.init.kaiming_uniform_(t, a=math.sqrt(5), generator=generator)
    return t


def _generator(*parts: object) -> torch.Generator:
    return torch.Generator().manual_seed(derive_seed(*parts) % (2**63))


class LowRankLinear(nn.Module):
    """y = x (s B A)^T (``lowrank``) or y = x (W0 + s B A)^T (``relora``); no bias."""

    def __init__(self, in_features: int, out_features: int, rank: int, alpha: float, mode: str,
                 generator: torch.Generator, weight: torch.Tensor | None = None):
        super().__init__()
        self.in_features, self.out_features, self.mode = in_features, out_features, mode
        self.rank = min(rank, in_features, out_features)
        self.scale = alpha / rank
        self.register_buffer("lora_scale", torch.tensor(self.scale))  # in checkpoints, for merge_lowrank_weights
        self.lora_A = nn.Parameter(_kaiming((self.rank, in_features), generator))
        if mode == "relora":
            self.weight = nn.Parameter(weight.detach().clone(), requires_grad=False)
            self.lora_B = nn.Parameter(torch.zeros(out_features, self.rank))
        else:
            self.lora_B = nn.Parameter(_kaiming((out_features, self.rank), generator))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scale
        return y + F.linear(x, self.weight) if self.mode == "relora" else y

    def effective_weight(self) -> torch.Tensor:
        w = self.scale * (self.lora_B @ self.lora_A)
        return w + self.weight if self.mode == "relora" else w

    @torch.no_grad()
    def merge_and_reinit(self, generator: torch.Generator) -> None:
        """ReLoRA restart: W0 += s B A; A re-drawn (Kaiming-uniform), B = 0 (the function is unchanged)."""
        self.weight.add_(self.scale * (self.lora_B.float() @ self.lora_A.float()).to(self.weight.dtype))
        self.lora_A.copy_(_kaiming(tuple(self.lora_A.shape), generator))
        self.lora_B.zero_()

    @torch.no_grad()
    def refactorize(self) -> None:
        """B A = U S V^T  ->  B = U sqrt(S), A = sqrt(S) V^T (balanced factors; B A is unchanged)."""
        U, S, Vh = torch.linalg.svd(self.lora_B.float() @ self.lora_A.float(), full_matrices=False)
        root = S[: self.rank].sqrt()
        self.lora_B.copy_(U[:, : self.rank] * root)
        self.lora_A.copy_(root[:, None] * Vh[: self.rank])

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, rank={self.rank}, mode={self.mode}, scale={self.scale:g}"


def target_linears(model: nn.Module) -> list[tuple[str, nn.Linear]]:
    """The linear layers a low-rank method replaces: those inside ``layers.*`` (not embeddings, not head)."""
    return [(n, m) for n, m in model.named_modules() if n.startswith("layers.") and isinstance(m, nn.Linear)]


def apply_lowrank(model: nn.Module, cfg: LowRankConfig, seed: int) -> nn.Module:
    """Replace the decoder's block linears by ``LowRankLinear`` (in place); ``mode: none`` returns ``model``."""
    if cfg.mode == "none":
        return model
    for name, lin in target_linears(model):
        if lin.bias is not None:
            raise ValueError(f"{name}: low-rank layers have no bias; the decoder's linears are bias-free")
        new = LowRankLinear(lin.in_features, lin.out_features, cfg.rank, cfg.alpha, cfg.mode,
                            _generator(seed, "lowrank-init", name), weight=lin.weight)
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child, new.to(lin.weight.device))
    return model


def merge_lowrank_weights(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A checkpoint's weights with every low-rank layer folded into a plain ``<layer>.weight``
    (W = [W0 +] s B A), so a low-rank run exports like a full-rank one; other weights pass through."""
    out = {k: v for k, v in weights.items() if not k.endswith((".lora_A", ".lora_B", ".lora_scale"))}
    for key in weights:
        if key.endswith(".lora_A"):
            prefix = key[: -len("lora_A")]
            delta = weights[prefix + "lora_scale"].float() * (weights[prefix + "lora_B"].float() @ weights[key].float())
            base = out.get(prefix + "weight")
            out[prefix + "weight"] = (delta if base is None else base.float() + delta).to(weights[key].dtype)
    return out


def lowrank_modules(model: nn.Module) -> list[tuple[str, LowRankLinear]]:
    """(name, module) of every low-rank layer, names without DDP/compile wrapper prefixes."""
    out = []
    for name, m in model.named_modules():
        if isinstance(m, LowRankLinear):
            while name.startswith(("_orig_mod.", "module.")):
                name = name.split(".", 1)[1]
            out.append((name, m))
    return out


def restart(model: nn.Module, optimizer: torch.optim.Optimizer, cfg: LowRankConfig, seed: int, step: int) -> int:
    """One restart at ``step``: merge (relora) or refactorize (lowrank), then reset moments; returns #layers."""
    layers = lowrank_modules(model)
    for name, m in layers:
        if hasattr(m.lora_A, "full_tensor"):
            raise ValueError("train.lowrank restarts need whole matrices; use train.distributed=ddp, not fsdp")
        if m.mode == "relora":
            m.merge_and_reinit(_generator(seed, "relora-restart", step, name))
        else:
            m.refactorize()
    if cfg.reset_moments == "all":
        reset_moments(optimizer, list(optimizer.state))
    elif cfg.reset_moments == "factors":
        reset_moments(optimizer, [p for _, m in layers for p in (m.lora_A, m.lora_B)])
    return len(layers)


@torch.no_grad()
def reset_moments(optimizer: torch.optim.Optimizer, params: list[torch.Tensor]) -> None:
    """Zero the Adam state of ``params`` in place (moments and step count): for AdamW the next step is
    exactly that of a fresh optimizer, and the state keeps its keys, so a checkpoint taken right after
    a reset loads like any other."""
    for p in params:
        for key, value in optimizer.state.get(p, {}).items():
            if isinstance(value, torch.Tensor) and key != "projector":
                value.zero_()


def rewarm_factor(step: int, every: int, rewarm_steps: int) -> float:
    """LR multiplier at ``step``: a linear ramp over ``rewarm_steps`` after each restart (none before the first)."""
    if every <= 0 or rewarm_steps <= 0 or step < every:
        return 1.0
    since = step - (step // every) * every
    return min(1.0, (since + 1) / rewarm_steps)
