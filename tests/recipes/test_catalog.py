"""The paper catalog agrees with the canonical recipe list, the docs page and the live registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pretrainlab.recipes.catalog import CATALOG, STATUSES, catalog_rows

REPO = Path(__file__).resolve().parents[2]
# CI checks out ../shared beside the clone; locally this is /work/shared/design/RECIPES.md.
RECIPES_MD = Path(__file__).resolve().parents[3] / "shared/design/RECIPES.md"
MODALITIES = {"text", "image", "graph", "table", "series", "latent", "rl", "speech", "multimodal"}
"""Plug-in names (modalities/); rl, speech and multimodal are not built yet."""


def test_catalog_has_49_unique_papers_in_order():
    assert [e["n"] for e in CATALOG] == list(range(1, 50))
    assert len({e["paper"] for e in CATALOG}) == 49
    assert len({e["recipe"] for e in CATALOG}) == 49
    for e in CATALOG:
        assert set(e) == {"n", "paper", "recipe", "modality", "claim", "status"}
        assert 0 < len(e["paper"]) <= 60 and 0 < len(e["claim"].strip()) <= 140, e["n"]
        assert e["modality"] in MODALITIES and e["status"] in STATUSES, e["n"]


def test_recipe_names_match_design_doc():
    if not RECIPES_MD.exists():
        pytest.skip(f"{RECIPES_MD} not present (needs ../shared beside the repo)")
    rows = re.findall(r"^\|\s*(\d+)\s*\|[^|]*\|\s*`([^`]+)`\s*\|", RECIPES_MD.read_text(), re.M)
    assert [(int(n), name) for n, name in rows] == [(e["n"], e["recipe"]) for e in CATALOG]


def test_docs_list_every_recipe():
    doc = (REPO / "docs/recipes.md").read_text()
    for name in [e["recipe"] for e in CATALOG] + ["quickstart"]:
        assert f"`{name}`" in doc, name


def test_catalog_rows_follow_registry():
    from pretrainlab.recipes import RECIPES

    rows = catalog_rows()
    by_recipe = {r["recipe"]: r for r in rows}
    assert set(RECIPES) <= set(by_recipe)
    assert [r["recipe"] for r in rows[:49]] == [e["recipe"] for e in CATALOG]
    for r in rows:
        assert r["claim"].strip(), r["recipe"]
        assert r["status"] in STATUSES, r
    for name, module in RECIPES.items():
        assert by_recipe[name]["status"] == getattr(module, "STATUS", "runs")
    assert by_recipe["quickstart"]["n"] == "-"
    assert by_recipe["quickstart"]["claim"] == "; ".join(RECIPES["quickstart"].CLAIMS)
    assert all(e["status"] == "not started" for e in CATALOG)  # the static table is never mutated


def test_catalog_modality_is_the_recipes_plug_in():
    """A registered paper recipe runs in the modality its catalog row names (a registered plug-in)."""
    from pretrainlab.modalities import MODALITIES
    from pretrainlab.recipes import RECIPES, recipe_experiment
    from pretrainlab.recipes.catalog import CATALOG

    rows = {r["recipe"]: r for r in CATALOG}
    for name, module in RECIPES.items():
        if name not in rows or not hasattr(module, "experiment"):
            continue
        base = recipe_experiment(name, "tiny")["base"]
        assert base.get("modality", "text") == rows[name]["modality"] in MODALITIES, name
