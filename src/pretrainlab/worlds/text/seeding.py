"""Moved to ``pretrainlab.seeding`` (seeding.py at the package root); this path re-exports it for one release."""

from pretrainlab.seeding import cumulative, derive_seed, make_rng, pick_weighted, shuffled  # noqa: F401  re-export, moved to seeding.py
