"""Pipeline config validation (before any data is read) and the packaged example pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import pretrainlab.data.curate as curate_pkg
from pretrainlab.config import ConfigError
from pretrainlab.data.curate import EXAMPLE_PIPELINE, STEPS, PipelineConfig, curate, load_config
from pretrainlab.data.curate.pipeline import parse_steps, phases


def cfg(tmp_path, steps, **kw) -> dict:
    return {"input": str(tmp_path / "in"), "output": str(tmp_path / "out"), "steps": steps, **kw}


def test_unknown_step_lists_valid_steps(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(cfg(tmp_path, [{"name": "gopher_qualty"}]))
    msg = str(e.value)
    assert "steps[0]" in msg and "did you mean 'gopher_quality'" in msg and "minhash_dedup" in msg


def test_unknown_param_names_closest(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key 'steps\[1\]\.min_doc_wrds' \(did you mean "
                                          r"'steps\[1\]\.min_doc_words'\?\)"):
        load_config(cfg(tmp_path, ["normalize", {"name": "gopher_quality", "min_doc_wrds": 5}]))
    with pytest.raises(ConfigError, match=r"min_num_sentences: expected int"):
        load_config(cfg(tmp_path, [{"name": "c4", "min_num_sentences": "many"}]))
    with pytest.raises(ConfigError, match="unknown key 'workrs'"):
        load_config({**cfg(tmp_path, ["normalize"]), "workrs": 2})


def test_errors_come_before_any_data_is_read(tmp_path, monkeypatch):
    from pretrainlab.data.curate import runner

    def boom(*a, **k):
        raise AssertionError("data was read")

    monkeypatch.setattr(runner, "list_shards", boom)
    monkeypatch.setattr(runner, "read_source", boom)
    for steps in ([{"name": "quality_classifier", "model": str(tmp_path / "none.npz")}],
                  [{"name": "decontaminate", "eval_paths": [str(tmp_path / "none")]}],
                  [{"name": "simplify", "rewriter": "no_such_rewriter"}],
                  []):
        with pytest.raises(ConfigError):
            curate(cfg(tmp_path, steps))


def test_missing_input_is_a_data_error(tmp_path):
    from pretrainlab.data.readers import DataError

    with pytest.raises(DataError, match="no such file or folder"):
        curate(cfg(tmp_path, ["normalize"]))


def test_phases_split_at_first_global_step():
    specs = parse_steps(["normalize", "exact_dedup", "pii", {"name": "normalize", "form": "NFKC"}])
    local, global_ = phases(specs)
    assert [s.key for s in local] == ["normalize"]
    assert [s.key for s in global_] == ["exact_dedup", "pii", "normalize#2"]


def test_example_pipeline_is_the_packaged_yaml_and_valid(tmp_path):
    packaged = Path(curate_pkg.__file__).with_name("default_pipeline.yaml").read_text()
    assert packaged == EXAMPLE_PIPELINE
    data = yaml.safe_load(EXAMPLE_PIPELINE)
    assert {s["name"] for s in data["steps"]} <= set(STEPS)
    parsed = load_config(data)  # parses every step's parameters (does not build them)
    assert isinstance(parsed, PipelineConfig) and parsed.workers == 0


def test_overrides(tmp_path):
    c = load_config(cfg(tmp_path, ["normalize"]), ["workers=3", "on_error=skip"])
    assert (c.workers, c.on_error) == (3, "skip")


def test_docstring_examples():
    import doctest
    import importlib

    for name in ("base", "text", "normalize", "pii", "classifier"):
        module = importlib.import_module(f"pretrainlab.data.curate.{name}")
        assert doctest.testmod(module).failed == 0, name
