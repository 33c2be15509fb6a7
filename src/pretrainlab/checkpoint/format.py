"""Atomic, self-describing checkpoints.

A checkpoint is a directory ``checkpoints/step_000200/`` holding::

    model.safetensors      weights (safetensors; tied weights stored once)
    model_config.json      resolved model config (family + fields)
    tokenizer.json         the run's tokenizer
    trainer_state.json     step, tokens, NaN-guard counters, timing
    optimizer.pt           optimizer state keyed by parameter name (loads with weights_only=True)
    rng.pt                 RNG states (weights_only loadable)
    manifest.json          every file's size and SHA-256, written last: a truncated file is detected
    preprocessing.json     image runs: input size, interpolation, mean/std, bands (eval/features.py)

It is written to ``step_000200.tmp`` and renamed into place, so a crash never leaves a half-written
checkpoint that looks complete. Only the newest ``keep_last`` are kept.

Weights and optimizer state are *full* (gathered) state dicts keyed by parameter name, taken with
``torch.distributed.checkpoint.state_dict``: the same files come out of a plain, DDP or FSDP2 model,
and load into any of them, so a run saved with N ranks resumes with M. Under torch.distributed every
rank calls ``save_checkpoint`` (gathering is collective) and rank 0 writes.

Moved here from ``train/checkpoint.py`` (which re-exports it for one release), so that models, objectives,
eval and export read checkpoints without importing the training layer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch.distributed.checkpoint.state_dict import (StateDictOptions, get_model_state_dict,
                                                     get_optimizer_state_dict, set_model_state_dict,
                                                     set_optimizer_state_dict)

from pretrainlab.checkpoint.state import TrainState, rng_state

STEP_DIR = re.compile(r"^step_(\d+)$")
MANIFEST = "manifest.json"
log = logging.getLogger(__name__)


FULL = StateDictOptions(full_state_dict=True, cpu_offload=True)


def _dedup_shared(sd: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Drop later names of tensors sharing storage (tied embeddings); safetensors stores each once."""
    seen, out = set(), {}
    for name, t in sd.items():
        key = (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape))
        if key not in seen:
            seen.add(key)
            out[name] = t.contiguous()
    return out


def save_checkpoint(root: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer | None,
                    state: TrainState, tokenizer_path: Path | None, keep_last: int = 2,
                    is_main: bool = True, extra_files: dict[str, str | Path] | None = None) -> Path:
    """``extra_files``: name -> text written into the checkpoint too (e.g. image runs' preprocessing.json),
    or a ``Path`` copied into it when it exists (e.g. text runs' tokenizer.json)."""
    final = root / f"step_{state.step:06d}"
    model_sd = get_model_state_dict(_unwrap(model), options=FULL)
    optim_sd = get_optimizer_state_dict(_unwrap(model), optimizer, options=FULL) if optimizer else None
    if not is_main:
        return final
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"step_{state.step:06d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_file(_dedup_shared(model_sd), str(tmp / "model.safetensors"), metadata={"format": "pt"})
    cfg = _inner(model).cfg
    family = getattr(_inner(model), "family", "decoder")
    (tmp / "model_config.json").write_text(json.dumps({"family": family, **asdict(cfg)}, indent=1))
    for name, content in (extra_files or {}).items():
        if isinstance(content, Path):  # a file to copy (a text run's tokenizer.json), when it exists
            if content.exists():
                shutil.copy(content, tmp / name)
        else:
            (tmp / name).write_text(content)
    if tokenizer_path is not None and Path(tokenizer_path).exists():
        shutil.copy(tokenizer_path, tmp / "tokenizer.json")
    (tmp / "trainer_state.json").write_text(json.dumps(state.to_json(), indent=1))
    if optim_sd is not None:
        torch.save(optim_sd, tmp / "optimizer.pt")
    torch.save(rng_state(), tmp / "rng.pt")
    write_manifest(tmp)
    if final.exists():
        shutil.rmtree(final)
    os.replace(tmp, final)
    _prune(root, keep_last)
    return final


def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """Strip torch.compile's wrapper (DDP/FSDP stay: the state-dict API handles them)."""
    return getattr(model, "_orig_mod", model)


def _inner(model: torch.nn.Module) -> torch.nn.Module:
    """The bare model under compile/DDP wrappers (FSDP2 shards in place, so it is the model itself)."""
    model = _unwrap(model)
    return getattr(model, "module", model)


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


class CheckpointError(ValueError):
    """A checkpoint is damaged (truncated or missing files); the message names it and an intact one."""


def write_manifest(ckpt: Path) -> None:
    """``manifest.json``: every file of the checkpoint with its size and SHA-256 (written last)."""
    files = {}
    for f in sorted(ckpt.iterdir()):
        if f.is_file() and f.name != MANIFEST:
            digest = hashlib.sha256()
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 22), b""):
                    digest.update(block)
            files[f.name] = {"bytes": f.stat().st_size, "sha256": digest.hexdigest()}
    (ckpt / MANIFEST).write_text(json.dumps({"files": files}, indent=1))


