"""Damaged checkpoints are detected by their manifest; loading falls back to the newest intact one (issue 18)."""

import json
import logging

import pytest
import torch

from pretrainlab.checkpoint import (CheckpointError, TrainState, damage, list_checkpoints, newest_intact,
                                    resolve_checkpoint, save_checkpoint)
from tests.conftest import tiny_decoder


def _run_with_two_checkpoints(tmp_path):
    model = tiny_decoder(seq_len=16)
    opt = torch.optim.AdamW(model.parameters())
    for step in (2, 4):
        save_checkpoint(tmp_path / "run" / "checkpoints", model, opt, TrainState(step=step), None, keep_last=5)
    return tmp_path / "run"


def test_manifest_records_every_file(tmp_path):
    run = _run_with_two_checkpoints(tmp_path)
    newest = list_checkpoints(run / "checkpoints")[-1]
    files = json.loads((newest / "manifest.json").read_text())["files"]
    assert {"model.safetensors", "model_config.json", "trainer_state.json", "optimizer.pt", "rng.pt"} <= set(files)
    assert damage(newest) is None and damage(newest, hashes=True) is None


def test_truncated_weights_fall_back_with_a_warning(tmp_path, caplog):
    run = _run_with_two_checkpoints(tmp_path)
    older, newest = list_checkpoints(run / "checkpoints")
    weights = newest / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    assert "model.safetensors has 100 of" in damage(newest)
    with caplog.at_level(logging.WARNING):
        assert resolve_checkpoint(run) == older
    assert "step_000004 is damaged" in caplog.text
    with pytest.raises(CheckpointError, match=r"step_000004 is damaged .*the newest intact one is .*step_000002"):
        resolve_checkpoint(newest)
    (older / "optimizer.pt").unlink()
    assert newest_intact(list_checkpoints(run / "checkpoints")) is None
    with pytest.raises(CheckpointError, match="every checkpoint is damaged"):
        resolve_checkpoint(run)


def test_changed_bytes_are_found_by_the_hash(tmp_path):
    run = _run_with_two_checkpoints(tmp_path)
    newest = list_checkpoints(run / "checkpoints")[-1]
    data = bytearray((newest / "rng.pt").read_bytes())
    data[-1] ^= 0xFF
    (newest / "rng.pt").write_bytes(bytes(data))
    assert damage(newest) is None  # same size: only the hash sees it
    assert "rng.pt content changed" in damage(newest, hashes=True)


def test_resume_skips_a_damaged_newest_checkpoint(tmp_path):
    from rich.console import Console

    from pretrainlab.run.resume import start_state

    run = _run_with_two_checkpoints(tmp_path)
    (list_checkpoints(run / "checkpoints")[-1] / "trainer_state.json").write_text("{")
    model = tiny_decoder(seq_len=16)
    state = start_state(run, True, model, torch.optim.AdamW(model.parameters()), Console(quiet=True))
    assert state.step == 2
