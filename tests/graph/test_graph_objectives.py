"""Graph objectives: masked BCE by hand, attribute-masking masks, context-prediction rings and anchors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pretrainlab.models.gin import GIN, GINConfig
from pretrainlab.objectives.attr_masking import AttrMasking, mask_nodes
from pretrainlab.objectives.context_pred import ContextPred, centre_distances, context_batch
from pretrainlab.objectives.graph_supervised import GraphSupervised, masked_bce


def path_batch(n: int = 6) -> dict:
    """One path graph 0-1-...-(n-1), single bonds, carbon atoms."""
    e = torch.tensor([[i, i + 1] for i in range(n - 1)], dtype=torch.long).reshape(-1, 2).T
    return {"x": torch.zeros(n, 3, dtype=torch.long), "edge_index": torch.cat([e, e.flip(0)], 1),
            "edge_attr": torch.zeros(2 * (n - 1), 2, dtype=torch.long), "batch": torch.zeros(n, dtype=torch.long),
            "num_graphs": 1, "index": torch.tensor([0]), "labels": torch.zeros(1, 0), "step": 0}


def test_masked_bce_by_hand():
    logits = torch.tensor([[0.0, 2.0], [1.0, -3.0]])
    labels = torch.tensor([[1.0, float("nan")], [0.0, float("nan")]])
    want = (math.log(2) + math.log(1 + math.e)) / 2  # BCE(0, 1) = log 2; BCE(1, 0) = log(1 + e)
    assert masked_bce(logits, labels).item() == pytest.approx(want, rel=1e-6)
    assert masked_bce(logits, torch.full_like(labels, float("nan"))).item() == 0.0


def test_attr_masks_are_per_graph_pure_and_sized():
    a = mask_nodes([10, 20], [7, 3], seed=0, step=5, rate=0.15)
    b = mask_nodes([20], [3], seed=0, step=5, rate=0.15)
    assert len(a) == 2 + 3 and (a[:2] < 10).all()
    assert (a[2:] - 10).tolist() == b.tolist()  # a graph's mask does not depend on its batch-mates
    assert not np.array_equal(mask_nodes([20], [3], 0, 6, 0.15), b)
    assert len(mask_nodes([4], [0], 0, 0, 0.15)) == 1  # at least one node


def test_attr_masking_hides_the_masked_nodes():
    torch.manual_seed(0)
    gin = GIN(GINConfig("test"))
    obj = AttrMasking(gin, mask_rate=0.5, mask_edge=True)
    seen = {}
    gin.register_forward_pre_hook(lambda m, args: seen.update(x=args[0].clone(), ea=args[2].clone()))
    batch = path_batch()
    batch["x"][:, 0] = torch.arange(6) % 3
    loss, metrics = obj(gin, batch)
    masked = torch.from_numpy(mask_nodes([6], [0], 0, 0, 0.5))
    assert (seen["x"][masked] == torch.tensor([9, 3, 4])).all()  # the mask token of every column
    assert (seen["ea"] == 4).any()  # bonds touching a masked node
    assert loss.item() > 0 and 0 <= metrics["acc"] <= 1
    assert metrics["majority"].item() == pytest.approx(max(np.bincount((masked % 3).numpy())) / 3)


def test_context_ring_and_anchors_on_a_path():
    batch = path_batch(8)
    dist = centre_distances(batch["edge_index"].numpy(), 8, np.array([0]))
    assert dist[0].tolist() == list(range(8))
    ctx, anchor, has = context_batch(batch, dist, r1=1, r2=4, k=2)
    assert len(ctx["x"]) == 4  # nodes 1..4
    assert anchor.tolist() == [True, True, False, False]  # in the K = 2 hop neighbourhood too
    assert ctx["edge_index"].shape == (2, 6) and ctx["edge_index"].max() < 4 and has.tolist() == [True]


def test_context_pred_loss_and_invalid_graphs():
    torch.manual_seed(0)
    gin = GIN(GINConfig("test"))
    obj = ContextPred(gin, csize=3)
    assert (obj.k, obj.r1, obj.r2) == (2, 1, 4) and len(obj.context_model.layers) == 3
    loss, metrics = obj(gin, path_batch(8))
    assert torch.isfinite(loss) and metrics["valid"].item() == 1.0
    apart = {**path_batch(2), "edge_index": torch.zeros(2, 0, dtype=torch.long),
             "edge_attr": torch.zeros(0, 2, dtype=torch.long)}  # two isolated atoms: the centre has no ring
    loss, metrics = obj(gin, apart)
    assert loss.item() == 0.0 and metrics["valid"].item() == 0.0


def test_graph_supervised_needs_tasks():
    gin = GIN(GINConfig("test"))
    with pytest.raises(ValueError, match="needs labelled graphs"):
        GraphSupervised(gin, num_tasks=0)
