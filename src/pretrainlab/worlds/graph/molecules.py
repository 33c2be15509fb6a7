"""The seeded molecule-like graph world: scaffolds with attached functional motifs, motif-rule tasks, a
scaffold split, and pretraining pools with and without the motifs (Hu et al., ICLR 2020, arXiv 1905.12265).

Generation, all a pure function of ``(cfg.seed, cfg)``:

1. Scaffold libraries (``chemistry.make_scaffold``): ``n_scaffolds`` downstream ring systems and
   ``n_pretrain_scaffolds`` others for the pretraining graphs (no scaffold is shared).
2. Each scaffold s has its own motif propensities ``p[s, m] = clip(0.22 exp(0.8 z), 0.03, 0.7)``, z ~ N(0, 1):
   within a split, the scaffold and the labels are correlated, and the correlation changes on new scaffolds.
3. A graph = a scaffold (drawn with Zipf-like weights ``1 / sqrt(rank)``) + each motif m with probability
   ``p[s, m]`` (once, or twice with probability 0.3) + alkyl chains up to a size drawn in
   ``[min_nodes, max_nodes]``. ``pretrain_motifs: false`` leaves the motifs out of pretraining graphs.
4. Downstream tasks: ``n_tasks`` rules over the motif counts c (``has a``: c_a >= 1; ``a & b``; ``a | b``;
   ``a & !b``; ``2a``: c_a >= 2), drawn until each has a train prevalence in [0.08, 0.6].
   Supervised-pretraining tasks: presence of half of the motifs (aligned with the downstream rules that use
   them) and/or the ring-system properties ``SCAFFOLD_PROPERTIES`` (misaligned: ``sup_tasks``).
5. Every label is flipped with ``label_noise`` and hidden (NaN) with ``missing_rate``.
6. Scaffold split: ``n_test_scaffolds`` and ``n_val_scaffolds`` of the downstream scaffolds are held out;
   ``test``/``val`` graphs use only those, ``train`` only the rest (out-of-distribution evaluation).
7. ``sources`` (optional): pretraining sources of other structures (families.py), each its own splits;
   the pool becomes their union. Nothing above changes with them.
"""

from __future__ import annotations

import numpy as np

from .chemistry import C, EDGE_VOCAB, MOTIF_NAMES, MOTIFS, NODE_VOCAB, SCAFFOLD_PROPERTIES, SINGLE, attach, copy_mol, \
    make_scaffold
from .config import GraphData, GraphWorldConfig, from_graphs

OPS = ("has", "and", "or", "andnot", "two")
OP_P = (0.3, 0.2, 0.2, 0.2, 0.1)


def sample_graph(rng: np.random.Generator, scaffold, motif_p: np.ndarray, with_motifs: bool, min_nodes: int,
                 max_nodes: int) -> tuple[tuple, np.ndarray]:
    """One graph on ``scaffold`` (a ``(Mol, props)`` pair): ``((node_attr, edges, edge_attr), motif counts)``."""
    mol = copy_mol(scaffold[0])
    core = len(mol.atoms)
    counts = np.zeros(len(MOTIFS), dtype=np.int64)
    if with_motifs:
        for m in rng.permutation(len(MOTIFS)):
            if rng.random() >= motif_p[m]:
                continue
            atoms, charges, bonds = MOTIFS[MOTIF_NAMES[m]]
            for _ in range(1 + int(rng.random() < 0.3)):
                if len(mol.atoms) + len(atoms) + 1 > max_nodes:
                    break
                attach(mol, rng, atoms, charges, bonds, core)
                counts[m] += 1
    target = int(rng.integers(min_nodes, max_nodes + 1))
    while len(mol.atoms) < target:
        n = int(min(rng.integers(1, 4), max_nodes - len(mol.atoms)))
        attach(mol, rng, [C] * n, [0] * n, [(i, i + 1, SINGLE) for i in range(n - 1)], core, spacer=0.0)
    return mol.arrays(), counts


def rule_labels(rule: tuple[str, int, int], counts: np.ndarray) -> np.ndarray:
    """(G,) 0/1 labels of ``(op, a, b)`` on motif counts (G, M)."""
    op, a, b = rule
    ca, cb = counts[:, a] >= 1, counts[:, b] >= 1
    out = {"has": ca, "and": ca & cb, "or": ca | cb, "andnot": ca & ~cb, "two": counts[:, a] >= 2}[op]
    return out.astype(np.float32)


def rule_name(rule: tuple[str, int, int]) -> str:
    op, a, b = rule
    na, nb = MOTIF_NAMES[a], MOTIF_NAMES[b]
    return {"has": na, "and": f"{na}&{nb}", "or": f"{na}|{nb}", "andnot": f"{na}&!{nb}", "two": f"2x{na}"}[op]


def draw_rules(rng: np.random.Generator, counts: np.ndarray, n: int) -> list[tuple[str, int, int]]:
    """``n`` distinct rules whose prevalence on ``counts`` is in [0.08, 0.6] (relaxed if none qualify)."""
    rules: list = []
    for attempt in range(5000):
        op = str(rng.choice(OPS, p=OP_P))
        a, b = (int(x) for x in rng.choice(len(MOTIFS), 2, replace=False))
        rule = (op, a, b if op in ("and", "or", "andnot") else a)
        prev = rule_labels(rule, counts).mean()
        if rule not in rules and (0.08 <= prev <= 0.6 or attempt > 4000):
            rules.append(rule)
            if len(rules) == n:
                break
    return rules


