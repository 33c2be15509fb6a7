"""GIN with edge features: shapes, the layer formula against a dense hand computation, permutation
invariance of the pooled embedding, presets, and a tiny overfit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pretrainlab.models.gin import GIN, GINConfig, GINELayer, pool_graphs
from pretrainlab.objectives.graph_supervised import GraphSupervised
from pretrainlab.worlds.graph import GraphWorldConfig, build_graph_world, collate


def test_presets_and_overrides():
    assert (GINConfig("full").num_layers, GINConfig("full").dim) == (5, 300)  # Hu et al.
    assert (GINConfig("test").num_layers, GINConfig("test").dim) == (2, 32)
    assert GINConfig("small", dim=16).dim == 16
    with pytest.raises(ValueError, match="unknown GIN preset"):
        GINConfig("big")


def test_gine_layer_matches_dense_formula():
    torch.manual_seed(0)
    layer = GINELayer(4, [3])
    with torch.no_grad():
        layer.eps.fill_(0.5)
    h = torch.randn(3, 4)
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])  # path 0-1-2, both directions
    edge_attr = torch.tensor([[0], [0], [2], [2]])
    e = layer.edge_emb.tables[0].weight
    m0 = torch.relu(h[1] + e[0])
    m1 = torch.relu(h[0] + e[0]) + torch.relu(h[2] + e[2])
    m2 = torch.relu(h[1] + e[2])
    want = layer.mlp(1.5 * h + torch.stack([m0, m1, m2]))
    assert torch.allclose(layer(h, edge_index, edge_attr), want, atol=1e-6)


def test_pooling_mean_and_sum():
    h = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    batch = torch.tensor([0, 0, 1])
    assert pool_graphs(h, batch, 3, "mean").tolist() == [[2.0, 3.0], [5.0, 6.0], [0.0, 0.0]]
    assert pool_graphs(h, batch, 2, "sum").tolist() == [[4.0, 6.0], [5.0, 6.0]]


@pytest.fixture(scope="module")
def world():
    return build_graph_world(GraphWorldConfig(n_train=16, n_val=4, n_test=4, n_pool=4, n_pool_val=4, n_sup=4,
                                              n_sup_val=4, n_tasks=4, label_noise=0.0, missing_rate=0.0))


def test_shapes_and_node_permutation_invariance(world):
    torch.manual_seed(0)
    gin = GIN(GINConfig("test", node_vocab=world.node_vocab, edge_vocab=world.edge_vocab)).eval()
    b = collate(world.splits["train"], np.arange(3))
    assert gin.embed(b).shape == (len(b["x"]), 32) and gin.graph_embed(b).shape == (3, 32)
    perm = torch.randperm(len(b["x"]))
    inv = torch.empty_like(perm)
    inv[perm] = torch.arange(len(perm))
    shuffled = {**b, "x": b["x"][perm], "edge_index": inv[b["edge_index"]], "batch": b["batch"][perm]}
    assert torch.allclose(gin.graph_embed(b), gin.graph_embed(shuffled), atol=1e-5)


def test_tiny_overfit(world):
    torch.manual_seed(0)
    gin = GIN(GINConfig("test", node_vocab=world.node_vocab, edge_vocab=world.edge_vocab))
    obj = GraphSupervised(gin, num_tasks=world.n_tasks)
    opt = torch.optim.Adam([*gin.parameters(), *obj.parameters()], lr=1e-2)
    batch = collate(world.splits["train"], np.arange(16))
    first = None
    for _ in range(60):
        loss, _ = obj(gin, batch)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1 < first
