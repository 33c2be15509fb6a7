"""The run config of a table run (top-level ``modality: table``): world, encoder, objective, evaluation.

    name: unitabe-demo
    modality: table
    data:      {world: {n_pretrain_tables: 60, ...}, csv: [{path: more.csv}]}   # csv: extra pretraining tables
    model:     {preset: test}                          # TabUnit (models/tabunit.py); dim/depth/heads override
    objective: {masked_weight: 1.0, contrastive_weight: 1.0, mask_ratio: 0.3}    # objectives/unitabe.py
    train:     TrainConfig (train/config.py; batch_size = rows per step)
    eval:      {learner: finetune, row_counts: [32, 128, 512], csv: {path: mine.csv, target: churn}}

``eval.csv`` replaces the world's held-out tables by a user's file (worlds/table/reader.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pretrainlab.config import ConfigError
from pretrainlab.eval.table import downstream_keys
from pretrainlab.models.tabunit import PRESETS
from pretrainlab.train.config import TrainConfig
from pretrainlab.worlds.table import CsvTableConfig, TableWorldConfig


@dataclass
class TableDataConfig:
    world: TableWorldConfig = field(default_factory=TableWorldConfig)
    csv: list[CsvTableConfig] = field(default_factory=list)
    """User CSV files added to the pretraining pool (no target needed)."""


@dataclass
class TableModelConfig:
    preset: str = "test"
    """TabUnit size: test (32 wide, 2 layers), small (64, 3), base (128, 4)."""
    dim: int = 0
    """Width (0: the preset's)."""
    depth: int = 0
    heads: int = 0
    mlp_ratio: float = 2.0
    dropout: float = 0.0
    name_fusion: bool = True
    """false: cells carry a column-position embedding instead of their column name (ablation)."""

    def validate(self) -> None:
        if self.preset not in PRESETS:
            raise ConfigError(f"model.preset: unknown preset '{self.preset}'; choose one of {list(PRESETS)}")

    def overrides(self) -> dict:
        sizes = {k: getattr(self, k) for k in ("dim", "depth", "heads") if getattr(self, k)}
        return {**sizes, "mlp_ratio": self.mlp_ratio, "dropout": self.dropout, "name_fusion": self.name_fusion}


@dataclass
class TableObjectiveConfig:
    """UniTabE pretraining: masked-cell prediction + contrastive rows (objectives/unitabe.py)."""

    masked_weight: float = 1.0
    contrastive_weight: float = 1.0
    mask_ratio: float = 0.3
    view_keep: float = 0.6
    temperature: float = 0.1
    proj_dim: int = 32

    def validate(self) -> None:
        if self.masked_weight < 0 or self.contrastive_weight < 0 or self.masked_weight + self.contrastive_weight <= 0:
            raise ConfigError(f"objective: masked_weight ({self.masked_weight}) and contrastive_weight "
                              f"({self.contrastive_weight}) must be >= 0, at least one > 0")
        if not 0 < self.mask_ratio <= 1 or not 0 < self.view_keep <= 1:
            raise ConfigError(f"objective: mask_ratio ({self.mask_ratio}) and view_keep ({self.view_keep}) must be "
                              "in (0, 1]")


@dataclass
class TableEvalConfig:
    learner: Literal["finetune", "gbdt"] = "finetune"
    """finetune: the run's encoder + a classification head; gbdt: HistGradientBoosting on the same rows."""
    row_counts: list[int] = field(default_factory=lambda: [32, 128, 512])
    """Fine-tuning set sizes per held-out table ([] : no downstream evaluation)."""
    csv: CsvTableConfig | None = None
    """A user's CSV file as the held-out table (instead of the world's downstream tables)."""
    masked: bool = True
    """Masked-cell loss on the held-out tables' test rows (``eval/masked/*``; needs masked_weight > 0)."""
    finetune_lr: float = 1e-3
    finetune_weight_decay: float = 0.01
    finetune_batch_size: int = 32
    finetune_epochs: int = 15
    finetune_min_steps: int = 60
    report: bool = True

    def validate(self) -> None:
        if any(n < 2 for n in self.row_counts) or len(set(self.row_counts)) != len(self.row_counts):
            raise ConfigError(f"eval.row_counts must be distinct integers >= 2, got {self.row_counts}")


@dataclass
class TableRunConfig:
    name: str = "table-run"
    seed: int = 0
    modality: Literal["table"] = "table"
    data: TableDataConfig = field(default_factory=TableDataConfig)
    model: TableModelConfig = field(default_factory=TableModelConfig)
    objective: TableObjectiveConfig = field(default_factory=TableObjectiveConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: TableEvalConfig = field(default_factory=TableEvalConfig)

    def validate(self) -> None:
        pool = self.data.world.downstream_train_rows
        if self.eval.csv is None and self.eval.row_counts and max(self.eval.row_counts) > pool:
            raise ConfigError(f"eval.row_counts: {max(self.eval.row_counts)} rows > the {pool} rows of each held-out "
                              "table's train pool; lower eval.row_counts or raise data.world.downstream_train_rows")
        if self.eval.csv is None and self.eval.row_counts and self.data.world.n_downstream_tables < 1:
            raise ConfigError("eval.row_counts: no held-out tables (data.world.n_downstream_tables=0); set "
                              "eval.csv: {path: FILE, target: COLUMN} or eval.row_counts: []")


def table_metric_names(cfg: TableRunConfig) -> set[str]:
    """Every key a table run writes to summary.json (to validate claims up front)."""
    names = {"step", "rows", "train/loss", "train/rows_per_s", "train/skipped_steps", "wall_s", "params",
             "time/eval_s"}
    names |= downstream_keys(cfg.eval.row_counts)
    if cfg.eval.masked and cfg.objective.masked_weight > 0:
        names |= {f"eval/masked/{m}" for m in ("loss", "ce", "mse", "cat_acc")}
    return names
