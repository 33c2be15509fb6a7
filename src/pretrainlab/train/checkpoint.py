"""Atomic, self-describing checkpoints.

A checkpoint is a directory ``checkpoints/step_000200/`` holding::

    model.safetensors      weights (safetensors; tied weights stored once)
    model_config.json      resolved model config (family + fields)
    tokenizer.json         the run's tokenizer
    trainer_state.json     step, tokens, NaN-guard counters, timing
    optimizer.pt           optimizer state_dict (tensors/numbers only: loads with weights_only=True)
    rng.pt                 RNG states (weights_only loadable)

It is written to ``step_000200.tmp`` and renamed into place, so a crash never leaves a half-written
checkpoint that looks complete. Only the newest ``keep_last`` are kept.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors.torch import load_model, save_model

from pretrainlab.train.state import TrainState, rng_state

STEP_DIR = re.compile(r"^step_(\d+)$")


def save_checkpoint(root: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None,
                    state: TrainState, tokenizer_path: Path | None, keep_last: int = 2) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step_{state.step:06d}"
    tmp = root / f"step_{state.step:06d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_model(_unwrap(model), str(tmp / "model.safetensors"))
    cfg = _unwrap(model).cfg
    (tmp / "model_config.json").write_text(json.dumps({"family": "decoder", **asdict(cfg)}, indent=1))
    if tokenizer_path is not None and Path(tokenizer_path).exists():
        shutil.copy(tokenizer_path, tmp / "tokenizer.json")
    (tmp / "trainer_state.json").write_text(json.dumps(state.to_json(), indent=1))
    if optimizer is not None:
        torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    torch.save(rng_state(), tmp / "rng.pt")
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    _prune(root, keep_last)
    return final


def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return getattr(model, "_orig_mod", model)


def _prune(root: Path, keep_last: int) -> None:
    ckpts = list_checkpoints(root)
    for old in ckpts[:-keep_last] if keep_last > 0 else []:
        shutil.rmtree(old, ignore_errors=True)


def list_checkpoints(root: Path) -> list[Path]:
    """Complete checkpoints under ``root``, oldest first (``.tmp`` leftovers are ignored)."""
    if not root.exists():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and STEP_DIR.match(p.name)]
    return sorted(found, key=lambda p: int(STEP_DIR.match(p.name).group(1)))


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint dir, or the newest checkpoint of a run dir."""
    path = Path(path)
    if (path / "model.safetensors").exists():
        return path
    ckpts = list_checkpoints(path / "checkpoints")
    if not ckpts:
        raise FileNotFoundError(f"{path}: no checkpoint found (expected {path}/checkpoints/step_*/model.safetensors)")
    return ckpts[-1]


def read_model_config(ckpt: Path) -> dict:
    return json.loads((ckpt / "model_config.json").read_text())


def load_weights(model: torch.nn.Module, ckpt: Path) -> None:
    missing, unexpected = load_model(_unwrap(model), str(ckpt / "model.safetensors"), strict=False)
    if missing or unexpected:
        raise ValueError(f"{ckpt}: checkpoint does not match the model (missing {missing}, unexpected {unexpected})")


def load_optimizer(optimizer: torch.optim.Optimizer, ckpt: Path) -> None:
    optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True, map_location="cpu"))


def load_state(ckpt: Path) -> tuple[TrainState, dict]:
    state = TrainState.from_json(json.loads((ckpt / "trainer_state.json").read_text()))
    rng = torch.load(ckpt / "rng.pt", weights_only=True)
    return state, rng
