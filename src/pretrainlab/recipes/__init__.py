"""Recipes: one module per paper (plus quickstart). Each has ``NAME``, ``PAPER``, ``CLAIMS`` and either
``config(size) -> dict`` (a run, for ``pretrainlab run``) or ``experiment(size) -> dict`` (arms x seeds
with claims, for ``pretrainlab reproduce``), for sizes ``tiny`` (CI) and ``full`` (real use).

The registry is explicit (no import-time discovery): add a module here to ship a recipe.
"""

from __future__ import annotations

import difflib
from types import ModuleType

from pretrainlab.experiments.claims import MIN_SEEDS

from pretrainlab.recipes import quickstart, rewarm, spt
from pretrainlab.recipes import afriquellm, syne_cpt
from pretrainlab.recipes import davinci, pretrainers_guide, tinyhelen_leaner
from pretrainlab.recipes import train_once
from pretrainlab.recipes import bert2bert
from pretrainlab.recipes import memeff_pt
from pretrainlab.recipes import medmae_thorax, rs_resize_norm
from pretrainlab.recipes import explora, selfdistill_fpt
from pretrainlab.recipes import look, nmc_cl
from pretrainlab.recipes import unitabe

RECIPES: dict[str, ModuleType] = {m.NAME: m for m in (quickstart, rewarm, spt)}
RECIPES.update({m.NAME: m for m in (afriquellm, syne_cpt)})
RECIPES.update({m.NAME: m for m in (pretrainers_guide, tinyhelen_leaner, davinci)})
RECIPES[train_once.NAME] = train_once
RECIPES[bert2bert.NAME] = bert2bert
RECIPES[memeff_pt.NAME] = memeff_pt
RECIPES.update({m.NAME: m for m in (rs_resize_norm, medmae_thorax)})
RECIPES.update({m.NAME: m for m in (selfdistill_fpt, explora)})
RECIPES.update({m.NAME: m for m in (look, nmc_cl)})
RECIPES[unitabe.NAME] = unitabe
SIZES = ("tiny", "full")


def get_recipe(name: str) -> ModuleType:
    if name not in RECIPES:
        close = difflib.get_close_matches(name, list(RECIPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise KeyError(f"unknown recipe '{name}'{hint}; `pretrainlab recipes` lists them: {sorted(RECIPES)}")
    return RECIPES[name]


def _check_size(size: str) -> None:
    if size not in SIZES:
        raise ValueError(f"--size must be one of {SIZES}, got '{size}'")


def recipe_config(name: str, size: str = "full") -> dict:
    """The run config dict of a run recipe."""
    _check_size(size)
    module = get_recipe(name)
    if not hasattr(module, "config"):
        raise ValueError(f"'{name}' is an experiment (arms x seeds with claims): use `pretrainlab reproduce {name}`")
    return module.config(size)


def recipe_experiment(name: str, size: str = "full", seeds: int | None = None) -> dict:
    """The experiment config dict of a recipe; a run recipe becomes a one-arm experiment."""
    _check_size(size)
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
