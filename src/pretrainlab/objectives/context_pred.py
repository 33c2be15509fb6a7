"""Context prediction (Hu et al., ICLR 2020, arXiv 1905.12265, section 3.1.1): does this neighbourhood
belong to this context?

For each graph one centre node c is drawn (a pure function of (seed, step, graph index)). With K the
backbone's number of layers (the reference code's ``num_layer``), ``r1 = K - 1`` and ``r2 = r1 + csize``:

* substructure embedding ``s = h_c``: the backbone's embedding of the centre, whose receptive field is the
  K-hop neighbourhood of c;
* context graph: the nodes at shortest-path distance ``r1 <= d <= r2`` from c (the ring) and the bonds
  among them, encoded by a separate context GIN of ``csize`` layers (owned by this objective); context
  anchors = ring nodes that are also in the K-hop neighbourhood (``d <= K``); context embedding ``q`` = the
  mean of the anchors' context-GIN embeddings;
* negative sampling: the context of another graph of the batch (cyclic shifts 1..``neg_samples``)::

      L = BCE(s_b . q_b, 1) + neg_samples * BCE(s_b . q_{b+j}, 0)      (means over graphs and shifts)

Simplification, documented: the reference code extracts the K-hop subgraph and runs the backbone on it;
here the backbone runs on the whole graph and ``h_c`` is taken there. A K-layer message-passing network's
output at c depends only on the K-hop neighbourhood, so the embedding is the same except for BatchNorm's
batch statistics (computed over whole graphs instead of subgraphs). Graphs whose ring has no anchor are
left out of the loss (the reference code drops them from the dataset). Metric ``acc``: share of positive
and negative pairs on the right side of 0 (chance 0.5).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path
from torch import nn

from pretrainlab.models.gin import GIN, GINConfig, pool_graphs


def centre_distances(edge_index: np.ndarray, n: int, centres: np.ndarray) -> np.ndarray:
    """(B, N) hop distances from each centre (inf outside its graph)."""
    adj = csr_matrix((np.ones(edge_index.shape[1]), (edge_index[0], edge_index[1])), shape=(n, n))
    return shortest_path(adj, unweighted=True, indices=centres)


def draw_centres(ptr: np.ndarray, index: list[int], seed: int, step: int) -> np.ndarray:
    """One centre node (global index) per graph; ``ptr`` (B + 1,) node offsets of the batch."""
    return np.array([ptr[b] + np.random.default_rng([seed, step, g, 1]).integers(ptr[b + 1] - ptr[b])
                     for b, g in enumerate(index)], dtype=np.int64)


def context_batch(batch: dict, dist: np.ndarray, r1: int, r2: int, k: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """The ring subgraphs as one batch, the anchor mask over its nodes and the graphs that have an anchor."""
    graph_of = batch["batch"].cpu().numpy()
    d = dist[graph_of, np.arange(len(graph_of))]                       # (N,) distance to own centre
    keep = (d >= r1) & (d <= r2)
    new = np.full(len(keep), -1, dtype=np.int64)
    new[keep] = np.arange(keep.sum())
    ei = batch["edge_index"].cpu().numpy()
    emask = keep[ei[0]] & keep[ei[1]]
    anchor = (d[keep] <= k)
    has = np.zeros(batch["num_graphs"], dtype=bool)
    has[graph_of[keep][anchor]] = True
    dev = batch["x"].device
    ctx = {"x": batch["x"][torch.from_numpy(keep).to(dev)], "edge_index": torch.from_numpy(new[ei[:, emask]]).to(dev),
           "edge_attr": batch["edge_attr"][torch.from_numpy(emask).to(dev)],
           "batch": torch.from_numpy(graph_of[keep]).to(dev), "num_graphs": batch["num_graphs"]}
    return ctx, anchor, has


class ContextPred(nn.Module):
    """K-hop neighbourhood vs context-ring embeddings with negative sampling (module docstring)."""

    name = "context_pred"

    def __init__(self, model: nn.Module, csize: int = 3, neg_samples: int = 1, seed: int = 0):
        super().__init__()
        if csize < 1 or neg_samples < 1:
            raise ValueError(f"objective.csize and objective.neg_samples must be >= 1, got {csize}, {neg_samples}")
        cfg = model.cfg
        self.k, self.r1, self.r2 = cfg.num_layers, cfg.num_layers - 1, cfg.num_layers - 1 + csize
        self.neg_samples, self.seed = neg_samples, seed
        self.context_model = GIN(GINConfig(preset=cfg.preset, num_layers=csize, dim=cfg.dim,
                                           node_vocab=list(cfg.node_vocab), edge_vocab=list(cfg.edge_vocab)))

    def trainable_parameters(self) -> list[nn.Parameter]:
        return list(self.parameters())

    def forward(self, model: nn.Module, batch: dict) -> tuple[torch.Tensor, dict]:
        sizes = torch.bincount(batch["batch"], minlength=batch["num_graphs"]).cpu().numpy()
        ptr = np.concatenate([[0], np.cumsum(sizes)])
        centres = draw_centres(ptr, batch["index"].tolist(), self.seed, int(batch["step"]))
        dist = centre_distances(batch["edge_index"].cpu().numpy(), int(ptr[-1]), centres)
        ctx, anchor, has = context_batch(batch, dist, self.r1, self.r2, self.k)
        h = model(batch["x"], batch["edge_index"], batch["edge_attr"])
        dev = h.device
        if not has.any():  # no graph of the batch has a context ring: nothing to predict
            return h.sum() * 0.0, {"acc": torch.tensor(0.5), "valid": torch.tensor(0.0)}
        sub = h[torch.from_numpy(centres).to(dev)]                                        # (B, D)
        ch = self.context_model(ctx["x"], ctx["edge_index"], ctx["edge_attr"])
        a = torch.from_numpy(anchor).to(dev)
        q = pool_graphs(ch[a], ctx["batch"][a], batch["num_graphs"], "mean")             # (B, D)
        valid = torch.from_numpy(np.flatnonzero(has)).to(dev)
        sub, q = sub[valid], q[valid]
        pos = (sub * q).sum(-1)
        loss = F.binary_cross_entropy_with_logits(pos.float(), torch.ones_like(pos.float()))
        right = [(pos > 0).float()]
        if len(valid) > 1:
            neg = torch.cat([(sub * q.roll(j, 0)).sum(-1) for j in range(1, self.neg_samples + 1)])
            neg_loss = F.binary_cross_entropy_with_logits(neg.float(), torch.zeros_like(neg.float()))
            loss = loss + self.neg_samples * neg_loss
            right.append((neg < 0).float())
        with torch.no_grad():
            acc = torch.cat(right).mean()
        return loss, {"acc": acc, "valid": torch.tensor(len(valid) / max(1, batch["num_graphs"]))}
