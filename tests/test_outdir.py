"""Output directories: runs, experiments and exports never write into a folder of the user's files (issue 18)."""

import json
import os

import pytest

from pretrainlab.outdir import MARKER, OutDirError, claim_dir, legacy_run, owner


def _snapshot(path):
    return {p.relative_to(path): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def test_claim_creates_and_marks(tmp_path):
    out = claim_dir(tmp_path / "a" / "run", "run")
    assert owner(out) == "run" and json.loads((out / MARKER).read_text()) == {"kind": "run"}
    assert claim_dir(out, "run") == out  # ours: accepted again
    empty = tmp_path / "empty"
    empty.mkdir()
    assert owner(claim_dir(empty, "run")) == "run"


@pytest.mark.parametrize("setup, kind, message", [
    (lambda p: p.write_text("notes"), "run", "is a file, not a directory"),
    (lambda p: (p.mkdir(), (p / "thesis.tex").write_text("x")), "run", r"not empty and not a pretrainlab run \(thesis.tex\)"),
    (lambda p: (p.mkdir(), (p / MARKER).write_text('{"kind": "experiment"}')), "run", "holds a pretrainlab experiment"),
    (lambda p: p.parent.joinpath("file").write_text("x"), "run", None),
])
def test_claim_refuses_and_changes_nothing(tmp_path, setup, kind, message):
    target = tmp_path / "out"
    setup(target)
    before = _snapshot(tmp_path)
    if message is None:  # a parent that is a file
        target = tmp_path / "file" / "run"
        message = "a parent of it is a file"
    with pytest.raises(OutDirError, match=message):
        claim_dir(target, kind)
    assert _snapshot(tmp_path) == before


def test_legacy_run_directories_are_recognised(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    (old / "config.yaml").write_text("name: x\n")
    (old / "metrics.jsonl").write_text("")
    assert legacy_run(old) and owner(claim_dir(old, "run", legacy=legacy_run)) == "run"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "config.yaml").write_text("my own config\n")
    with pytest.raises(OutDirError):
        claim_dir(mine, "run", legacy=legacy_run)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_location(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(OutDirError, match="permission denied"):
        claim_dir(ro / "run", "run")


def test_cli_run_refuses_a_users_folder(tmp_path, capsys):
    from pretrainlab.cli import main

    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n")
    before = _snapshot(tmp_path)
    assert main(["run", "quickstart", "--size", "tiny", "--out", str(folder), "train.steps=1"]) == 2
    err = capsys.readouterr().err
    assert "not empty and not a pretrainlab run" in " ".join(err.split()) and "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_export_refuses_user_folders_and_the_run_dir(tmp_path):
    import torch

    from pretrainlab.checkpoint import save_checkpoint
    from pretrainlab.export.hf import export_hf
    from pretrainlab.checkpoint import TrainState
    from tests.conftest import tiny_decoder

    from pretrainlab.data.tokenizer import Tokenizer, TokenizerConfig

    run = tmp_path / "run"
    tok = Tokenizer.train(["hello world " * 50, "the quick brown fox"], TokenizerConfig(vocab_size=320))
    tok.save(tmp_path / "tokenizer.json")
    model = tiny_decoder(seq_len=16)
    save_checkpoint(run / "checkpoints", model, torch.optim.AdamW(model.parameters()), TrainState(),
                    tmp_path / "tokenizer.json", keep_last=1)
    user = tmp_path / "models"
    user.mkdir()
    (user / "keep.txt").write_text("mine")
    before = _snapshot(tmp_path)
    with pytest.raises(OutDirError, match="not empty and not an earlier pretrainlab export"):
        export_hf(run, user)
    with pytest.raises(OutDirError, match="inside the run directory"):
        export_hf(run, run / "hf")
    assert _snapshot(tmp_path) == before
    out = export_hf(run, tmp_path / "hf")
    first = _snapshot(out)
    assert owner(out) == "hf-export" and "model.safetensors" in {str(p) for p in first}
    assert export_hf(run, tmp_path / "hf") == out and _snapshot(out) == first  # re-export replaces our own export
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hf", "models", "run", "tokenizer.json"]  # no temp left
