"""TabUnit encoder shapes and invariances, a tiny overfit, and the table objectives' reference values."""

import math

import numpy as np
import pytest
import torch

from pretrainlab.data.table_batch import gather, sample_rows
from pretrainlab.models.tabunit import TabUnit, TabUnitConfig
from pretrainlab.objectives.masked_cell import MaskedCell, draw_mask, masked_cell_loss
from pretrainlab.objectives.row_contrastive import RowContrastive, draw_views
from pretrainlab.objectives.table_classify import TableClassify
from pretrainlab.objectives.unitabe import UniTabE
from pretrainlab.worlds.table import TableWorldConfig, build_table_world

WORLD = TableWorldConfig(n_pretrain_tables=4, pretrain_rows=32, n_downstream_tables=1, downstream_train_rows=32,
                         downstream_test_rows=16)


@pytest.fixture(scope="module")
def data():
    return build_table_world(WORLD)


def _model(vocab: int, **kw) -> TabUnit:
    torch.manual_seed(0)
    return TabUnit(TabUnitConfig.preset("test", vocab_size=vocab, **kw))


def test_shapes_and_column_order_invariance(data):
    m = _model(len(data.vocab)).eval()
    batch = gather(data.pretrain, np.arange(8))
    cls, cells = m(batch)
    C = batch["kinds"].shape[1]
    assert cls.shape == (8, 32) and cells.shape == (8, C, 32)
    perm = torch.randperm(C)
    shuffled = {k: (v[:, perm] if v.dim() >= 2 else v) for k, v in batch.items()}
    assert torch.allclose(m(shuffled)[0], cls, atol=1e-5)  # a row is a set of cells
    padded = {k: (torch.cat([v, torch.zeros_like(v[:, :1])], 1) if v.dim() >= 2 else v) for k, v in batch.items()}
    assert torch.allclose(m(padded)[0], cls, atol=1e-5)  # padding cells are invisible
    no_names = _model(len(data.vocab), name_fusion=False).eval()
    assert no_names(batch)[0].shape == (8, 32) and not torch.allclose(no_names(shuffled)[0], no_names(batch)[0])


def test_tiny_overfit_of_a_classification_head(data):
    m, head = _model(len(data.vocab)), TableClassify(32)
    batch = gather(data.downstream, data.downstream.rows(0, test=False)[:16])
    opt = torch.optim.AdamW([*m.parameters(), *head.parameters()], lr=3e-3)
    for _ in range(120):
        loss, metrics = head(m, batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert metrics["acc"] == 1.0 and loss.item() < 0.1


def test_masked_cell_loss_reference_values():
    logits = torch.tensor([[0.0, math.log(3.0)], [0.0, 0.0]])
    ce, mse = masked_cell_loss(logits, torch.tensor([1, 0]), torch.tensor([1.0, -1.0]), torch.tensor([0.0, 1.0]))
    # CE: -log(3/4) and -log(1/2); MSE: (1 + 4) / 2
    assert ce.item() == pytest.approx((-math.log(0.75) + math.log(2)) / 2, rel=1e-6)
    assert mse.item() == pytest.approx(2.5)
    empty_ce, empty_mse = masked_cell_loss(torch.zeros(0, 2), torch.zeros(0, dtype=torch.long), torch.zeros(0),
                                           torch.zeros(0))
    assert empty_ce.item() == 0.0 and empty_mse.item() == 0.0


def test_classification_loss_reference_value(data):
    head = TableClassify(32)
    torch.nn.init.zeros_(head.head.weight), torch.nn.init.zeros_(head.head.bias)
    loss, _ = head(_model(len(data.vocab)), {**gather(data.downstream, np.arange(4))})
    assert loss.item() == pytest.approx(math.log(2), rel=1e-6)  # p = 1/2 for every row


def test_masks_and_views_only_touch_present_cells():
    present = torch.tensor([[True, True, False, True], [False, True, False, False], [False] * 4])
    gen = torch.Generator().manual_seed(0)
    mask = draw_mask(present, 0.0, gen)  # ratio 0: exactly the one forced cell per non-empty row
    assert mask.sum(1).tolist() == [1, 1, 0] and not (mask & ~present).any()
    drops = draw_views(present, 0.0, torch.Generator().manual_seed(0))
    kept = ~drops & present
    assert kept.sum(-1).tolist() == [[1, 1, 0], [1, 1, 0]]


def test_pretraining_objectives_are_deterministic_and_train(data):
    m = _model(len(data.vocab))
    batch = {**gather(data.pretrain, sample_rows(0, 0, 16, np.arange(len(data.pretrain)))), "rng_seed": 7}
    for obj in (UniTabE(32, len(data.vocab)), UniTabE(32, len(data.vocab), contrastive_weight=0.0),
                MaskedCell(32, len(data.vocab)), RowContrastive(32)):
        a, ma = obj(m, batch)
        b, _ = obj(m, batch)
        assert torch.isfinite(a) and a.item() == b.item()  # masks come from rng_seed
        a.backward()
    full, metrics = UniTabE(32, len(data.vocab))(m, batch)
    assert {"masked_ce", "masked_mse", "masked_acc", "masked", "contrastive", "contrastive_acc"} <= set(metrics)
    with pytest.raises(ValueError, match="at least one > 0"):
        UniTabE(32, 10, masked_weight=0.0, contrastive_weight=0.0)
