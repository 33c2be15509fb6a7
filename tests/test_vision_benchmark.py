"""benchmarks/vision.py: one MAE step of the test-size ViT through the Trainer, in-process (seconds)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "vision.py"


def test_vision_benchmark_arm_trains_decoder_and_encoder():
    spec = importlib.util.spec_from_file_location("bench_vision", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    arm = mod.MAEArm("test", torch.device("cpu"), batch=2)
    enc, dec = arm.model.cls_token.clone(), arm.objective.decoder.mask_token.clone()
    assert arm.run(1) > 0 and arm.steps_done == 1
    assert not torch.equal(enc, arm.model.cls_token)  # the encoder is in the optimizer
    assert not torch.equal(dec, arm.objective.decoder.mask_token)  # and so is the objective-owned decoder
    assert set(mod.SHAPES) == {"test", "tiny"}


def test_probe_timings_run_every_protocol():
    spec = importlib.util.spec_from_file_location("bench_vision", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.probe_seconds(n_train=64, dim=8, classes=4)
    assert set(out) == {"linear", "knn", "ncm"} and all(v >= 0 for v in out.values())
    assert out["linear"] > 0  # L-BFGS over the wd grid takes measurable time; NCM may round to 0 ms
