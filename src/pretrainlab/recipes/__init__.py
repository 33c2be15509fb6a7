"""Recipes: one module per paper (plus quickstart). Each has ``NAME``, ``PAPER``, ``CLAIMS`` and
``config(size) -> dict`` for sizes ``tiny`` (CI, seconds) and ``full`` (real use, minutes).

The registry is explicit (no import-time discovery): add a module here to ship a recipe.
"""

from __future__ import annotations

import difflib
from types import ModuleType

from pretrainlab.recipes import quickstart

RECIPES: dict[str, ModuleType] = {m.NAME: m for m in (quickstart,)}
SIZES = ("tiny", "full")


def get_recipe(name: str) -> ModuleType:
    if name not in RECIPES:
        close = difflib.get_close_matches(name, list(RECIPES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise KeyError(f"unknown recipe '{name}'{hint}; `pretrainlab recipes` lists them: {sorted(RECIPES)}")
    return RECIPES[name]


def recipe_config(name: str, size: str = "full") -> dict:
    if size not in SIZES:
        raise ValueError(f"--size must be one of {SIZES}, got '{size}'")
    return get_recipe(name).config(size)
