"""A table as the world and the CSV reader produce it, and the world's config.

``Table``: column names (text), per-column kind (``numeric`` / ``categorical``) and values (a float
array with NaN for missing cells, or an object array of strings with None), plus an optional binary
target ``y`` (0/1) that is not among the columns. ``n_train``: rows ``[0, n_train)`` are the pool
fine-tuning sets are drawn from, the rest are test rows (all rows of a pretraining table are train).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from pretrainlab.config import ConfigError


@dataclass
class Table:
    name: str
    columns: list[str]
    kinds: list[str]
    values: list[np.ndarray]
    y: np.ndarray | None = None
    target: str | None = None
    concepts: list[int] = field(default_factory=list)
    """World concept id per column (empty for a user's file)."""
    n_train: int = -1
    """Rows [0, n_train) are the train pool, the rest test rows (-1: every row is train)."""

    @property
    def n_rows(self) -> int:
        return len(self.values[0]) if self.values else (len(self.y) if self.y is not None else 0)

    def train_rows(self) -> int:
        return self.n_rows if self.n_train < 0 else self.n_train


@dataclass
class CsvTableConfig:
    """A table from a user's CSV file: header = column names, one row per line."""

    path: str
    target: str = ""
    """The binary target column (two distinct values; required for a downstream table)."""
    test_frac: float = 0.25
    """Share of rows (every k-th, deterministic) held out as test rows of a downstream table."""
    categorical: list[str] = field(default_factory=list)
    """Columns to read as categories even if every value parses as a number (e.g. zip codes)."""

    def validate(self) -> None:
        if not 0 < self.test_frac < 1:
            raise ConfigError(f"csv '{self.path}': test_frac must be in (0, 1), got {self.test_frac}")


@dataclass
class TableWorldConfig:
    """The synthetic table world (worlds/table/generate.py)."""

    kind: Literal["synthetic"] = "synthetic"
    seed: int = 0
    n_pretrain_tables: int = 200
    pretrain_rows: int = 256
    """Rows per pretraining table."""
    n_downstream_tables: int = 5
    """Held-out tables (targets: binary concepts) for fine-tuning and testing."""
    downstream_train_rows: int = 512
    """Train pool per downstream table (fine-tuning sets of eval.row_counts rows are drawn from it)."""
    downstream_test_rows: int = 500
    min_cols: int = 5
    max_cols: int = 12
    latent_dim: int = 6
    noise: float = 0.5
    """Observation noise scale (each table multiplies it by U[0.6, 1.4])."""
    missing: float = 0.05
    """Each table's share of missing cells is drawn from [0, missing]."""

    def validate(self) -> None:
        if not 1 <= self.min_cols <= self.max_cols:
            raise ConfigError(f"data.world: need 1 <= min_cols <= max_cols, got {self.min_cols}, {self.max_cols}")
        if self.latent_dim < 2:
            raise ConfigError(f"data.world.latent_dim must be >= 2, got {self.latent_dim}")
        if not 0 <= self.missing < 1:
            raise ConfigError(f"data.world.missing must be in [0, 1), got {self.missing}")
        if self.n_downstream_tables < 0:
            raise ConfigError(f"data.world.n_downstream_tables must be >= 0, got {self.n_downstream_tables}")
        for key in ("n_pretrain_tables", "pretrain_rows", "downstream_train_rows", "downstream_test_rows"):
            if getattr(self, key) < 1:
                raise ConfigError(f"data.world.{key} must be >= 1, got {getattr(self, key)}")
