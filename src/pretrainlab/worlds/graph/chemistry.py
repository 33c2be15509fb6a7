"""The molecule-like building blocks of the graph world: atom and bond types, functional motifs, scaffolds.

Nothing here is real chemistry, but the statistics that make molecular pretraining work are kept: a few
atom types with typical valences, bond orders, ring systems (5/6-rings, aromatic or not, fused or joined by
short linkers, with ring heteroatoms) and small functional groups attached to them.

Node columns (``NODE_VOCAB``): atom type (C N O S F Cl Br P I), formal charge (0, +1, -1) and implicit
hydrogens (valence minus bond orders, clipped to 0..3). Edge columns (``EDGE_VOCAB``): bond type (single,
double, triple, aromatic) and in-ring flag. A molecule under construction is a ``Mol``: atom types,
charges and bonds ``(i, j, type, in_ring)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ATOMS = ["C", "N", "O", "S", "F", "Cl", "Br", "P", "I"]
C, N, O, S, F, CL, BR, P, I = range(len(ATOMS))
VALENCE = [4, 3, 2, 2, 1, 1, 1, 3, 1]
BONDS = ["single", "double", "triple", "aromatic"]
SINGLE, DOUBLE, TRIPLE, AROMATIC = range(4)
ORDER = [1.0, 2.0, 3.0, 1.5]
NODE_VOCAB = [len(ATOMS), 3, 4]
EDGE_VOCAB = [len(BONDS), 2]

# name -> (atoms, charges, bonds inside the motif); atom 0 attaches to the molecule by a single bond
MOTIFS: dict[str, tuple[list[int], list[int], list[tuple[int, int, int]]]] = {
    "hydroxyl": ([O], [0], []),
    "amine": ([N], [0], []),
    "carboxyl": ([C, O, O], [0, 0, 0], [(0, 1, DOUBLE), (0, 2, SINGLE)]),
    "nitro": ([N, O, O], [1, 0, 2], [(0, 1, DOUBLE), (0, 2, SINGLE)]),
    "nitrile": ([C, N], [0, 0], [(0, 1, TRIPLE)]),
    "fluoro": ([F], [0], []),
    "chloro": ([CL], [0], []),
    "thiol": ([S], [0], []),
    "sulfonyl": ([S, O, O, C], [0, 0, 0, 0], [(0, 1, DOUBLE), (0, 2, DOUBLE), (0, 3, SINGLE)]),
    "amide": ([C, O, N], [0, 0, 0], [(0, 1, DOUBLE), (0, 2, SINGLE)]),
    "ester": ([C, O, O, C], [0, 0, 0, 0], [(0, 1, DOUBLE), (0, 2, SINGLE), (2, 3, SINGLE)]),
    "phosphate": ([P, O, O, O], [0, 0, 0, 0], [(0, 1, DOUBLE), (0, 2, SINGLE), (0, 3, SINGLE)]),
    "bromo": ([BR], [0], []),
    "methoxy": ([O, C], [0, 0], [(0, 1, SINGLE)]),
}
MOTIF_NAMES = list(MOTIFS)
SCAFFOLD_PROPERTIES = ["two_rings", "five_ring", "aromatic", "ring_n", "ring_o_or_s", "fused", "linker", "large_core"]
"""Ring-system properties: the supervised-pretraining tasks that are misaligned with the downstream ones."""


@dataclass
class Mol:
    atoms: list[int] = field(default_factory=list)
    charges: list[int] = field(default_factory=list)
    bonds: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, atom: int, charge: int = 0) -> int:
        self.atoms.append(atom)
        self.charges.append(charge)
        return len(self.atoms) - 1

    def bond(self, i: int, j: int, kind: int, in_ring: int = 0) -> None:
        self.bonds.append((i, j, kind, in_ring))

    def degree(self) -> np.ndarray:
        deg = np.zeros(len(self.atoms), dtype=np.int64)
        for i, j, _, _ in self.bonds:
            deg[i] += 1
            deg[j] += 1
        return deg

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(node_attr (n, 3), edges (e, 2), edge_attr (e, 2)) with implicit hydrogens filled in."""
        used = np.zeros(len(self.atoms))
        for i, j, kind, _ in self.bonds:
            used[i] += ORDER[kind]
            used[j] += ORDER[kind]
        valence = np.array([VALENCE[a] for a in self.atoms], dtype=float)
        hydrogens = np.clip(np.floor(valence - used), 0, 3).astype(np.int64)
        nodes = np.stack([np.array(self.atoms), np.array(self.charges), hydrogens], 1).astype(np.int64)
        edges = np.array([(i, j) for i, j, _, _ in self.bonds], dtype=np.int64).reshape(-1, 2)
        eattr = np.array([(k, r) for _, _, k, r in self.bonds], dtype=np.int64).reshape(-1, 2)
        return nodes, edges, eattr


