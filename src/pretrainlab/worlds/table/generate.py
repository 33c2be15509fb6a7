"""The seeded table generator: many tables with varied schemas over one latent structure.

Every row of every table is a latent vector ``z ~ N(mu_t, I_k)`` (``k = latent_dim``; ``mu_t`` a small
per-table shift) observed through the columns its table happens to have. For concept ``c`` with unit
loading ``w_c`` (drawn once from the world seed, shared by all tables) and per-table noise ``sigma_t``,
``s = w_c . z + sigma_t * eps``:

* numeric: ``value = mean + scale * f(s)`` with ``f`` one of ``s``, ``2 tanh(s / 1.5)``,
  ``(s^2 - 1) / sqrt(2)``; ``exp`` concepts are log-normal, ``exp(mean + scale * s)``; integers rounded,
  clipped at ``low``;
* categorical: ``argmax_j (P_c z)_j * 1.5 + sigma_t * Gumbel`` over its categories (prototypes ``P_c``);
* binary: ``1[w_c . z + a_c z_i z_j + b_c + sigma_t * eps > 0]`` (one interaction per concept).

Pretraining tables (``n_pretrain_tables``) and downstream tables (``n_downstream_tables``) come from
separate seed streams: a downstream table's schema and rows never appear in pretraining. A downstream
table has a binary target concept (its ``y``; not among its cells) and a ``train`` pool of
``downstream_train_rows`` rows (fine-tuning sets are drawn from it) and ``downstream_test_rows`` test
rows. Cells go missing at a per-table rate drawn from ``[0, missing]`` (never the target).

The world is a pure function of its config: ``generate(cfg)`` returns the same tables on every run.
"""

from __future__ import annotations

import numpy as np

from pretrainlab.seeding import derive_seed
from pretrainlab.worlds.table.concepts import CONCEPTS, binary_concepts
from pretrainlab.worlds.table.table import Table


def _rng(*parts) -> np.random.Generator:
    return np.random.default_rng(derive_seed(*parts))


def concept_params(seed: int, latent_dim: int) -> list[dict]:
    """Latent parameters of every concept (loadings, prototypes, interactions), from the world seed."""
    rng, out = _rng(seed, "concepts", latent_dim), []
    for c in CONCEPTS:
        w = rng.normal(size=latent_dim)
        p = {"w": w / np.linalg.norm(w)}
        if c.kind == "categorical":
            p["protos"] = rng.normal(size=(len(c.categories), latent_dim))
        if c.kind == "binary":
            i, j = rng.choice(latent_dim, size=2, replace=False)
            p.update(pair=(int(i), int(j)), a=float(rng.uniform(0.5, 1.0) * rng.choice([-1, 1])),
                     b=float(rng.normal(0, 0.3)))
        out.append(p)
    return out


def observe(concept: int, z: np.ndarray, params: dict, noise: float, rng: np.random.Generator) -> np.ndarray:
    """The column of ``concept`` for latent rows ``z`` (n, k): floats, or category indices (int64)."""
    c, n = CONCEPTS[concept], len(z)
    s = z @ params["w"] + noise * rng.normal(size=n)
    if c.kind == "categorical":
        logits = 1.5 * z @ params["protos"].T + noise * rng.gumbel(size=(n, len(c.categories)))
        return logits.argmax(1)
    if c.kind == "binary":
        i, j = params["pair"]
        return (s + params["a"] * z[:, i] * z[:, j] + params["b"] > 0).astype(np.int64)
    f = {"linear": s, "tanh": 2 * np.tanh(s / 1.5), "square": (s ** 2 - 1) / np.sqrt(2), "exp": s}[c.shape]
    v = np.exp(c.mean + c.scale * f) if c.shape == "exp" else c.mean + c.scale * f
    if c.integer:
        v = np.rint(v)
    if c.low is not None:
        v = np.maximum(v, c.low)
    return v.astype(np.float64)


def make_table(cfg, params: list[dict], stream: str, index: int, n_rows: int, target: int | None) -> Table:
    """One table: its schema (concepts, synonyms, order), rows, missing cells and (downstream) target."""
    rng = _rng(cfg.seed, stream, index)
    pool = [i for i in range(len(CONCEPTS)) if i != target]
    n_cols = int(rng.integers(cfg.min_cols, cfg.max_cols + 1))
    concepts = [int(i) for i in rng.choice(pool, size=min(n_cols, len(pool)), replace=False)]
    names = [CONCEPTS[i].names[int(rng.integers(len(CONCEPTS[i].names)))] for i in concepts]
    noise = cfg.noise * float(rng.uniform(0.6, 1.4))
    z = rng.normal(size=(n_rows, cfg.latent_dim)) + rng.normal(0, 0.3, size=cfg.latent_dim)
    miss_rate = float(rng.uniform(0, cfg.missing))
    columns = []
    for c in concepts:
        v = observe(c, z, params[c], noise, rng)
        missing = rng.random(n_rows) < miss_rate
        if CONCEPTS[c].kind == "numeric":
            columns.append(np.where(missing, np.nan, v))
        else:
            cats = np.array(CONCEPTS[c].categories, dtype=object)[v]
            columns.append(np.where(missing, None, cats))
    y = observe(target, z, params[target], noise, rng) if target is not None else None
    kinds = ["numeric" if CONCEPTS[c].kind == "numeric" else "categorical" for c in concepts]
    return Table(name=f"{stream}_{index:04d}", columns=names, kinds=kinds, values=columns, y=y,
                 target=CONCEPTS[target].names[0] if target is not None else None, concepts=concepts)


def generate(cfg) -> tuple[list[Table], list[Table]]:
    """(pretraining tables, downstream tables) of a ``TableWorldConfig``; rows of a downstream table are
    its train pool first, then its test rows (``Table.n_train``)."""
    params = concept_params(cfg.seed, cfg.latent_dim)
    pretrain = [make_table(cfg, params, "pretrain", i, cfg.pretrain_rows, None) for i in range(cfg.n_pretrain_tables)]
    targets = binary_concepts()
    pick = _rng(cfg.seed, "targets").permutation(len(targets))
    downstream = []
    for i in range(cfg.n_downstream_tables):
        t = make_table(cfg, params, "downstream", i, cfg.downstream_train_rows + cfg.downstream_test_rows,
                       targets[int(pick[i % len(targets)])])
        t.n_train = cfg.downstream_train_rows
        downstream.append(t)
    return pretrain, downstream
