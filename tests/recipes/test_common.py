"""What recipes share: typed sizes read through one size check, and a registry built from the modules."""

import dataclasses

import pytest

from pretrainlab.recipes import MODULES, RECIPES, recipe_config, recipe_experiment
from pretrainlab.recipes.common import size_of


def test_registry_has_one_module_per_name():
    assert len(RECIPES) == len(MODULES)
    assert all(RECIPES[m.NAME] is m for m in MODULES)


@pytest.mark.parametrize("name", sorted(n for n, m in RECIPES.items() if hasattr(m, "SIZES")))
def test_sizes_are_frozen_dataclasses_for_tiny_and_full(name):
    sizes = RECIPES[name].SIZES
    assert list(sizes) == ["tiny", "full"]
    for s in sizes.values():
        assert dataclasses.is_dataclass(s) and type(s).__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(sizes["tiny"], dataclasses.fields(sizes["tiny"])[0].name, None)


def test_unknown_size_names_the_recipe_and_its_sizes():
    with pytest.raises(ValueError, match=r"^rewarm: unknown size 'huge'; choose one of \['tiny', 'full'\]$"):
        recipe_experiment("rewarm", "huge")
    with pytest.raises(ValueError, match=r"^quickstart: unknown size 'huge'"):
        recipe_config("quickstart", "huge")
    with pytest.raises(ValueError, match=r"^quickstart-image: unknown size 'huge'"):
        recipe_experiment("quickstart-image", "huge")
    assert size_of({"a": 1}, "a", "x") == 1
