"""GIN with edge features (GINE), the backbone of "Strategies for Pre-training Graph Neural Networks"
(Hu et al., ICLR 2020, arXiv 1905.12265; code: snap-stanford/pretrain-gnns), in plain torch.

Shapes: N nodes, E directed edges (each bond twice), B graphs, D = ``dim``, Cn / Ce attribute columns.

* Input embedding: ``h_v^0 = sum_c Emb_c[x_vc]`` over the categorical node columns; each table has one extra
  row, the mask token ``vocab_c`` (attribute masking).
* Layer l (``GINELayer``), with its own edge embeddings ``e_uv = sum_c EdgeEmb_c^l[a_uvc]``::

      m_v   = sum_{u in N(v)} ReLU(h_u + e_uv)               # index_add over the targets of edge_index
      h_v'  = MLP((1 + eps) h_v + m_v)                       # MLP: D -> 2D -> D, eps learnable (init 0)
      h_v^l = Dropout(ReLU(BatchNorm(h_v')))                 # no ReLU after the last layer (Hu et al.)

  Hu et al. add self-loops and sum ``h_u + e_uv`` without the ReLU; the ReLU and the ``(1 + eps) h_v``
  term are GINE's form (Hu et al.'s formulation as written in PyTorch Geometric's ``GINEConv``).
* Node embeddings ``h^L`` (N, D); graph embedding = mean (or sum) of a graph's node embeddings (B, D).

Presets (``GINConfig.preset``): ``test`` 2 layers x 32, ``small`` 3 x 64 (METHODS small repro), ``full``
5 x 300 (the paper). ``node_vocab``/``edge_vocab`` come from the graph world.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

PRESETS = {"test": (2, 32), "small": (3, 64), "full": (5, 300)}


@dataclass
class GINConfig:
    preset: str = "test"
    """test (2 layers x 32), small (3 x 64), full (5 x 300, Hu et al.); num_layers/dim override it."""
    num_layers: int = 0
    dim: int = 0
    node_vocab: list[int] = field(default_factory=lambda: [9, 3, 4])
    """Categories per node attribute column (the world's); a mask token is added to each."""
    edge_vocab: list[int] = field(default_factory=lambda: [4, 2])
    dropout: float = 0.0
    pool: Literal["mean", "sum"] = "mean"

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise ValueError(f"model.preset: unknown GIN preset '{self.preset}'; choose one of {list(PRESETS)}")
        layers, dim = PRESETS[self.preset]
        self.num_layers = self.num_layers or layers
        self.dim = self.dim or dim
        if self.num_layers < 1 or self.dim < 1:
            raise ValueError(f"model: num_layers and dim must be >= 1, got {self.num_layers}, {self.dim}")


class CategoricalEmbedding(nn.Module):
    """Sum of one embedding table per categorical column, each with a mask-token row at index ``vocab``."""

    def __init__(self, vocab: list[int], dim: int):
        super().__init__()
        self.tables = nn.ModuleList(nn.Embedding(v + 1, dim) for v in vocab)
        for t in self.tables:
            nn.init.xavier_uniform_(t.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (M, C) int64 -> (M, D)
        return sum(t(x[:, c]) for c, t in enumerate(self.tables))


class GINELayer(nn.Module):
    """``MLP((1 + eps) h_v + sum_u ReLU(h_u + e_uv))`` (module docstring)."""

    def __init__(self, dim: int, edge_vocab: list[int]):
        super().__init__()
        self.edge_emb = CategoricalEmbedding(edge_vocab, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.ReLU(), nn.Linear(2 * dim, dim))
        self.eps = nn.Parameter(torch.zeros(()))

    def forward(self, h: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor) -> torch.Tensor:
        src, dst = edge_index
        msg = torch.relu(h[src] + self.edge_emb(edge_attr))             # (E, D)
        agg = torch.zeros(h.shape, dtype=msg.dtype, device=h.device).index_add_(0, dst, msg)  # (N, D)
        return self.mlp((1 + self.eps) * h + agg)


def pool_graphs(h: torch.Tensor, batch: torch.Tensor, num_graphs: int, how: str = "mean") -> torch.Tensor:
    """(N, D) node embeddings -> (B, D) per-graph sum or mean (a graph without nodes gets zeros)."""
    out = torch.zeros(num_graphs, h.shape[1], dtype=h.dtype, device=h.device).index_add_(0, batch, h)
    if how == "sum":
        return out
    ones = torch.ones_like(batch, dtype=h.dtype)
    count = torch.zeros(num_graphs, dtype=h.dtype, device=h.device).index_add_(0, batch, ones)
    return out / count.clamp(min=1).unsqueeze(1)


class GIN(nn.Module):
    """GINE backbone: ``forward(x, edge_index, edge_attr) -> (N, D)`` node embeddings; ``graph_embed``."""

    def __init__(self, cfg: GINConfig):
        super().__init__()
        self.cfg = cfg
        self.node_emb = CategoricalEmbedding(cfg.node_vocab, cfg.dim)
        self.layers = nn.ModuleList(GINELayer(cfg.dim, cfg.edge_vocab) for _ in range(cfg.num_layers))
        self.norms = nn.ModuleList(nn.BatchNorm1d(cfg.dim) for _ in range(cfg.num_layers))
        self.dropout = nn.Dropout(cfg.dropout)

    @property
    def dim(self) -> int:
        return self.cfg.dim

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor) -> torch.Tensor:
        h = self.node_emb(x)
        for i, (layer, norm) in enumerate(zip(self.layers, self.norms)):
            h = norm(layer(h, edge_index, edge_attr))
            if i < len(self.layers) - 1:
                h = torch.relu(h)
            h = self.dropout(h)
        return h

    def embed(self, batch: dict) -> torch.Tensor:
        """(N, D) node embeddings of a collated batch (worlds/graph/batch.py)."""
        return self(batch["x"], batch["edge_index"], batch["edge_attr"])

    def graph_embed(self, batch: dict, h: torch.Tensor | None = None) -> torch.Tensor:
        """(B, D) pooled graph embeddings of a collated batch."""
        h = self.embed(batch) if h is None else h
        return pool_graphs(h, batch["batch"], batch["num_graphs"], self.cfg.pool)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
