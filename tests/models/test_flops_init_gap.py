"""``grow/init_gap_to_target``: how far above the loss target a grown model starts (models/flops.py)."""

from __future__ import annotations

import pytest

from pretrainlab.models.flops import flops_metrics


def test_init_gap_is_step0_loss_minus_target():
    rows = [{"step": 0, "grow/init_val/loss": 3.0}, {"step": 10, "val/loss": 2.0}]
    out = flops_metrics(rows, inherited=100.0, per_token=1.0, tokens_per_step=10, tokens=100, target=2.5)
    assert out["grow/init_gap_to_target"] == pytest.approx(0.5)
    assert out["flops_to/val_loss_target"] == pytest.approx(150.0)  # half-way from step 0 to step 10
    below = flops_metrics(rows, 100.0, 1.0, 10, 100, target=3.5)  # inherits a model already at the target
    assert below["grow/init_gap_to_target"] == pytest.approx(-0.5) and below["flops_to/val_loss_target"] == 100.0


def test_no_gap_without_growth_or_target():
    rows = [{"step": 10, "val/loss": 2.0}]
    assert "grow/init_gap_to_target" not in flops_metrics(rows, 0.0, 1.0, 10, 100, target=2.5)
    grown = [{"step": 0, "grow/init_val/loss": 3.0}, *rows]
    assert "grow/init_gap_to_target" not in flops_metrics(grown, 0.0, 1.0, 10, 100, target=None)
