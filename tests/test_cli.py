"""CLI: user-data runs, data commands, clear errors."""

import json

import pytest

from pretrainlab.cli import main


def test_unknown_key_and_recipe_errors(capsys):
    assert main(["run", "quickstart", "--size", "tiny", "train.setps=3"]) == 2
    assert "did you mean 'train.steps'" in capsys.readouterr().err
    assert main(["run", "quickstrat"]) == 2
    assert "did you mean 'quickstart'" in capsys.readouterr().err


def test_run_on_user_files_only(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(30):
        (docs / f"{i:02d}.txt").write_text(f"Note {i}. The quick brown fox jumps over the lazy dog. " * 20)
    web = tmp_path / "web.jsonl"
    web.write_text("".join(json.dumps({"body": f"Web page {i} talks about cats and dogs. " * 15}) + "\n"
                           for i in range(40)) + "{broken\n")
    out = tmp_path / "run"
    args = ["run", "quickstart", "--size", "tiny", "--out", str(out), "data.world=null", "train.steps=6",
            "train.progress=false", f"data.sources=[{{name: docs, path: {docs}, val_docs: 3}}, "
            f"{{name: web, path: {web}, text_field: body, weight: 0.3, val_docs: 3}}]"]
    assert main(args) == 2  # the broken JSON line stops the run, naming file and line
    err = capsys.readouterr().err
    assert "web.jsonl:41" in err and "skip" in err
    args[-1] = args[-1].replace("weight: 0.3", "weight: 0.3, on_error: skip")
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert {"val/loss/docs", "val/loss/web", "baseline/unigram_loss"} <= set(summary)
    prepared = json.loads((out / "data" / "prepared.json").read_text())
    assert prepared["read_stats"]["web"]["skipped"] == 1
    assert main(["data", "inspect", str(out)]) == 0
    assert "docs" in capsys.readouterr().out


def test_data_synth_and_prepare(tmp_path, capsys):
    assert main(["data", "synth", "--out", str(tmp_path / "w"), "n_docs=200", "n_people=30", "seed=1"]) == 0
    assert (tmp_path / "w" / "world.json").exists()
    assert main(["data", "synth", "--out", str(tmp_path / "w"), "n_dcs=5"]) == 2
    assert "did you mean 'world.n_docs'" in capsys.readouterr().err
    assert main(["data", "prepare", "quickstart", "--size", "tiny", "--out", str(tmp_path / "p")]) == 0
    assert (tmp_path / "p" / "store" / "store.json").exists()


def test_yaml_config_with_recipe_base(tmp_path, capsys):
    cfg = tmp_path / "exp.yaml"
    cfg.write_text("recipe: quickstart\nmodel: {size: nano}\ntrain: {steps: 3, progress: false}\n"
                   "eval: {max_items: 4, generations: 0}\n")
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--size", "tiny", "--out", str(out), "train.lr=1e-3"]) == 0
    saved = (out / "config.yaml").read_text()
    assert "lr: 0.001" in saved and "steps: 3" in saved and "n_docs: 800" in saved
    bad = tmp_path / "bad.yaml"
    bad.write_text("recipe: quickstart\ntrain: {stesp: 3}\n")
    assert main(["run", str(bad), "--size", "tiny"]) == 2
    assert "did you mean 'train.steps'" in capsys.readouterr().err
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2


def test_data_curate_cli(tmp_path, capsys):
    world = tmp_path / "world"
    assert main(["data", "synth", "--out", str(world), "n_docs=200", "n_people=30", "noise_rate=0.3",
                 "dup_rate=0.05"]) == 0
    pipeline = tmp_path / "p.yaml"
    pipeline.write_text(f"input: {world}/train\noutput: {tmp_path}/cur\nworkers: 1\nsteps:\n"
                        "  - name: gopher_repetition\n    domains: [story, encyclopedia, dialog]\n"
                        "  - name: exact_dedup\n")
    assert main(["data", "curate", str(pipeline)]) == 0
    report = json.loads((tmp_path / "cur" / "curation_report.json").read_text())
    assert report["totals"]["dropped"] > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"input: {world}/train\noutput: {tmp_path}/x\nsteps:\n  - name: gopher_qualty\n")
    assert main(["data", "curate", str(bad)]) == 2
    assert "gopher_quality" in capsys.readouterr().err


def test_config_prints_the_resolved_config_and_its_keys(capsys):
    import yaml

    assert main(["config", "quickstart", "--size", "tiny", "train.steps=7"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["train"]["steps"] == 7
    assert main(["config", "quickstart", "--size", "tiny", "--keys", "train.eval"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "train.eval_every" in out and "Validation loss every N steps" in out and "train.steps" not in out
    assert main(["config", "quickstart", "--keys", "nope."]) == 2


def test_config_keys_cover_every_modality():
    from pretrainlab.config_keys import config_keys
    from pretrainlab.run_config import build_run_config

    keys = {k.key for k in config_keys(build_run_config({"modality": "image"}))}
    assert {"train.steps", "data.world.kind", "eval.protocols"} <= keys


def test_every_argument_has_help_and_every_subcommand_an_example():
    import argparse

    from pretrainlab.cli import EXAMPLES, _leaves, build_parser

    parser = build_parser()
    leaves = list(_leaves(parser))
    assert {p.prog.removeprefix("pretrainlab ") for p in leaves} == set(EXAMPLES)
    for p in leaves:
        assert p.epilog.startswith("example: pretrainlab ")
        for action in p._actions:
            if not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                assert action.help, f"{p.prog} {action.dest}: no help"
