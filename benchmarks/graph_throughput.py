"""Graph pretraining throughput: graphs/s of attribute-masking steps for the GIN (models/gin.py: sparse
message passing with ``index_add_`` over a batched ``edge_index``) against a dense-adjacency baseline that
computes the same GINE layers on padded per-graph tensors, in the same process.

Workload per step (both arms, same weights, same batch of molecule-world pool graphs): mask 15% of the
nodes (all attribute columns -> mask token), forward, cross-entropy of a linear atom-type head on the masked
nodes, backward, Adam step. Dense arm: nodes padded to ``n_max`` per graph, adjacency ``A`` (B, n, n) and
edge embeddings ``E`` (B, n, n, D) built per layer; ``m_v = sum_u A_vu ReLU(h_u + E_vu)``. Both give the
same node embeddings (checked, ``max_abs_diff``). torch-geometric's ``GINEConv`` is timed too when it is
installed (extra, not required). Arms alternate within each round (shared machines drift); medians.

    python benchmarks/graph_throughput.py [--presets test small] [--batch 64] [--rounds 5] [--steps 5] [--threads 2]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from pretrainlab.models.gin import GIN, GINConfig
from pretrainlab.objectives.attr_masking import mask_nodes
from pretrainlab.worlds.graph import GraphWorldConfig, build_graph_world, collate


def dense_forward(gin: GIN, x: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor,
                  batch: torch.Tensor, num_graphs: int) -> torch.Tensor:
    """The GIN's forward on padded dense tensors: (N, D) node embeddings in the sparse layout's order."""
    sizes = torch.bincount(batch, minlength=num_graphs)
    n_max = int(sizes.max())
    start = torch.cumsum(sizes, 0) - sizes
    slot = torch.arange(len(batch)) - start[batch]                       # position of each node in its graph
    src, dst = edge_index
    gb, ls, ld = batch[src], slot[src], slot[dst]
    adj = torch.zeros(num_graphs, n_max, n_max)
    adj[gb, ld, ls] = 1.0                                                # A[b, v, u]: an edge u -> v
    h = torch.zeros(num_graphs, n_max, gin.dim)
    h[batch, slot] = gin.node_emb(x)
    node_mask = torch.zeros(num_graphs, n_max, dtype=torch.bool)
    node_mask[batch, slot] = True
    for i, (layer, norm) in enumerate(zip(gin.layers, gin.norms)):
        e = torch.zeros(num_graphs, n_max, n_max, gin.dim)
        e[gb, ld, ls] = layer.edge_emb(edge_attr)
        msg = (adj.unsqueeze(-1) * torch.relu(h.unsqueeze(1) + e)).sum(2)  # (B, n, D): sum over sources u
        out = layer.mlp((1 + layer.eps) * h + msg)
        flat = norm(out[node_mask])                                      # BatchNorm over the real nodes only
        flat = torch.relu(flat) if i < len(gin.layers) - 1 else flat
        h = torch.zeros_like(h)
        h[node_mask] = gin.dropout(flat)
    return h[batch, slot]


def pyg_forward(convs: nn.ModuleList, gin: GIN, x, edge_index, edge_attr) -> torch.Tensor:
    h = gin.node_emb(x)
    for i, (conv, layer, norm) in enumerate(zip(convs, gin.layers, gin.norms)):
        h = norm(conv(h, edge_index, layer.edge_emb(edge_attr)))
        h = torch.relu(h) if i < len(gin.layers) - 1 else h
    return h


class Arm:
    """One implementation: a GIN (shared weights across arms), a head and Adam, stepped on fixed batches."""

    def __init__(self, kind: str, preset: str, world, batches: list[dict]):
        torch.manual_seed(0)
        self.kind, self.batches = kind, batches
        self.gin = GIN(GINConfig(preset, node_vocab=world.node_vocab, edge_vocab=world.edge_vocab))
        self.head = nn.Linear(self.gin.dim, world.node_vocab[0])
        self.convs = None
        if kind == "pyg":
            from torch_geometric.nn import GINEConv  # optional: pip install torch-geometric

            self.convs = nn.ModuleList(GINEConv(layer.mlp, train_eps=True) for layer in self.gin.layers)
        self.opt = torch.optim.Adam([*self.gin.parameters(), *self.head.parameters()], lr=1e-3)

    def embed(self, b: dict) -> torch.Tensor:
        if self.kind == "sparse":
            return self.gin(b["xm"], b["edge_index"], b["edge_attr"])
        if self.kind == "dense":
            return dense_forward(self.gin, b["xm"], b["edge_index"], b["edge_attr"], b["batch"], b["num_graphs"])
        return pyg_forward(self.convs, self.gin, b["xm"], b["edge_index"], b["edge_attr"])

    def step(self, b: dict) -> None:
        h = self.embed(b)
        loss = F.cross_entropy(self.head(h[b["masked"]]), b["target"])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def run(self, steps: int) -> float:
        t0 = time.perf_counter()
        for i in range(steps):
            self.step(self.batches[i % len(self.batches)])
        return time.perf_counter() - t0


def make_batches(world, batch: int, n: int) -> list[dict]:
    split, out = world.splits["pool"], []
    for i in range(n):
        b = collate(split, np.arange(i * batch, (i + 1) * batch) % len(split))
        sizes = torch.bincount(b["batch"], minlength=batch).tolist()
        masked = torch.from_numpy(mask_nodes(sizes, b["index"].tolist(), 0, i, 0.15))
        xm = b["x"].clone()
        xm[masked] = torch.tensor(world.node_vocab)
        out.append({**b, "xm": xm, "masked": masked, "target": b["x"][masked, 0]})
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presets", nargs="+", default=["test", "small"])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=5, help="steps per arm per round")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    world = build_graph_world(GraphWorldConfig(n_pool=2000))
    batches = make_batches(world, args.batch, 8)
    kinds = ["sparse", "dense"]
    try:
        import torch_geometric  # noqa: F401

        kinds.append("pyg")
    except ImportError:
        pass
    results = {}
    for preset in args.presets:
        arms = {k: Arm(k, preset, world, batches) for k in kinds}
        with torch.no_grad():  # same weights, same masked batch: the implementations agree
            ref = arms["sparse"].embed(batches[0])
            diffs = {k: float((a.embed(batches[0]) - ref).abs().max()) for k, a in arms.items() if k != "sparse"}
        for a in arms.values():
            a.run(1)  # warm-up
        times = {k: [] for k in arms}
        for r in range(args.rounds):
            for k in (kinds if r % 2 == 0 else kinds[::-1]):
                times[k].append(arms[k].run(args.steps) / args.steps)
        med = {k: statistics.median(v) for k, v in times.items()}
        results[preset] = {
            "params": arms["sparse"].gin.num_params(),
            **{f"{k}_graphs_per_s": round(args.batch / med[k], 1) for k in kinds},
            **{f"{k}_ms_per_step_all": [round(t * 1e3, 1) for t in times[k]] for k in kinds},
            **{f"speedup_vs_{k}": round(med[k] / med["sparse"], 2) for k in kinds if k != "sparse"},
            "max_abs_diff": diffs,
        }
    nodes = float(np.mean([len(b["x"]) for b in batches]))
    print(json.dumps({
        "benchmark": "graph_pretrain_attr_mask", "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.processor() or platform.machine(), "threads": args.threads, "torch": torch.__version__,
        "batch_graphs": args.batch, "nodes_per_batch": nodes, "rounds": args.rounds, "steps_per_round": args.steps,
        "arms": kinds, "results": results,
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }, indent=1))


if __name__ == "__main__":
    main()
