"""The Python API (issue 17): ``import pretrainlab`` stays light, run / load_run / reproduce work, the README's
"Use from Python" example runs as written, and ``python -m pretrainlab`` is the CLI."""

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pretrainlab

README = Path(__file__).resolve().parents[1] / "README.md"
FAST = ["train.steps=6", "train.log_every=3", "train.threads=1", "train.progress=false", "eval.fact_qa=false",
        "eval.arithmetic=false", "eval.generations=0", "eval.report=false", "eval.val_tokens=1024"]


def test_import_is_light_and_versioned():
    code = "import sys, pretrainlab; print(pretrainlab.__version__); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", out[0]) and out[1] == "False"
    assert pretrainlab.Trainer.__name__ == "Trainer" and callable(pretrainlab.run)
    importlib.import_module("pretrainlab.run.execute")  # binds the run/ package as pretrainlab.run: still callable
    assert callable(pretrainlab.run) and pretrainlab.run.execute.execute
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pretrainlab.nope  # noqa: B018


def test_python_m_pretrainlab_is_the_cli():
    out = subprocess.run([sys.executable, "-m", "pretrainlab", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"pretrainlab {pretrainlab.__version__}"


def test_run_then_load_run(tmp_path):
    import torch

    summary = pretrainlab.run("quickstart", out=tmp_path / "qs", size="tiny", overrides=FAST)
    assert summary["step"] == 6 and summary["val/loss"] > 0
    loaded = pretrainlab.load_run(tmp_path / "qs")
    assert loaded.summary["val/loss"] == summary["val/loss"] and loaded.config.train.steps == 6
    ids = torch.tensor([loaded.inputs.encode("Once upon a time")])
    assert loaded.model(ids).shape[-1] == loaded.model.cfg.vocab_size and not loaded.model.training


def test_readme_python_example_runs(tmp_path, monkeypatch):
    text = README.read_text()
    section = text[text.index("## Use from Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "README.md: Use from Python", "exec"), scope)  # noqa: S102 - our own README
    assert (tmp_path / "runs" / "py-qs" / "summary.json").exists()
