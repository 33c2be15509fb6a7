"""The run config of a graph run (top-level ``modality: graph``): world, training split, GIN, objective, eval.

    name: gnn-attrmask
    modality: graph
    data:   {world: {kind: molecules, n_pool: 2000, ...}, split: pool}   # pool | sup | train
            # W2PGNN: world.sources: [molecules, chains, random], source: {pick: rank, rank: 1}
    model:  {preset: test}                        # any GINConfig field but the vocabularies (from the world)
    objective: {name: attr_mask, mask_rate: 0.15} # a GRAPH_OBJECTIVES name + its constructor arguments
    train:  TrainConfig (train/config.py; batch_size counts graphs)
    eval:   {protocols: [finetune, linear], reference: true, finetune_epochs: 20}

``train.steps: 0`` with ``train.init_from`` only evaluates a checkpoint (the fine-tuning stage of a recipe);
with ``steps > 0`` on ``pool``/``sup`` the run also reports its pretraining objective on the held-out
``pool_val``/``sup_val`` graphs (``eval/pretrain/...``).
"""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass, field
from typing import Any, Literal

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.modalities.graph_sources import GraphSourceConfig, info_names
from pretrainlab.models.gin import GINConfig
from pretrainlab.objectives.attr_masking import AttrMasking
from pretrainlab.objectives.context_pred import ContextPred
from pretrainlab.objectives.graph_supervised import GraphSupervised
from pretrainlab.registry import Registry, describe
from pretrainlab.train.config import TrainConfig
from pretrainlab.worlds.graph import GraphWorldConfig

GRAPH_OBJECTIVES: Registry[type] = Registry("graph objective")
GRAPH_OBJECTIVES.add("attr_mask", AttrMasking, describe(AttrMasking))
GRAPH_OBJECTIVES.add("context_pred", ContextPred, describe(ContextPred))
GRAPH_OBJECTIVES.add("graph_supervised", GraphSupervised, describe(GraphSupervised))
LABELLED = ("sup", "train")
PRETRAIN_METRICS = {"attr_mask": ["loss", "acc", "acc_gain"], "context_pred": ["loss", "acc"],
                    "graph_supervised": ["loss", "auc"]}
"""``eval/pretrain/<metric>`` a run with ``train.steps > 0`` reports on its held-out split, per objective."""


@dataclass
class GraphDataConfig:
    world: GraphWorldConfig = field(default_factory=GraphWorldConfig)
    split: Literal["pool", "sup", "train"] = "pool"
    """Graphs the training batches come from: the unlabeled pretraining pool, the supervised-pretraining
    set, or the downstream train split. Held out for ``eval/pretrain``: pool_val, sup_val, val."""
    source: GraphSourceConfig = field(default_factory=GraphSourceConfig)
    """Which pretraining graphs form ``pool``: all, one source (by name or W2PGNN feasibility rank), or a
    W2PGNN / random selection (modalities/graph_sources.py; needs ``world.sources``)."""


@dataclass
class GraphEvalConfig:
    protocols: list[Literal["finetune", "linear"]] = field(default_factory=lambda: ["finetune"])
    """Downstream protocols on the scaffold split (eval/graph/finetune.py): full fine-tuning, linear head."""
    reference: bool = False
    """Also fine-tune a freshly initialised GIN with this run's seed (the scratch arm's model) and report
    ``eval/finetune/ref_auc``, ``gain`` and ``neg_transfer`` (share of tasks below that reference)."""
    finetune_epochs: int = 20
    finetune_lr: float = 1e-3
    finetune_batch_size: int = 32
    finetune_dropout: float = 0.5
    linear_epochs: int = 50
    linear_lr: float = 1e-2
    batch_size: int = 256
    """Graphs per forward pass when evaluating."""
    feasibility: bool = False
    """Report ``data/feasibility``: W2PGNN's score of the run's pool (``data.source``) for the downstream
    train graphs (eval/graph/feasibility.py; training graphs only)."""
    report: bool = True


@dataclass
class GraphRunConfig:
    name: str = "graph-run"
    seed: int = 0
    modality: Literal["graph"] = "graph"
    data: GraphDataConfig = field(default_factory=GraphDataConfig)
    model: dict[str, Any] = field(default_factory=lambda: {"preset": "test"})
    objective: dict[str, Any] = field(default_factory=lambda: {"name": "attr_mask"})
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: GraphEvalConfig = field(default_factory=GraphEvalConfig)

    def validate(self) -> None:
        gin_config(self.model, [1], [1])
        self.data.source.check(self.data.world)
        name, _, _ = objective_params(self.objective)
        if name == "graph_supervised" and self.data.split not in LABELLED:
            raise ConfigError(f"objective 'graph_supervised' needs labelled graphs; data.split is "
                              f"'{self.data.split}' (unlabeled): use data.split: sup or train")


def gin_config(model: dict, node_vocab: list[int], edge_vocab: list[int]) -> GINConfig:
    """The GINConfig of the ``model`` section with the world's vocabularies; ConfigError names bad keys."""
    for key in ("node_vocab", "edge_vocab"):
        if key in model:
            raise ConfigError(f"model.{key}: set by the graph world (its attribute categories); drop it")
    try:
        return from_dict(GINConfig, {**model, "node_vocab": list(node_vocab), "edge_vocab": list(edge_vocab)},
                         prefix="model")
    except ValueError as e:  # GINConfig.__post_init__ names the key
        raise ConfigError(str(e)) from None


def objective_params(objective: dict) -> tuple[str, type, dict]:
    """(name, class, constructor params) of the ``objective`` section, checked against the signature."""
    params = dict(objective)
    name = params.pop("name", None)
    if name not in GRAPH_OBJECTIVES:
        close = difflib.get_close_matches(str(name), GRAPH_OBJECTIVES.names(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ConfigError(f"objective.name: {name!r} is not a graph objective{hint}; choose one of "
                          f"{GRAPH_OBJECTIVES.names()}")
    cls = GRAPH_OBJECTIVES[name]
    valid = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "model", "num_tasks", "seed")]
    for key in params:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1)
            hint = f" (did you mean 'objective.{close[0]}'?)" if close else f" (valid: {valid})"
            raise ConfigError(f"unknown key 'objective.{key}' for objective '{name}'{hint}")
    return name, cls, params


def graph_metric_names(cfg: GraphRunConfig) -> set[str]:
    """Every key a graph run writes to summary.json (claims are validated against it before any run)."""
    names = {"step", "graphs", "train/loss", "train/graphs_per_s", "train/skipped_steps", "wall_s", "params",
             "params_trainable", "data/n_train", "data/n_test", "data/n_tasks"}
    names |= info_names(cfg.data.source, cfg.eval.feasibility)
    if cfg.train.steps > 0:
        names |= {f"eval/pretrain/{m}" for m in PRETRAIN_METRICS[cfg.objective.get("name")]}
    tasks = range(cfg.data.world.n_tasks) if cfg.data.world.kind == "molecules" else range(0)
    for p in cfg.eval.protocols:
        names |= {f"eval/{p}/auc", f"eval/{p}/val/auc", f"eval/{p}/tasks_skipped", f"eval/{p}/epoch"}
        names |= {f"eval/{p}/task{t}/auc" for t in tasks}
    if cfg.eval.reference and "finetune" in cfg.eval.protocols:
        names |= {"eval/finetune/ref_auc", "eval/finetune/gain", "eval/finetune/neg_transfer"}
        names |= {f"eval/finetune/task{t}/gain" for t in tasks}
    return names
