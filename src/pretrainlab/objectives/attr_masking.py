"""Attribute masking (Hu et al., ICLR 2020, arXiv 1905.12265, section 3.1.2): hide node attributes,
predict them from the GNN's node embeddings.

Per graph with n nodes, ``k = max(1, round(mask_rate * n))`` nodes are drawn without replacement; every
attribute column of a masked node is set to its mask token (``vocab_c``, the extra embedding row); a linear
head predicts the atom type (column 0) from the node embedding::

    L = -(1 / |M|) sum_{v in M} log softmax(W h_v)[x_v0]

With ``mask_edge`` the bonds touching a masked node get their mask token too and a second linear head
predicts the bond type (edge column 0) from ``h_u + h_v`` (the reference code's ``--mask_edge``); the two
cross-entropies are added. The choice of nodes is a pure function of (seed, step, graph index):
``numpy.random.default_rng([seed, step, index])``, so a graph's mask does not depend on its batch-mates.

Metrics: ``acc`` (atom type accuracy on masked nodes) and ``majority`` (the accuracy of the most frequent
masked atom type of the batch: a constant predictor chosen in hindsight, the floor ``acc`` must beat).

Example:
    >>> obj = AttrMasking(gin, mask_rate=0.15, seed=0)
    >>> loss, metrics = obj(gin, {**batch, "step": 3})
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def mask_nodes(sizes: list[int], index: list[int], seed: int, step: int, rate: float) -> np.ndarray:
    """Global indices of the masked nodes of a batch of graphs with ``sizes`` nodes (in batch order)."""
    out, start = [], 0
    for n, g in zip(sizes, index):
        k = max(1, int(round(rate * n)))
        out.append(start + np.random.default_rng([seed, step, g]).choice(n, k, replace=False))
        start += n
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)


class AttrMasking(nn.Module):
    """Mask 15% of the nodes' attributes and predict their atom type (module docstring)."""

    name = "attr_mask"

    def __init__(self, model: nn.Module, mask_rate: float = 0.15, mask_edge: bool = False, seed: int = 0):
        super().__init__()
        if not 0 < mask_rate < 1:
            raise ValueError(f"objective.mask_rate must be in (0, 1), got {mask_rate}")
        self.mask_rate, self.mask_edge, self.seed = mask_rate, mask_edge, seed
        self.node_vocab, self.edge_vocab = list(model.cfg.node_vocab), list(model.cfg.edge_vocab)
        self.head = nn.Linear(model.dim, self.node_vocab[0])
        self.edge_head = nn.Linear(model.dim, self.edge_vocab[0]) if mask_edge else None

    def trainable_parameters(self) -> list[nn.Parameter]:
        return list(self.parameters())

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        x, edge_index, edge_attr = batch["x"], batch["edge_index"], batch["edge_attr"]
        sizes = torch.bincount(batch["batch"], minlength=batch["num_graphs"]).tolist()
        masked = torch.from_numpy(mask_nodes(sizes, batch["index"].tolist(), self.seed, int(batch["step"]),
                                             self.mask_rate)).to(x.device)
        target = x[masked, 0]
        x = x.clone()
        x[masked] = torch.tensor(self.node_vocab, device=x.device)
        if self.mask_edge:
            hit = torch.zeros(len(batch["x"]), dtype=torch.bool, device=x.device)
            hit[masked] = True
            emask = hit[edge_index[0]] | hit[edge_index[1]]
            edge_target = edge_attr[emask, 0]
            edge_attr = edge_attr.clone()
            edge_attr[emask] = torch.tensor(self.edge_vocab, device=x.device)
        h = model(x, edge_index, edge_attr)
        logits = self.head(h[masked])
        loss = F.cross_entropy(logits.float(), target)
        if self.mask_edge and edge_target.numel():
            src, dst = edge_index[:, emask]
            loss = loss + F.cross_entropy(self.edge_head(h[src] + h[dst]).float(), edge_target)
        with torch.no_grad():
            acc = (logits.argmax(-1) == target).float().mean()
            majority = torch.bincount(target, minlength=self.node_vocab[0]).max() / max(1, target.numel())
        return loss, {"acc": acc, "majority": majority.float()}
