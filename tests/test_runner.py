"""Runs: continued pretraining, refusing to clobber a run, CLI eval/generate/export on a finished run."""

import json

import pytest

from pretrainlab.cli import main
from pretrainlab.config import apply_overrides
from pretrainlab.recipes import recipe_config
from pretrainlab.run_config import build_run_config
from pretrainlab.runner import RunError, execute

FAST = ["train.steps=10", "train.progress=false", "train.threads=1", "eval.generations=1", "eval.max_items=8"]


def _cfg(*extra):
    return build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), FAST + list(extra)))


@pytest.fixture(scope="module")
def base_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "base"
    summary = execute(_cfg(), out)
    return out, summary


def test_summary_keys(base_run):
    out, summary = base_run
    keys = {"val/loss", "val/bpb", "baseline/unigram_loss", "eval/fact_qa/train_people", "eval/fact_qa/test_people",
            "eval/arithmetic", "train/tokens_per_s", "wall_s", "params"}
    assert keys <= set(summary)
    assert {f"val/loss/{d}" for d in ("story", "encyclopedia", "dialog", "arithmetic", "code", "qa")} <= set(summary)
    assert json.loads((out / "summary.json").read_text())["step"] == 10
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "val/loss" in html


def test_run_info_records_provenance(base_run):
    (session,) = json.loads((base_run[0] / "run_info.json").read_text())["sessions"]
    assert session["start_step"] == 0 and session["end"] >= session["start"]
    assert {"commit", "dirty"} <= set(session["git"]) and session["packages"]["torch"]
    assert session["machine"]["cores"] >= 1 and isinstance(session["machine"]["cpu_flags"], list)
    assert session["command"]  # the argv of the process that ran it


def test_existing_run_is_not_clobbered(base_run):
    with pytest.raises(RunError, match="--resume"):
        execute(_cfg(), base_run[0])


def test_continued_pretraining_starts_from_weights(base_run, tmp_path):
    out, summary = base_run
    cont = execute(_cfg(f"train.init_from={out}", "train.steps=2", "train.warmup_steps=2"), tmp_path / "cont")
    scratch = execute(_cfg("train.steps=2", "train.warmup_steps=2"), tmp_path / "scratch")
    assert cont["val/loss"] < scratch["val/loss"] - 0.2  # it kept what the base run learned


def test_cli_eval_generate_export(base_run, tmp_path, capsys):
    out, summary = base_run
    assert main(["eval", str(out)]) == 0
    evaluated = json.loads((out / "eval.json").read_text())
    assert evaluated["val/loss"] == pytest.approx(summary["val/loss"], rel=1e-5)
    capsys.readouterr()
    assert main(["generate", str(out), "--prompt", "Once upon a time", "--max-tokens", "8"]) == 0
    assert capsys.readouterr().out.startswith("Once upon a time")
    assert main(["export", str(out), "--to", "hf", str(tmp_path / "hf")]) == 0
    assert (tmp_path / "hf" / "config.json").exists() and (tmp_path / "hf" / "tokenizer_config.json").exists()
    assert main(["eval", str(tmp_path / "nope")]) == 2