def _ring_atom(rng: np.random.Generator, aromatic: bool, hetero: np.ndarray) -> int:
    """A ring atom type: carbon or a heteroatom, with the scaffold's own heteroatom propensities."""
    if aromatic:
        return N if rng.random() < hetero[0] else C
    u = rng.random()
    return N if u < hetero[0] else O if u < hetero[0] + hetero[1] else S if u < hetero.sum() else C


def make_scaffold(rng: np.random.Generator, n_rings: int | None = None,
                  fuse_p: float = 0.35) -> tuple[Mol, dict[str, bool]]:
    """One ring system: 1-3 rings of 5 or 6 atoms, fused (sharing a bond) or joined by 0-2 linker carbons.

    ``n_rings`` fixes the ring count (default: 1, 2 or 3 with p 0.35/0.45/0.2); ``fuse_p`` is the chance
    that a further ring is fused. Returns the molecule and its ``SCAFFOLD_PROPERTIES``.
    """
    mol, rings = Mol(), []
    hetero = rng.dirichlet([1.0, 1.0, 1.0]) * rng.uniform(0.05, 0.35)  # P(N), P(O), P(S) per ring atom
    props = dict.fromkeys(SCAFFOLD_PROPERTIES, False)
    n_rings = int(rng.choice([1, 2, 3], p=[0.35, 0.45, 0.2])) if n_rings is None else n_rings
    for r in range(n_rings):
        size = int(rng.choice([5, 6], p=[0.4, 0.6]))
        aromatic = size == 6 and rng.random() < 0.6
        kind = AROMATIC if aromatic else SINGLE
        if r > 0 and rng.random() < fuse_p:  # fused: share a bond of a ring atom pair with free valence
            deg = mol.degree()
            shared = [(i, j) for i, j, _, inr in mol.bonds if inr and deg[i] == 2 and deg[j] == 2]
            if shared:
                a, b = shared[int(rng.integers(len(shared)))]
                ring = [a] + [mol.add(_ring_atom(rng, aromatic, hetero)) for _ in range(size - 2)] + [b]
                for u, v in zip(ring[:-1], ring[1:]):
                    mol.bond(u, v, kind, 1)
                rings.append(ring)
                props["fused"] = True
                props["five_ring"] |= size == 5
                props["aromatic"] |= aromatic
                continue
        ring = [mol.add(_ring_atom(rng, aromatic, hetero)) for _ in range(size)]
        for u, v in zip(ring, ring[1:] + ring[:1]):
            mol.bond(u, v, kind, 1)
        if not aromatic and rng.random() < 0.3:  # one double bond in a saturated ring
            i, j, _, _ = mol.bonds[-size]
            mol.bonds[-size] = (i, j, DOUBLE, 1)
        if r > 0:  # join to an earlier ring atom of degree 2 by 0-2 linker carbons
            deg = mol.degree()
            free = [a for rr in rings for a in rr if deg[a] == 2]
            prev = free[int(rng.integers(len(free)))] if free else rings[-1][0]
            for _ in range(int(rng.integers(0, 3))):
                link = mol.add(C)
                mol.bond(prev, link, SINGLE)
                prev = link
                props["linker"] = True
            mol.bond(prev, ring[0], SINGLE)
        rings.append(ring)
        props["five_ring"] |= size == 5
        props["aromatic"] |= aromatic
    ring_atoms = {mol.atoms[a] for rr in rings for a in rr}
    props.update(two_rings=len(rings) >= 2, ring_n=N in ring_atoms, ring_o_or_s=bool({O, S} & ring_atoms),
                 large_core=len(mol.atoms) >= 12)
    return mol, props


def copy_mol(mol: Mol) -> Mol:
    return Mol(list(mol.atoms), list(mol.charges), list(mol.bonds))


def attach(mol: Mol, rng: np.random.Generator, atoms: list[int], charges: list[int],
           bonds: list[tuple[int, int, int]], core: int, spacer: float = 0.3) -> None:
    """Attach a group (atom 0 is its anchor) to a core atom with free valence, via a CH2 spacer sometimes."""
    deg = mol.degree()
    free = [a for a in range(core) if deg[a] <= (2 if mol.atoms[a] == C else 1)]
    site = free[int(rng.integers(len(free)))] if free else int(rng.integers(core))
    if rng.random() < spacer:
        link = mol.add(C)
        mol.bond(site, link, SINGLE)
        site = link
    idx = [mol.add(a, c) for a, c in zip(atoms, charges)]
    mol.bond(site, idx[0], SINGLE)
    for i, j, kind in bonds:
        mol.bond(idx[i], idx[j], kind)
