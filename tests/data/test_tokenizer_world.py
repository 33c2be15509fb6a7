"""data.tokenizer.world: a tokenizer trained on another rendering of the world -- for the leaner corpus,
exactly the tokenizer of the original corpus (a same-tokenizer control, recipes/tinyhelen_leaner.py)."""

from __future__ import annotations

import pytest
from rich.console import Console

from pretrainlab.config import ConfigError
from pretrainlab.data.prepare import prepare_data
from pretrainlab.run_config import build_run_config

WORLD = {"n_docs": 120, "n_people": 20, "n_cities": 8, "n_companies": 8, "noise_rate": 0.4,
         "qa_eval_per_group": 5, "arith_eval_n": 4}
TOK = {"vocab_size": 400, "train_docs": 100}


def _data(tmp_path, name, world=None, tokenizer=None):
    data = {"world": {**WORLD, **(world or {})}, "tokenizer": {**TOK, **(tokenizer or {})}, "seq_len": 32}
    cfg = build_run_config({"data": data})
    return prepare_data(cfg.data, tmp_path / name, Console(quiet=True))


def test_leaner_corpus_with_the_original_tokenizer(tmp_path):
    original = _data(tmp_path, "original")
    leaner = _data(tmp_path, "leaner", world={"rewriter": "simplify"})
    shared = _data(tmp_path, "shared", world={"rewriter": "simplify"}, tokenizer={"world": {"rewriter": None}})
    read = lambda d: (d.root / "tokenizer.json").read_bytes()  # noqa: E731
    assert read(shared) == read(original) != read(leaner)
    # the corpus is still the leaner one
    assert shared.store.info("train", "story")["tokens"] != original.store.info("train", "story")["tokens"]


def test_bad_tokenizer_world_fails_before_any_data():
    with pytest.raises(ConfigError, match="rewritr"):
        build_run_config({"data": {"tokenizer": {"world": {"rewritr": None}}}})
    with pytest.raises(ConfigError, match="data.world"):
        build_run_config({"data": {"world": None, "sources": [{"name": "d", "path": "x"}],
                                   "tokenizer": {"world": {"rewriter": None}}}})
