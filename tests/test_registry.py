"""Registry: did-you-mean lookups, duplicates refused, descriptions, the project's registries, `pretrainlab list`."""

import doctest
import sys
import typing

import pytest

import pretrainlab.registry
from pretrainlab.cli import main
from pretrainlab.config import ConfigError
from pretrainlab.registry import Registry, describe


def _shapes() -> Registry:
    reg = Registry("shape")

    @reg.register("circle")
    class Circle:
        """A round shape.

        Not part of the summary.
        """

    reg.add("square", object(), description="Four equal sides.")
    return reg


def test_docstring_examples():
    assert doctest.testmod(pretrainlab.registry).failed == 0


def test_lookup_names_iteration_and_descriptions():
    reg = _shapes()
    assert reg.names() == list(reg) == ["circle", "square"] and len(reg) == 2
    assert "circle" in reg and "triangle" not in reg and ["a"] not in reg
    assert reg.get("circle") is reg["circle"] and reg["circle"].__name__ == "Circle"
    assert reg.rows() == [("circle", "A round shape."), ("square", "Four equal sides.")]
    assert reg.description("square") == "Four equal sides."
    assert reg.get("triangle", None) is None  # an explicit default behaves like dict.get
    assert dict(reg.items())["square"] is reg["square"]


def test_did_you_mean_names_kind_and_choices():
    reg = _shapes()
    with pytest.raises(ConfigError) as e:
        reg.get("cirle")
    assert str(e.value) == "unknown shape 'cirle' (did you mean 'circle'?); choose one of: circle, square"
    with pytest.raises(ConfigError, match=r"unknown shape 'SQUARE' \(did you mean 'square'\?\)"):
        reg["SQUARE"]  # case-insensitive suggestion
    with pytest.raises(ConfigError) as e:
        reg.get("zzz", where="model.shape")
    assert str(e.value) == "model.shape: unknown shape 'zzz'; choose one of: circle, square"
    with pytest.raises(ConfigError, match=r"unknown shape '\['circle'\]'"):
        reg.get(["circle"])  # an unhashable config value is an unknown name, not a TypeError
    with pytest.raises(ConfigError, match="no thing is registered"):
        Registry("thing").get("x")
    with pytest.raises(ConfigError, match="unknown shape"):
        reg.description("hexagon")


def test_duplicates_and_bad_names_are_refused():
    reg = _shapes()
    with pytest.raises(ValueError, match="shape 'circle' is already registered"):
        reg.add("circle", object())
    with pytest.raises(ValueError, match="already registered"):
        reg.register("square")(type("Square", (), {}))
    with pytest.raises(ValueError, match="non-empty string"):
        reg.add("", object())
    assert reg.names() == ["circle", "square"]
    with pytest.raises(ValueError, match="already registered"):
        Registry("pair", {"a": 1}).add("a", 2)


def test_describe():
    def documented():
        """First line
        continues here.

        Details."""

    class Undocumented:
        pass

    assert describe(documented) == "First line continues here."
    assert describe(Undocumented) == describe(sys.modules[__name__])  # falls back to this module's docstring
    assert describe(Undocumented).startswith("Registry: did-you-mean lookups")
    assert describe(pretrainlab.registry).startswith("Named choices: one Registry(kind)")  # no ``
    assert describe((1, 2)) == describe("text") == ""
    assert describe(Undocumented()) == describe(Undocumented)
    reg = Registry("recipe", {"spt": type("M", (), {"__doc__": 'spt: "The Finetuner\'s Fallacy".'})})
    assert reg.description("spt") == '"The Finetuner\'s Fallacy".'  # the repeated "<name>: " is dropped


