"""Recipes: one module per paper (plus quickstart). Each has ``NAME``, ``PAPER``, ``CLAIMS`` and either
``config(size) -> dict`` (a run, for ``pretrainlab run``) or ``experiment(size) -> dict`` (arms x seeds
with claims, for ``pretrainlab reproduce``), for sizes ``tiny`` (CI) and ``full`` (real use).

The registry is explicit (no import-time discovery): add a module to the import and to ``MODULES`` to ship
a recipe. Each recipe checks its own ``size`` (``common.size_of``: the error names the recipe and its sizes).
"""

from __future__ import annotations

import difflib
from types import ModuleType

from pretrainlab.experiments.claims import MIN_SEEDS
from pretrainlab.recipes import (
    afriquellm,
    bert2bert,
    davinci,
    explora,
    gnn_pretrain,
    look,
    medmae_thorax,
    memeff_pt,
    nmc_cl,
    pretrainers_guide,
    provable_unsup,
    quickstart,
    quickstart_image,
    rewarm,
    rs_resize_norm,
    selfdistill_fpt,
    spt,
    sspt,
    syne_cpt,
    tinyhelen_leaner,
    train_once,
    unitabe,
    w2pgnn,
)

MODULES: tuple[ModuleType, ...] = (
    afriquellm,
    bert2bert,
    davinci,
    explora,
    gnn_pretrain,
    look,
    medmae_thorax,
    memeff_pt,
    nmc_cl,
    pretrainers_guide,
    provable_unsup,
    quickstart,
    quickstart_image,
    rewarm,
    rs_resize_norm,
    selfdistill_fpt,
    spt,
    sspt,
    syne_cpt,
    tinyhelen_leaner,
    train_once,
    unitabe,
    w2pgnn,
)
"""Every shipped recipe module, one per line (alphabetical)."""
RECIPES: dict[str, ModuleType] = {m.NAME: m for m in MODULES}


def get_recipe(name: str) -> ModuleType:
    if name not in RECIPES:
        close = difflib.get_close_matches(name, list(RECIPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise KeyError(f"unknown recipe '{name}'{hint}; `pretrainlab recipes` lists them: {sorted(RECIPES)}")
    return RECIPES[name]


def recipe_config(name: str, size: str = "full") -> dict:
    """The run config dict of a run recipe."""
    module = get_recipe(name)
    if not hasattr(module, "config"):
        raise ValueError(f"'{name}' is an experiment (arms x seeds with claims): use `pretrainlab reproduce {name}`")
    return module.config(size)


def recipe_experiment(name: str, size: str = "full", seeds: int | None = None) -> dict:
    """The experiment config dict of a recipe; a run recipe becomes a one-arm experiment."""
    module = get_recipe(name)
    if hasattr(module, "experiment"):
        exp = module.experiment(size)
    else:
        exp = {"name": f"{name}-{size}", "base": module.config(size), "arms": {name: {}}}
    exp.setdefault("planned_seeds", len(exp.get("seeds", [0])))
    if seeds is not None:
        if seeds < 1:
            raise ValueError(f"--seeds must be at least 1, got {seeds} (verdicts need {MIN_SEEDS} or more)")
        exp["seeds"] = list(range(seeds))
    return exp
