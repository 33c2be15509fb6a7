"""`pretrainlab sweep` and `pretrainlab compare` from the command line."""

import json

from pretrainlab.cli import main

FAST = ["train.steps=3", "eval.max_items=4", "eval.generations=0", "train.log_every=1", "eval.val_tokens=1024"]


def test_sweep_then_compare(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "quickstart", "--size", "tiny", "--grid", "train.lr=1e-3,3e-3", "--grid",
                 "train.batch_size=4,8", "--out", str(out), "--workers", "2", *FAST]) == 0
    results = json.loads((out / "results.json").read_text())
    assert set(results) == {f"train.lr={lr},train.batch_size={b}" for lr in ("0.001", "0.003") for b in (4, 8)}
    assert "comparison" in capsys.readouterr().out
    run = next(iter(results.values()))["pretrain"]["0"]["run_dir"]
    md, png = tmp_path / "cmp.md", tmp_path / "cmp.png"
    assert main(["compare", str(out), run, "--md", str(md), "--plot", str(png), "--metric", "val/loss"]) == 0
    table = md.read_text()
    assert "val/loss" in table and "train.lr=0.001,train.batch_size=4" in table
    assert png.stat().st_size > 1000
    assert main(["compare", str(tmp_path / "nothing")]) == 2
    assert main(["sweep", "quickstart", "--size", "tiny", "--grid", "train.lr"]) == 2
