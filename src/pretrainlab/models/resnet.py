"""Small ResNet with basic blocks (He et al. 2016, arXiv 1512.03385), written in-project (no torchvision).

A block computes ``relu(x' + norm(conv3x3(relu(norm(conv3x3(x))))))`` where ``x'`` is ``x`` or a strided 1x1
conv + norm when the shape changes. Stem ``cifar`` (3x3 conv, stride 1, no max-pool: the solo-learn/lightly
choice for 32-px images) or ``imagenet`` (7x7 stride-2 conv + 3x3 max-pool). Stages double the stride after the
first; the feature is the global average pool of the last stage. Norm: BatchNorm, or GroupNorm (batch-size
independent, no running statistics: safer with tiny batches and momentum-encoder copies).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import torch
from torch import nn

# name -> (widths per stage, blocks per stage)
PRESETS: dict[str, tuple[list[int], list[int]]] = {
    "test": ([8, 16, 32, 64], [1, 1, 1, 1]),         # ~77k parameters
    "resnet10": ([32, 64, 128, 256], [1, 1, 1, 1]),  # ~1.2M: small CPU experiments
    "resnet18": ([64, 128, 256, 512], [2, 2, 2, 2]),  # ~11.2M: ResNet-18
}


@dataclass
class ResNetConfig:
    """ResNet architecture. ``preset`` fills widths/blocks; explicit fields override it."""

    preset: str = "test"
    """test | resnet10 | resnet18."""
    widths: list[int] | None = None
    """Channels per stage."""
    blocks: list[int] | None = None
    """Basic blocks per stage (same length as widths)."""
    in_chans: int = 3
    num_classes: int = 0
    """0 = no head: forward returns the pooled feature."""
    stem: str = "cifar"
    """cifar (3x3, stride 1) | imagenet (7x7 stride 2 + max-pool)."""
    norm: str = "batch"
    """batch | group."""
    groups: int = 8
    """GroupNorm groups (capped at the channel count)."""
    zero_init_residual: bool = False
    """Zero the last norm's scale in each block so every block starts as the identity."""

    def validate(self) -> None:
        if self.preset not in PRESETS:
            close = difflib.get_close_matches(self.preset, list(PRESETS), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"model.preset: unknown ResNet preset '{self.preset}'{hint}; choose one of {list(PRESETS)}")
        for key, value, allowed in (("stem", self.stem, ("cifar", "imagenet")), ("norm", self.norm, ("batch", "group"))):
            if value not in allowed:
                raise ValueError(f"model.{key}: '{value}' is not one of {list(allowed)}")
        c = self.resolved()
        if len(c.widths) != len(c.blocks):
            raise ValueError(f"model.widths ({len(c.widths)} stages) and model.blocks ({len(c.blocks)}) differ in length")

    def resolved(self) -> "ResNetConfig":
        widths, blocks = PRESETS[self.preset]
        return replace(self, widths=list(self.widths or widths), blocks=list(self.blocks or blocks))


def make_norm(kind: str, channels: int, groups: int) -> nn.Module:
    return nn.BatchNorm2d(channels) if kind == "batch" else nn.GroupNorm(min(groups, channels), channels)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, norm: str, groups: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.norm1 = make_norm(norm, cout, groups)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.norm2 = make_norm(norm, cout, groups)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), make_norm(norm, cout, groups))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.relu(self.norm1(self.conv1(x)))
        return self.relu(self.norm2(self.conv2(y)) + self.shortcut(x))


class ResNet(nn.Module):
    """images (B, C, H, W) -> logits (B, num_classes), or the pooled feature (B, widths[-1])."""

    def __init__(self, cfg: ResNetConfig):
        super().__init__()
        cfg.validate()
        cfg = cfg.resolved()
        self.cfg, self.num_classes = cfg, cfg.num_classes
        w0 = cfg.widths[0]
        if cfg.stem == "cifar":
            stem = [nn.Conv2d(cfg.in_chans, w0, 3, 1, 1, bias=False), make_norm(cfg.norm, w0, cfg.groups),
                    nn.ReLU(True)]
        else:
            stem = [nn.Conv2d(cfg.in_chans, w0, 7, 2, 3, bias=False), make_norm(cfg.norm, w0, cfg.groups),
                    nn.ReLU(True), nn.MaxPool2d(3, 2, 1)]
        self.stem = nn.Sequential(*stem)
        layers, cin = [], w0
        for i, (width, n) in enumerate(zip(cfg.widths, cfg.blocks)):
            for j in range(n):
                layers.append(BasicBlock(cin, width, 2 if (i > 0 and j == 0) else 1, cfg.norm, cfg.groups))
                cin = width
        self.layers = nn.Sequential(*layers)
        self.head = nn.Linear(cin, cfg.num_classes) if cfg.num_classes > 0 else nn.Identity()
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        if self.cfg.zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    nn.init.zeros_(m.norm2.weight)

    @property
    def feature_dim(self) -> int:
        return self.cfg.widths[-1]

    def check_input(self, x: torch.Tensor) -> None:
        if x.dim() != 4 or x.shape[1] != self.cfg.in_chans or not x.is_floating_point():
            raise ValueError(f"ResNet expects float images (B, {self.cfg.in_chans}, H, W), got {x.dtype} "
                             f"{tuple(x.shape)}; normalize them (data.image_augment) or set model.in_chans")

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        return self.layers(self.stem(x)).mean(dim=(2, 3))  # (B, D)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.forward_features(x))

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
