"""Pretraining sources of different generative structure (``data.world.sources``), for W2PGNN-style studies
of *which* pretraining data helps (Cao et al., KDD 2023; METHODS-2 #23).

Each family is a generator of molecule-like graphs with the world's node and edge columns, but its own
topology:

* ``molecules``: the world's own pretraining process -- ring-system scaffolds (never a downstream one) with
  functional motifs and alkyl chains (molecules.py); the closest to the downstream graphs.
* ``bare``: the same scaffolds and chains without any functional motif.
* ``chains``: acyclic molecules -- a branched carbon backbone (with N/O in it sometimes) carrying motifs and
  alkyl chains; no ring at all.
* ``polycyclic``: large ring systems (3-5 rings, mostly fused), no motifs, a few chains.
* ``random``: Erdos-Renyi-like graphs (a random tree plus about one random extra edge per node: mean degree
  about 4, many long cycles) with atom and bond types drawn independently: not molecules at all.

A family's graphs are a pure function of ``(seed, family name, split)``: listing other sources does not
change them. ``molecules.generate`` stores source ``f`` as splits ``src_<f>`` (``n_pool`` graphs) and
``src_<f>_val`` (``n_pool_val``), and the pool (``pool``/``pool_val``) becomes their concatenation in
listed order -- the candidate data a selection picks from.
"""

from __future__ import annotations

import zlib

import numpy as np

from .chemistry import AROMATIC, ATOMS, C, DOUBLE, MOTIFS, N, O, SINGLE, Mol, make_scaffold
from .molecules import sample_graph

FAMILIES = ("molecules", "bare", "chains", "polycyclic", "random")
LIBRARY = 60
"""Backbones / ring systems per family library (like ``n_pretrain_scaffolds``)."""
RANDOM_ATOMS = np.array([0.55, 0.15, 0.15, 0.05, 0.03, 0.03, 0.02, 0.01, 0.01])
"""Atom-type frequencies of the ``random`` family (C N O S F Cl Br P I)."""


def family_rng(seed: int, family: str, part: int) -> np.random.Generator:
    """A generator keyed by the family's name (a stable CRC, never Python's salted hash)."""
    return np.random.default_rng([seed, 3, zlib.crc32(family.encode()), part])


def _propensities(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.clip(0.22 * np.exp(0.8 * rng.standard_normal((n, len(MOTIFS)))), 0.03, 0.7)


def make_backbone(rng: np.random.Generator) -> tuple[Mol, dict]:
    """An acyclic backbone: a chain of 4-8 atoms (carbon, N or O sometimes) with 0-2 one-carbon branches."""
    mol = Mol()
    prev = None
    for _ in range(int(rng.integers(4, 9))):
        atom = C if prev is None or rng.random() > 0.15 else int(rng.choice([N, O]))
        cur = mol.add(atom)
        if prev is not None:
            mol.bond(prev, cur, SINGLE)
        prev = cur
    for _ in range(int(rng.integers(0, 3))):
        carbons = [i for i, a in enumerate(mol.atoms) if a == C]
        site = carbons[int(rng.integers(len(carbons)))]
        mol.bond(site, mol.add(C), SINGLE)
    return mol, {}


def random_graph(rng: np.random.Generator, min_nodes: int, max_nodes: int) -> tuple:
    """(node_attr, edges, edge_attr) of one ``random``-family graph (module docstring)."""
    n = int(rng.integers(min_nodes, max_nodes + 1))
    mol = Mol()
    for _ in range(n):
        mol.add(int(rng.choice(len(ATOMS), p=RANDOM_ATOMS)))
    pairs = {(int(rng.integers(i)), i) for i in range(1, n)}
    while len(pairs) < 2 * n - 1:
        i, j = sorted(int(v) for v in rng.choice(n, 2, replace=False))
        pairs.add((i, j))
    for i, j in sorted(pairs):
        mol.bond(i, j, int(rng.choice([SINGLE, DOUBLE, AROMATIC], p=[0.7, 0.2, 0.1])))
    return mol.arrays()


def generate_family(family: str, seed: int, n: int, part: int, min_nodes: int, max_nodes: int,
                    pretrain_lib: tuple | None = None) -> tuple[list, np.ndarray]:
    """(graphs, scaffold ids) of ``n`` graphs of ``family``; ``part`` 1 = train, 2 = val.

    ``pretrain_lib = (scaffolds, ids, motif_p)``: the world's pretraining scaffolds (molecules, bare).
    Scaffold ids are library indices (offset by 10_000 for family libraries), -1 for ``random``.
    """
    rng = family_rng(seed, family, part)
    if family == "random":
        return [random_graph(rng, min_nodes, max_nodes) for _ in range(n)], np.full(n, -1, dtype=np.int64)
    if family in ("molecules", "bare"):
        scaffolds, ids, motif_p = pretrain_lib
        weights = 1.0 / np.sqrt(np.arange(1, len(ids) + 1))
        picks = rng.choice(ids, size=n, p=weights / weights.sum())
        graphs = [sample_graph(rng, scaffolds[s], motif_p[s], family == "molecules", min_nodes, max_nodes)[0]
                  for s in picks]
        return graphs, picks.astype(np.int64)
    lib_rng = family_rng(seed, family, 0)
    if family == "chains":
        lib = [make_backbone(lib_rng) for _ in range(LIBRARY)]
    else:  # polycyclic
        lib = [make_scaffold(lib_rng, n_rings=int(lib_rng.integers(3, 6)), fuse_p=0.7) for _ in range(LIBRARY)]
    motif_p = _propensities(lib_rng, LIBRARY)
    weights = 1.0 / np.sqrt(np.arange(1, LIBRARY + 1))
    picks = rng.choice(LIBRARY, size=n, p=weights / weights.sum())
    graphs = [sample_graph(rng, lib[s], motif_p[s], family == "chains", min_nodes, max_nodes)[0] for s in picks]
    return graphs, picks.astype(np.int64) + 10_000


__all__ = ["FAMILIES", "family_rng", "generate_family", "make_backbone", "random_graph"]
