"""Series encoder and the SSPT objectives: shapes, presets, reference values, a tiny overfit."""

from __future__ import annotations

import math

import pytest
import torch

from pretrainlab.config import ConfigError
from pretrainlab.models.series_transformer import SeriesTransformer, SeriesTransformerConfig
from pretrainlab.objectives.direction import Direction
from pretrainlab.objectives.ma_prediction import MAPrediction
from pretrainlab.objectives.series_identity import SeriesIdentity
from pretrainlab.objectives.weighted_sum import WeightedSum


def first(x):
    return x[:, 0]


def test_shapes_and_presets():
    m = SeriesTransformer(SeriesTransformerConfig(preset="tiny", window=12, in_features=5))
    assert m(torch.randn(3, 12, 5)).shape == (3, 32) and m.cfg.depth == 2
    with pytest.raises(ValueError, match="window of 10 days, the model was built for 12"):
        m(torch.randn(3, 10, 5))
    with pytest.raises(ConfigError, match="did you mean 'tiny'"):
        SeriesTransformer(SeriesTransformerConfig(preset="tiyn"))
    with pytest.raises(ConfigError, match="divide by model.heads"):
        SeriesTransformer(SeriesTransformerConfig(dim=18, heads=4))


def test_ma_prediction_reference():
    obj = MAPrediction(dim=2, n_horizons=2)
    obj.head.weight.data = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    obj.head.bias.data.zero_()
    x = torch.tensor([[[1.0, 1.0]], [[0.0, -1.0]]])  # first(x) = features (B, 2)
    y = torch.tensor([[0.0, 2.0], [1.0, -2.0]])
    loss, m = obj(first, {"x": x, "ma": y})
    # predictions [[1, 2], [0, -2]]: squared errors 1, 0, 1, 0 -> 0.5
    assert loss.item() == pytest.approx(0.5) and float(m["ma_mse"]) == pytest.approx(0.5)
    assert float(m["ma_r2"]) == pytest.approx(1 - 0.5 / y.var(unbiased=False).item())


def test_identity_and_direction_reference():
    idt = SeriesIdentity(dim=2, n_series=4, n_sectors=2, stock_weight=1.0, sector_weight=0.5)
    for head in (idt.stock_head, idt.sector_head):
        head.weight.data.zero_()
        head.bias.data.zero_()
    batch = {"x": torch.zeros(2, 1, 2), "stock": torch.tensor([0, 3]), "sector": torch.tensor([1, 0])}
    loss, m = idt(first, batch)
    assert loss.item() == pytest.approx(math.log(4) + 0.5 * math.log(2))
    assert set(m) == {"stock_ce", "stock_acc", "sector_ce", "sector_acc"}
    d = Direction(dim=1)
    d.head.weight.data.fill_(2.0)
    d.head.bias.data.zero_()
    loss, m = d(first, {"x": torch.tensor([[[1.0]], [[-1.0]]]), "up": torch.tensor([1, 1])})
    # logits 2, -2 with both labels up: (softplus(-2) + softplus(2)) / 2
    sp = lambda v: math.log1p(math.exp(v))  # noqa: E731
    assert loss.item() == pytest.approx((sp(-2) + sp(2)) / 2) and float(m["direction_acc"]) == 0.5


def test_weighted_sum_combines_and_prefixes():
    ma, idt = MAPrediction(2, 1), SeriesIdentity(2, 3, 1, sector_weight=0.0)
    batch = {"x": torch.randn(4, 1, 2), "ma": torch.randn(4, 1), "stock": torch.tensor([0, 1, 2, 0]),
             "sector": torch.zeros(4, dtype=torch.long)}
    loss, m = WeightedSum({"ma": (2.0, ma), "identity": (0.5, idt)})(first, batch)
    assert loss.item() == pytest.approx(2 * float(m["ma/loss"]) + 0.5 * float(m["identity/loss"]))
    assert "identity/stock_acc" in m and "identity/sector_acc" not in m
    with pytest.raises(ValueError, match="at least one"):
        WeightedSum({})


def test_tiny_overfit():
    """Encoder + direction head memorise 16 random windows."""
    torch.manual_seed(0)
    model = SeriesTransformer(SeriesTransformerConfig(preset="test", window=8, in_features=5))
    obj = Direction(model.dim)
    batch = {"x": torch.randn(16, 8, 5), "up": torch.randint(0, 2, (16,))}
    opt = torch.optim.Adam([*model.parameters(), *obj.parameters()], lr=1e-2)
    for _ in range(150):
        loss, m = obj(model, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(m["direction_acc"]) == 1.0 and loss.item() < 0.2
