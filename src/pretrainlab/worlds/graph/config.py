"""``GraphWorldConfig`` (every knob of the graph world) and the ``GraphSet`` / ``GraphData`` containers.

A split is a list of graphs stored as concatenated arrays (the CSR layout of PyTorch Geometric's
``InMemoryDataset``, without the dependency). For G graphs with N nodes and E undirected edges in total::

    node_attr  (N, Cn) int64   categorical node columns (column 0: atom type; then charge, hydrogens)
    node_ptr   (G + 1,) int64  graph g owns nodes node_ptr[g]:node_ptr[g + 1]
    edges      (E, 2) int64    each undirected bond once, node indices local to its graph
    edge_attr  (E, Ce) int64   categorical edge columns (column 0: bond type)
    edge_ptr   (G + 1,) int64  graph g owns edges edge_ptr[g]:edge_ptr[g + 1]
    labels     (G, T) float32  binary task labels, NaN = missing (T = 0 for the unlabeled pool)
    scaffold   (G,) int64      scaffold id (the split key: no scaffold is in two of train/val/test)

``GraphData.splits`` of the molecule world: ``train``/``val``/``test`` (downstream tasks, scaffold split),
``pool``/``pool_val`` (unlabeled pretraining graphs) and ``sup``/``sup_val`` (graph-level supervised
pretraining graphs with their own tasks). ``tasks[split]`` names the label columns.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ...config import ConfigError

DOWNSTREAM_SPLITS = ("train", "val", "test")
PRETRAIN_SPLITS = ("pool", "pool_val", "sup", "sup_val")


@dataclass
class GraphWorldConfig:
    """Config of the graph world: the seeded molecule-like world or a user's JSONL file (``kind``)."""

    kind: Literal["molecules", "jsonl"] = "molecules"
    """molecules: the seeded generator (worlds/graph/molecules.py); jsonl: your graphs (reader.py)."""
    seed: int = 0
    """Master seed; every graph, label and split is a pure function of (seed, config)."""
    n_train: int = 400
    """Downstream train graphs (jsonl: ignored, the scaffold split decides)."""
    n_val: int = 100
    n_test: int = 200
    n_scaffolds: int = 24
    """Downstream scaffolds (ring systems); the scaffold split gives val and test their own."""
    n_val_scaffolds: int = 4
    n_test_scaffolds: int = 4
    n_tasks: int = 10
    """Downstream binary tasks, each a rule over functional-motif counts (some combine two motifs)."""
    label_noise: float = 0.05
    """Probability that a downstream or supervised-pretraining label is flipped."""
    missing_rate: float = 0.1
    """Probability that a label is missing (NaN; masked out of every loss and metric)."""
    n_pool: int = 2000
    """Unlabeled pretraining graphs (node-level self-supervision); ``pool_val`` holds ``n_pool_val`` more."""
    n_pool_val: int = 200
    n_sup: int = 1000
    """Labeled graphs for graph-level supervised pretraining (``sup``); ``sup_val`` holds ``n_sup_val``."""
    n_sup_val: int = 200
    n_pretrain_scaffolds: int = 60
    """Scaffolds of the pretraining graphs (none of them is a downstream scaffold)."""
    pretrain_motifs: bool = True
    """Pretraining graphs carry functional motifs like the downstream graphs (false: scaffolds and alkyl
    chains only, so pretraining never sees the substructures the downstream tasks depend on)."""
    sup_tasks: Literal["motifs", "scaffold", "mixed"] = "mixed"
    """Supervised-pretraining tasks: presence of half the motifs (aligned with some downstream tasks),
    ring-system properties (misaligned: they reward encoding the scaffold), or both."""
    sources: list[str] = field(default_factory=list)
    """Pretraining sources of different structure (worlds/graph/families.py: molecules, bare, chains,
    polycyclic, random): each becomes splits ``src_<name>`` (n_pool graphs) and ``src_<name>_val``
    (n_pool_val), and ``pool``/``pool_val`` become their concatenation. Empty: the one default pool."""
    min_nodes: int = 8
    max_nodes: int = 30
    path: str = ""
    """jsonl: a file of graphs, one JSON object a line (reader.py has the format)."""
    pretrain_path: str = ""
    """jsonl: optional file of pretraining graphs (labels optional: with labels they form ``sup``);
    default: the train split's graphs serve as the unlabeled pool and as ``sup``."""
    val_frac: float = 0.1
    """jsonl: share of graphs (whole scaffolds, largest groups to train) in val; ``test_frac`` in test."""
    test_frac: float = 0.1

    def validate(self) -> None:
        if self.kind == "jsonl" and not self.path:
            raise ConfigError("data.world.path: kind 'jsonl' needs the path of a JSONL file of graphs")
        if self.min_nodes < 4 or self.max_nodes < self.min_nodes + 4:
            raise ConfigError(f"data.world: need min_nodes >= 4 and max_nodes >= min_nodes + 4, got "
                              f"{self.min_nodes}, {self.max_nodes}")
        if self.n_val_scaffolds + self.n_test_scaffolds >= self.n_scaffolds:
            raise ConfigError(f"data.world.n_scaffolds={self.n_scaffolds} leaves no train scaffold after "
                              f"{self.n_val_scaffolds} val + {self.n_test_scaffolds} test scaffolds; raise it")
        for name in ("label_noise", "missing_rate"):
            if not 0 <= getattr(self, name) < 0.5:
                raise ConfigError(f"data.world.{name} must be in [0, 0.5), got {getattr(self, name)}")
        if not (0 < self.val_frac < 1 and 0 < self.test_frac < 1 and self.val_frac + self.test_frac < 1):
            raise ConfigError(f"data.world.val_frac + test_frac must be in (0, 1), got {self.val_frac} + "
                              f"{self.test_frac}")
        if min(self.n_train, self.n_val, self.n_test, self.n_pool, self.n_pool_val, self.n_sup, self.n_sup_val) < 1:
            raise ConfigError("data.world: every split needs at least one graph (n_train, n_val, n_test, n_pool, "
                              "n_pool_val, n_sup, n_sup_val)")
        from .families import FAMILIES

        for name in self.sources:
            if name not in FAMILIES:
                close = difflib.get_close_matches(str(name), FAMILIES, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise ConfigError(f"data.world.sources: unknown source family {name!r}{hint}; choose from "
                                  f"{list(FAMILIES)}")
        if len(set(self.sources)) != len(self.sources):
            raise ConfigError(f"data.world.sources lists a family twice: {self.sources}")
        if self.sources and self.kind != "molecules":
            raise ConfigError("data.world.sources: only the molecules world generates sources; drop it for kind "
                              f"'{self.kind}'")
        if self.n_tasks < 1:
            raise ConfigError(f"data.world.n_tasks must be >= 1, got {self.n_tasks}")


@dataclass
class GraphSet:
    """One split: graphs as concatenated arrays (layout in the module docstring)."""

    node_attr: np.ndarray
    node_ptr: np.ndarray
    edges: np.ndarray
    edge_attr: np.ndarray
    edge_ptr: np.ndarray
    labels: np.ndarray
    scaffold: np.ndarray

    def __len__(self) -> int:
        return len(self.node_ptr) - 1

    def graph(self, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(node_attr (n, Cn), edges (e, 2) local, edge_attr (e, Ce)) of graph ``g``."""
        a, b = self.node_ptr[g], self.node_ptr[g + 1]
        c, d = self.edge_ptr[g], self.edge_ptr[g + 1]
        return self.node_attr[a:b], self.edges[c:d], self.edge_attr[c:d]

    def subset(self, idx: np.ndarray) -> "GraphSet":
        return from_graphs([self.graph(int(g)) for g in idx], self.labels[idx], self.scaffold[idx],
                           self.node_attr.shape[1], self.edge_attr.shape[1])


def from_graphs(graphs: list, labels: np.ndarray, scaffold: np.ndarray, node_cols: int, edge_cols: int) -> GraphSet:
    """Concatenate ``[(node_attr, edges, edge_attr), ...]`` into one ``GraphSet``."""
    n = np.array([0] + [len(g[0]) for g in graphs], dtype=np.int64).cumsum()
    e = np.array([0] + [len(g[1]) for g in graphs], dtype=np.int64).cumsum()

    def cat(i: int, cols: int) -> np.ndarray:
        parts = [np.asarray(g[i], dtype=np.int64).reshape(-1, cols) for g in graphs]
        return np.concatenate(parts) if parts else np.zeros((0, cols), dtype=np.int64)

    return GraphSet(cat(0, node_cols), n, cat(1, 2), cat(2, edge_cols), e,
                    np.asarray(labels, dtype=np.float32).reshape(len(graphs), -1), np.asarray(scaffold, dtype=np.int64))


@dataclass
class GraphData:
    """A built graph world: its splits, vocabularies (categories per column) and task names per split."""

    splits: dict[str, GraphSet]
    node_vocab: list[int]
    """Categories of each node column (the model adds one mask token per column)."""
    edge_vocab: list[int]
    tasks: dict[str, list[str]] = field(default_factory=dict)
    """Label column names per split (``train``/``val``/``test`` share the downstream tasks)."""
    fingerprint: str = ""
    info: dict = field(default_factory=dict)
    """Facts about the data a run chose (not cached): e.g. ``feasibility`` (modalities/graph_sources.py)."""

    @property
    def n_tasks(self) -> int:
        return len(self.tasks.get("train", []))