def noisy(rng: np.random.Generator, y: np.ndarray, noise: float, missing: float) -> np.ndarray:
    y = np.where(rng.random(y.shape) < noise, 1.0 - y, y).astype(np.float32)
    return np.where(rng.random(y.shape) < missing, np.nan, y).astype(np.float32)


def _draw(rng, scaffolds, ids, motif_p, n, with_motifs, cfg):
    weights = 1.0 / np.sqrt(np.arange(1, len(ids) + 1))
    picks = rng.choice(ids, size=n, p=weights / weights.sum())
    out = [sample_graph(rng, scaffolds[s], motif_p[s], with_motifs, cfg.min_nodes, cfg.max_nodes) for s in picks]
    return [g for g, _ in out], np.stack([c for _, c in out]), picks


def generate(cfg: GraphWorldConfig) -> GraphData:
    """Build every split of the molecule world (module docstring)."""
    lib = np.random.default_rng([cfg.seed, 0])
    n_all = cfg.n_scaffolds + cfg.n_pretrain_scaffolds
    scaffolds = [make_scaffold(lib) for _ in range(n_all)]
    motif_p = np.clip(0.22 * np.exp(0.8 * lib.standard_normal((n_all, len(MOTIFS)))), 0.03, 0.7)
    order = lib.permutation(cfg.n_scaffolds)
    held = {"test": order[:cfg.n_test_scaffolds],
            "val": order[cfg.n_test_scaffolds:cfg.n_test_scaffolds + cfg.n_val_scaffolds],
            "train": order[cfg.n_test_scaffolds + cfg.n_val_scaffolds:]}
    pre_ids = np.arange(cfg.n_scaffolds, n_all)
    sup_motifs = np.sort(lib.choice(len(MOTIFS), len(MOTIFS) // 2, replace=False))
    sizes = {"train": cfg.n_train, "val": cfg.n_val, "test": cfg.n_test, "pool": cfg.n_pool,
             "pool_val": cfg.n_pool_val, "sup": cfg.n_sup, "sup_val": cfg.n_sup_val}
    raw = {}
    for k, (split, n) in enumerate(sizes.items()):
        if cfg.sources and split.startswith("pool"):
            continue  # the pool is the union of the sources (add_sources)
        rng = np.random.default_rng([cfg.seed, 1, k])
        ids = held.get(split, pre_ids)
        raw[split] = (*_draw(rng, scaffolds, ids, motif_p, n, split in held or cfg.pretrain_motifs, cfg), rng)
    rules = draw_rules(np.random.default_rng([cfg.seed, 2]), raw["train"][1], cfg.n_tasks)
    sup_names = ([f"has_{MOTIF_NAMES[m]}" for m in sup_motifs] if cfg.sup_tasks != "scaffold" else []) + \
                ([f"scaffold_{p}" for p in SCAFFOLD_PROPERTIES] if cfg.sup_tasks != "motifs" else [])
    splits = {}
    for split, (graphs, counts, picks, rng) in raw.items():
        if split in held:
            y = np.stack([rule_labels(r, counts) for r in rules], 1)
        elif split.startswith("sup"):
            cols = [(counts[:, m] >= 1).astype(np.float32) for m in sup_motifs] if cfg.sup_tasks != "scaffold" else []
            if cfg.sup_tasks != "motifs":
                cols += [np.array([scaffolds[s][1][p] for s in picks], dtype=np.float32) for p in SCAFFOLD_PROPERTIES]
            y = np.stack(cols, 1)
        else:
            y = np.zeros((len(graphs), 0), dtype=np.float32)
        splits[split] = from_graphs(graphs, noisy(rng, y, cfg.label_noise, cfg.missing_rate), picks,
                                    len(NODE_VOCAB), len(EDGE_VOCAB))
    names = [rule_name(r) for r in rules]
    tasks = {"train": names, "val": names, "test": names, "pool": [], "pool_val": [], "sup": sup_names,
             "sup_val": sup_names}
    if cfg.sources:
        add_sources(cfg, splits, tasks, (scaffolds, pre_ids, motif_p))
    return GraphData(splits, list(NODE_VOCAB), list(EDGE_VOCAB), tasks)


def add_sources(cfg: GraphWorldConfig, splits: dict, tasks: dict, pretrain_lib: tuple) -> None:
    """Splits ``src_<f>``/``src_<f>_val`` per source family; ``pool``/``pool_val`` become their union."""
    from .families import generate_family  # families builds on sample_graph (this module)

    for suffix, n, part in (("", cfg.n_pool, 1), ("_val", cfg.n_pool_val, 2)):
        graphs, scaffold = [], []
        for family in cfg.sources:
            g, s = generate_family(family, cfg.seed, n, part, cfg.min_nodes, cfg.max_nodes, pretrain_lib)
            splits[f"src_{family}{suffix}"] = from_graphs(g, np.zeros((n, 0)), s, len(NODE_VOCAB), len(EDGE_VOCAB))
            tasks[f"src_{family}{suffix}"] = []
            graphs += g
            scaffold.append(s)
        splits[f"pool{suffix}"] = from_graphs(graphs, np.zeros((len(graphs), 0)), np.concatenate(scaffold),
                                              len(NODE_VOCAB), len(EDGE_VOCAB))