def test_project_registries_match_what_configs_accept():
    from pretrainlab.data.curate import STEPS
    from pretrainlab.eval import probes
    from pretrainlab.eval.protocols import PROTOCOLS
    from pretrainlab.modalities import MODALITIES
    from pretrainlab.models import MODELS, ViT, ViTConfig
    from pretrainlab.objectives import OBJECTIVES, VISION_OBJECTIVES
    from pretrainlab.run_config_image import Protocol
    from pretrainlab.worlds.image import IMAGE_WORLDS, KINDS
    from pretrainlab.worlds.registry import WORLDS

    assert MODELS.names() == ["decoder", "vit", "resnet"] and MODELS["vit"] == (ViTConfig, ViT)
    assert "micro" in MODELS.description("decoder") and "resnet18" in MODELS.description("resnet")
    series = {"ma_prediction", "series_identity", "direction"}  # objectives of series runs (objective.<task> weights)
    assert OBJECTIVES.names()[0] == "causal_lm" and set(VISION_OBJECTIVES) == set(OBJECTIVES) - {"causal_lm", *series}
    assert all(OBJECTIVES[name].name == name for name in VISION_OBJECTIVES)
    assert WORLDS.names()[: 1 + len(KINDS)] == ["text", *KINDS] and set(IMAGE_WORLDS) == set(KINDS)  # then other plug-ins
    assert all(WORLDS[kind] is IMAGE_WORLDS[kind] for kind in KINDS)
    kind_literal = typing.get_type_hints(probes.ProbeConfig)["kind"]
    assert probes.PROBES.names() == list(typing.get_args(kind_literal)) == list(probes.KINDS)
    assert PROTOCOLS.names() == list(typing.get_args(Protocol))
    assert MODALITIES.names()[:2] == ["text", "image"]  # then one line per plug-in
    assert all(STEPS[name].name == name for name in STEPS)
    for reg in (MODELS, OBJECTIVES, WORLDS, probes.PROBES, PROTOCOLS, MODALITIES, STEPS):
        assert all(description for _, description in reg.rows()), reg


def test_curation_steps_keep_their_error():
    from pretrainlab.data.curate.pipeline import parse_steps

    with pytest.raises(ConfigError) as e:
        parse_steps(["normalize", {"name": "gopher_qualty"}])
    msg = str(e.value)
    assert msg.startswith("steps[1]: unknown step 'gopher_qualty' (did you mean 'gopher_quality'?)")
    assert "minhash_dedup" in msg


LISTS = {
    "models": ("pretrainlab.models", "MODELS"),
    "objectives": ("pretrainlab.objectives", "OBJECTIVES"),
    "worlds": ("pretrainlab.worlds.registry", "WORLDS"),
    "probes": ("pretrainlab.eval.probes", "PROBES"),
    "protocols": ("pretrainlab.eval.protocols", "PROTOCOLS"),
    "modalities": ("pretrainlab.modalities", "MODALITIES"),
    "recipes": ("pretrainlab.recipes", "RECIPES"),
    "steps": ("pretrainlab.data.curate", "STEPS"),
    "trackers": ("pretrainlab.train.trackers", "TRACKERS"),
}


@pytest.mark.parametrize("kind", list(LISTS))
def test_list_prints_every_entry(kind, capsys):
    import importlib

    module, attr = LISTS[kind]
    names = list(getattr(importlib.import_module(module), attr))
    assert main(["list", kind]) == 0
    out = capsys.readouterr().out
    assert f"{kind} ({len(names)})" in out
    assert all(name in out for name in names), [n for n in names if n not in out]


def test_list_kinds_and_unknown_kind(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(kind in out for kind in LISTS)
    assert main(["list", "modles"]) == 2
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())
    assert "unknown list 'modles' (did you mean 'models'?)" in err and "recipes" in err
    assert "Traceback" not in captured.err


def test_choose_picks_a_class_and_checks_its_params():
    from dataclasses import dataclass

    reg = Registry("widget")

    @reg.register("plain")
    class Plain:
        """Takes keyword parameters."""

        def __init__(self, model, size: int = 1, colour: str = "red"):
            self.size = size

    @reg.register("configured")
    class Configured:
        """Has a Config dataclass."""

        @dataclass
        class Config:
            depth: int = 2

    assert reg.choose({"name": "plain", "size": 3}, where="w", skip=("model",)) == (Plain, {"size": 3})
    assert reg.choose("plain", where="w") == (Plain, {})
    cls, cfg = reg.choose({"kind": "configured", "depth": "4"}, where="w", key="kind")
    assert cls is Configured and cfg == Configured.Config(depth=4)
    with pytest.raises(ConfigError, match=r"unknown key 'w.colur' \(did you mean 'w.colour'\?\)"):
        reg.choose({"name": "plain", "colur": "blue"}, where="w")
    with pytest.raises(ConfigError, match="unknown key 'w.model'"):
        reg.choose({"name": "plain", "model": 1}, where="w", skip=("model",))
    with pytest.raises(ConfigError, match=r"w.name: unknown widget 'plian' \(did you mean 'plain'\?\)"):
        reg.choose({"name": "plian"}, where="w")
    with pytest.raises(ConfigError, match="w.name: missing; choose one of: plain, configured"):
        reg.choose({"size": 1}, where="w")
    with pytest.raises(ConfigError, match="unknown key 'w.dpeth'"):
        reg.choose({"kind": "configured", "dpeth": 1}, where="w", key="kind")
