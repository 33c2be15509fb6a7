"""benchmarks/curation.py: the datatrove side-by-side scores both tools against the world's labels,
and skips with a clear message when datatrove is not installed."""

from __future__ import annotations

import builtins
import importlib.util
from pathlib import Path

import pytest

from pretrainlab.worlds.text import TextWorld

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "curation.py"
spec = importlib.util.spec_from_file_location("curation_bench", PATH)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def _doc(i: int, noise=None, dup_of=None) -> dict:
    return {"text": f"doc {i}", "meta": {"id": f"d{i}", "noise": noise, "dup_of": dup_of}}


def test_scores_precision_and_recall_against_labels():
    docs = [_doc(0, "short"), _doc(1, "short"), _doc(2, "symbols"), _doc(3), _doc(4), _doc(5)]
    kept = {"d1", "d3", "d4"}  # dropped: d0 (short), d2 (symbols), d5 (clean)
    s = bench.scores(docs, kept, lambda m: m.get("noise"))
    assert (s["dropped"], s["labelled"]) == (3, 3)
    assert s["precision"] == pytest.approx(2 / 3, abs=1e-4) and s["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["recall_by_label"] == {"short": 0.5, "symbols": 1.0}


def test_side_by_side_skips_with_install_hint_without_datatrove(monkeypatch):
    """With spaCy missing (and datatrove installed or not) the comparison is skipped, naming the first
    missing module and the pip command."""
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.split(".")[0] == "spacy":
            raise ImportError(name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    out = bench.side_by_side([_doc(0)], rounds=1)
    first_missing = "spacy" if importlib.util.find_spec("datatrove") else "datatrove"
    assert set(out) == {"skipped"} and f"{first_missing} is not installed" in out["skipped"]
    assert "pretrainlab[bench]" in out["skipped"]


def test_side_by_side_against_datatrove_on_world_docs():
    pytest.importorskip("datatrove")
    pytest.importorskip("spacy")
    pytest.importorskip("datasketch")
    cfg = bench.world_config(60)
    cfg.dup_rate, cfg.near_dup_rate = 0.1, 0.0
    docs = list(TextWorld(cfg).documents("train"))
    out = bench.side_by_side(docs, rounds=1)
    assert "skipped" not in out, out
    for task in ("filters", "minhash_dedup"):
        for tool in ("pretrainlab", "datatrove"):
            r = out[task][tool]
            assert r["docs_per_s"] > 0 and r["kept"] + r["dropped"] == len(docs)
        assert out[task]["speedup_ours_vs_datatrove"] > 0
    n_dups = sum(d["meta"]["dup_of"] is not None for d in docs)
    assert n_dups > 0
    for tool in ("pretrainlab", "datatrove"):  # exact copies share every shingle: both must drop them
        assert out["minhash_dedup"][tool]["recall_by_label"] == {"exact": 1.0}