def damage(ckpt: Path, hashes: bool = False) -> str | None:
    """What is wrong with checkpoint ``ckpt`` per its manifest (None: intact, or written before manifests).
    Sizes are always compared; ``hashes`` also re-reads every file."""
    manifest = ckpt / MANIFEST
    if not manifest.exists():
        return None if (ckpt / "model.safetensors").exists() else "model.safetensors missing"
    try:
        files = json.loads(manifest.read_text())["files"]
    except (ValueError, KeyError):
        return f"{MANIFEST} unreadable"
    for name, want in files.items():
        f = ckpt / name
        if not f.exists():
            return f"{name} missing"
        if f.stat().st_size != want["bytes"]:
            return f"{name} has {f.stat().st_size} of {want['bytes']} bytes"
        if hashes and hashlib.sha256(f.read_bytes()).hexdigest() != want["sha256"]:
            return f"{name} content changed (SHA-256 differs)"
    return None


def newest_intact(ckpts: list[Path]) -> Path | None:
    """The newest checkpoint of ``ckpts`` (oldest first) that is intact; each damaged newer one is warned about."""
    for ckpt in reversed(ckpts):
        problem = damage(ckpt)
        if problem is None:
            return ckpt
        log.warning("checkpoint %s is damaged (%s); trying the previous one", ckpt, problem)
    return None


def resolve_checkpoint(path: str | Path) -> Path:
    """A checkpoint dir, or the newest intact checkpoint of a run dir (a damaged newer one is skipped with a
    warning). A damaged checkpoint named directly raises ``CheckpointError`` naming an intact one."""
    path = Path(path)
    if (path / "model.safetensors").exists() or (path / MANIFEST).exists():
        problem = damage(path)
        if problem is not None:
            others = [c for c in list_checkpoints(path.parent) if c != path]
            alt = newest_intact(others) if others else None
            hint = f"; the newest intact one is {alt}" if alt else "; no intact checkpoint is left beside it"
            raise CheckpointError(f"checkpoint {path} is damaged ({problem}){hint}")
        return path
    ckpts = list_checkpoints(path / "checkpoints")
    if not ckpts:
        raise FileNotFoundError(f"{path}: no checkpoint found (expected {path}/checkpoints/step_*/model.safetensors)")
    found = newest_intact(ckpts)
    if found is None:
        raise CheckpointError(f"{path}: every checkpoint is damaged ({', '.join(c.name for c in ckpts)}); "
                              "the run has to start again (a new --out)")
    return found


def read_model_config(ckpt: Path) -> dict:
    return json.loads((ckpt / "model_config.json").read_text())


def read_weights(ckpt: Path) -> dict[str, torch.Tensor]:
    """``model.safetensors`` of a checkpoint; an unreadable file (truncated or overwritten in a checkpoint
    without a manifest) raises ``CheckpointError`` naming it and an intact checkpoint beside it."""
    from safetensors import SafetensorError

    path = Path(ckpt) / "model.safetensors"
    try:
        return load_file(str(path))
    except SafetensorError as e:
        others = [c for c in list_checkpoints(Path(ckpt).parent) if c != Path(ckpt)]
        alt = newest_intact(others) if others else None
        hint = f"; the newest intact one is {alt} (use it, or remove {ckpt})" if alt else \
            "; no other checkpoint is left beside it"
        raise CheckpointError(f"checkpoint {ckpt} is damaged ({path.name} cannot be read: {e}){hint}") from None


def load_weights(model: torch.nn.Module, ckpt: Path) -> None:
    """Load full weights into a plain, DDP or FSDP2 model (tied names are restored from their twin)."""
    sd = read_weights(ckpt)
    # names only: a full state dict with cpu_offload is empty on ranks other than 0 (torch gathers to rank 0)
    expected = get_model_state_dict(_unwrap(model), options=StateDictOptions())
    if "lm_head.weight" in expected and "lm_head.weight" not in sd and "embed_tokens.weight" in sd:
        sd["lm_head.weight"] = sd["embed_tokens.weight"]
    missing, unexpected = sorted(set(expected) - set(sd)), sorted(set(sd) - set(expected))
    if missing or unexpected:
        raise ValueError(f"{ckpt}: checkpoint does not match the model (missing {missing}, unexpected {unexpected})")
    set_model_state_dict(_unwrap(model), sd, options=StateDictOptions(full_state_dict=True))


def load_optimizer(optimizer: torch.optim.Optimizer, ckpt: Path, model: torch.nn.Module) -> None:
    osd = torch.load(ckpt / "optimizer.pt", weights_only=True, map_location="cpu")
    set_optimizer_state_dict(_unwrap(model), optimizer, osd, options=StateDictOptions(full_state_dict=True))


def load_state(ckpt: Path) -> tuple[TrainState, dict]:
    state = TrainState.from_json(json.loads((ckpt / "trainer_state.json").read_text()))
    rng = torch.load(ckpt / "rng.pt", weights_only=True)
    return state, rng
