"""Bad input, as a table: every user mistake ends in one clear message and a non-zero exit, with no
traceback, and nothing the user had is changed (issue 18).

Each row is ``(id, argv, exit code, message fragment)`` plus an optional ``setup`` that writes the bad
files into the test's folder and the paths a case may create there (a run's own directory, say). Rows
run through ``pretrainlab.cli.main`` in-process; interrupts (SIGINT, SIGTERM, SIGKILL) run a real
process and are marked slow. Every case snapshots the folder before and after: files that were there are
unchanged, and nothing new appears outside the paths the row allows.

``{tmp}`` in argv is the case's folder (also the working directory), ``{run}`` a finished two-checkpoint
run shared by the module (read only; rows that damage a run copy it into ``{tmp}/run`` first), ``{q}`` the
quickstart recipe shrunk to seconds (so a mistake that slips through fails fast instead of training).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import torch

from pretrainlab.cli import main

FAST = ("--size tiny train.steps=2 train.batch_size=4 train.warmup_steps=0 train.progress=false train.threads=1 "
        "model.d_model=32 model.n_layers=1 model.n_heads=2 model.ffn_hidden=64 "
        "eval.fact_qa=false eval.arithmetic=false eval.generations=0 eval.report=false eval.val_tokens=128 "
        "data.world.n_docs=120 data.world.n_people=20 data.world.qa_eval_per_group=5 data.world.arith_eval_n=5 "
        "data.tokenizer.vocab_size=300 data.tokenizer.train_docs=120 data.seq_len=32")
Q = f"quickstart {FAST}"
USER = "data.world=null 'data.sources=[{{name: docs, path: {tmp}/docs}}]'"  # a run on the user's files only


@dataclass
class Case:
    id: str
    argv: str
    code: int
    message: str
    setup: Callable[[Path, Path], None] | None = None
    creates: tuple[str, ...] = ()
    """Paths (relative to the case folder) the command may create: outputs of a case that succeeds or
    a run directory claimed before its data was found to be bad."""
    marks: tuple = ()
    slow: bool = False


# --- setup helpers: (tmp, run) -> None --------------------------------------------------------------


def files(**contents: str | bytes) -> Callable[[Path, Path], None]:
    """Write files (``docs__a_txt`` -> ``docs/a.txt``; ``__`` is a folder separator, ``_txt`` the suffix)."""
    def setup(tmp: Path, run: Path) -> None:
        for key, content in contents.items():
            name = key.replace("__", "/")
            for ext in ("_txt", "_jsonl", "_yaml", "_md", "_csv", "_json"):
                if name.endswith(ext):
                    name = name[: -len(ext)] + "." + ext[1:]
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
    return setup


def docs_ok(n: int = 12) -> dict[str, str]:
    return {f"docs__{i:02d}_txt": f"Note {i}. The quick brown fox jumps over the lazy dog. " * 8 for i in range(n)}


def both(*setups) -> Callable[[Path, Path], None]:
    def setup(tmp: Path, run: Path) -> None:
        for s in setups:
            s(tmp, run)
    return setup


def copy_run(tmp: Path, run: Path) -> None:
    shutil.copytree(run, tmp / "run")


def truncate(*steps: int, manifest: bool = True) -> Callable[[Path, Path], None]:
    """Copy the run and cut ``model.safetensors`` of these checkpoints to 100 bytes."""
    def setup(tmp: Path, run: Path) -> None:
        copy_run(tmp, run)
        for step in steps:
            ckpt = tmp / "run" / "checkpoints" / f"step_{step:06d}"
            weights = ckpt / "model.safetensors"
            weights.write_bytes(weights.read_bytes()[:100])
            if not manifest:
                (ckpt / "manifest.json").unlink()
    return setup


def half_written_checkpoint(tmp: Path, run: Path) -> None:
    """A crash while saving step 3: ``step_000003.tmp`` with a partial weights file and no manifest."""
    copy_run(tmp, run)
    partial = tmp / "run" / "checkpoints" / "step_000003.tmp"
    partial.mkdir()
    (partial / "model.safetensors").write_bytes(b"\x00" * 50)


def experiment(text: str) -> Callable[[Path, Path], None]:
    base = "name: e\nbase: {name: b, model: {size: nano}, train: {steps: 2}}\n"
    return files(exp_yaml=base + text)


no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
YAML_OK = "recipe: quickstart\ntrain: {steps: 2}\n"

CASES = [
    # --- config keys and values (run) ---
    Case("typo-key", "run {q} --out {tmp}/out train.setps=3", 2, "did you mean 'train.steps'"),
    Case("typo-section", "run {q} --out {tmp}/out trian.steps=3", 2, "unknown key 'trian'"),
    Case("wrong-type-int", "run {q} --out {tmp}/out train.steps=many", 2, "train.steps: expected int"),
    Case("wrong-type-float", "run {q} --out {tmp}/out train.lr=fast", 2, "train.lr: expected float"),
    Case("wrong-type-bool", "run {q} --out {tmp}/out train.compile=maybe", 2, "train.compile: expected true/false"),
    Case("wrong-type-mapping", "run {q} --out {tmp}/out train=5", 2, "train: expected a mapping"),
    Case("literal-choice", "run {q} --out {tmp}/out train.schedule=cosin", 2, "train.schedule"),
    Case("override-no-equals", "run {q} --out {tmp}/out train.steps", 2, "key=value"),
    Case("grad-accum-zero", "run {q} --out {tmp}/out train.grad_accum=0", 2, "train.grad_accum"),
    Case("grad-accum-negative", "run {q} --out {tmp}/out train.grad_accum=-2", 2, "train.grad_accum"),
    Case("batch-size-zero", "run {q} --out {tmp}/out train.batch_size=0", 2, "train.batch_size"),
    Case("batch-not-divisible", "run {q} --out {tmp}/out train.batch_size=10 train.grad_accum=3", 2,
         "divisible"),
    Case("steps-negative", "run {q} --out {tmp}/out train.steps=-5", 2, "train.steps must be >= 0"),
    Case("lr-negative", "run {q} --out {tmp}/out train.lr=-0.1", 2, "train.lr"),
    Case("warmup-negative", "run {q} --out {tmp}/out train.warmup_steps=-1", 2, "train.warmup_steps"),
    Case("log-every-zero", "run {q} --out {tmp}/out train.log_every=0", 2, "train.log_every"),
    Case("keep-last-negative", "run {q} --out {tmp}/out train.keep_last=-1", 2, "train.keep_last must be >= 0"),
    Case("seq-len-zero", "run {q} --out {tmp}/out data.seq_len=0", 2, "data.seq_len"),
    Case("seq-len-over-max", "run {q} --out {tmp}/out data.seq_len=64 model.max_seq_len=32", 2,
         "model.max_seq_len"),
    Case("heads-do-not-divide", "run {q} --out {tmp}/out model.d_model=30 model.n_heads=4", 2, "model.n_heads"),
    Case("model-size-unknown", "run {q} --out {tmp}/out model.size=huge", 2, "model.size: unknown preset"),
    Case("weights-negative", "run {q} --out {tmp}/out 'data.weights={{story: -1, code: 1}}'", 2,
         "data.weights.story"),
    Case("weights-unknown-source", "run {q} --out {tmp}/out 'data.weights={{storry: 1}}'", 2,
         "data.weights: unknown sources"),
    Case("stages-backwards", "run {q} --out {tmp}/out 'data.stages=[{{weights: {{story: 1}}, until_step: 5}}, "
         "{{weights: {{code: 1}}, until_step: 3}}, {{weights: {{qa: 1}}}}]'", 2, "until_step"),
    Case("stage-weight-negative", "run {q} --out {tmp}/out 'data.stages=[{{weights: {{story: -1, code: 2}}}}]'",
         2, "data.stages[0].weights"),
    Case("insertion-empty-item", "run {q} --out {tmp}/out 'data.insertions=[{{name: c, items: [\"\"]}}]'", 2,
         "data.insertions[c].items[0] is empty"),
    Case("insertion-no-items", "run {q} --out {tmp}/out 'data.insertions=[{{name: c}}]'", 2, "data.insertions[c]: no items"),
    Case("insertion-range-backwards", "run {q} --out {tmp}/out "
         "'data.insertions=[{{name: c, items: [zq xv], start: 0.8, end: 0.2}}]'", 2, "data.insertions[c]: need 0 <= start < end <= 1"),
    Case("insertion-count-zero", "run {q} --out {tmp}/out 'data.insertions=[{{name: c, items: [zq], count: 0}}]'",
         2, "data.insertions[c].count must be >= 1"),
    Case("insertion-bad-jsonl", "run {q} --out {tmp}/out 'data.insertions=[{{name: c, path: {tmp}/ins.jsonl}}]'",
         2, "ins.jsonl:2", files(ins_jsonl='{"text": "zq xv"}\n{oops\n'), creates=("out",)),
    Case("device-cuda-without-cuda", "run {q} --out {tmp}/out train.device=cuda", 2, "CUDA is not available", marks=(no_cuda,)),
    Case("device-unknown", "run {q} --out {tmp}/out train.device=tpu", 2, "train.device: 'tpu' is not a device"),
    Case("recipe-unknown", "run quickstrat --size tiny", 2, "did you mean 'quickstart'"),
    Case("size-unknown", "run quickstart --size huge", 2, "invalid choice: 'huge'"),
    Case("experiment-recipe-in-run", "run rewarm --size tiny", 2, "pretrainlab reproduce rewarm"),
    # --- YAML files ---
    Case("yaml-duplicate-key", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2, "c.yaml:3: duplicate key 'train'",
         files(c_yaml="recipe: quickstart\ntrain: {steps: 2}\ntrain: {lr: 0.1}\n")),
    Case("yaml-duplicate-nested-key", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2,
         "c.yaml:4: duplicate key 'steps'", files(c_yaml="recipe: quickstart\ntrain:\n  steps: 2\n  steps: 3\n")),
    Case("yaml-syntax-error", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2,
         "c.yaml:4: invalid YAML: expected ',' or ']', but got ':' (while parsing a flow sequence on line 3)",
         files(c_yaml="recipe: quickstart\ntrain:\n  steps: [2\nmodel: {size: nano}\n")),
    Case("yaml-not-mapping", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2, "top level must be a mapping",
         files(c_yaml="- recipe: quickstart\n")),
    Case("yaml-empty", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2, "c.yaml: empty", files(c_yaml="# nothing\n")),
    Case("yaml-missing", "run {tmp}/nope.yaml --size tiny", 2, "nope.yaml: config file not found"),
    Case("yaml-unknown-recipe", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2, "did you mean 'quickstart'",
         files(c_yaml="recipe: quickstrt\n")),
    Case("yaml-invalid-utf8", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2, "c.yaml:2: not UTF-8",
         files(c_yaml=b"recipe: quickstart\nname: caf\xe9\n")),
    Case("yaml-is-a-folder", "run {tmp}/c.yaml --size tiny", 2, "c.yaml: is a directory, not a YAML file",
         lambda tmp, run: (tmp / "c.yaml").mkdir()),
    Case("yaml-typo-key", "run {tmp}/c.yaml --size tiny --out {tmp}/out", 2, "did you mean 'train.steps'",
         files(c_yaml="recipe: quickstart\ntrain: {stpes: 2}\n")),
    # --- the user's data files (run on data.sources) ---
    Case("data-bad-json-line", "run {q} --out {tmp}/out " + USER, 2, "web.jsonl:2",
         both(files(**docs_ok()), files(docs__web_jsonl='{"text": "fine text here"}\n{broken\n')), creates=("out",)),
    Case("data-invalid-utf8", "run {q} --out {tmp}/out " + USER, 2, "bad.txt",
         both(files(**docs_ok()), files(docs__bad_txt=b"caf\xe9 \xff\xfe text")), creates=("out",)),
    Case("data-empty-file", "run {q} --out {tmp}/out " + USER, 2, "empty.txt",
         both(files(**docs_ok()), files(docs__empty_txt="")), creates=("out",)),
    Case("data-missing-text-field", "run {q} --out {tmp}/out " + USER, 2, "'text'",
         both(files(**docs_ok()), files(docs__w_jsonl='{"body": "some text"}\n')), creates=("out",)),
    Case("data-no-usable-files", "run {q} --out {tmp}/out " + USER, 2, "docs",
         files(docs__a_csv="a,b\n1,2\n"), creates=("out",)),
    Case("data-source-missing", "run {q} --out {tmp}/out " + USER, 2, "docs", creates=("out",)),
    Case("data-source-weight-negative", "run {q} --out {tmp}/out data.world=null "
         "'data.sources=[{{name: docs, path: {tmp}/docs, weight: -1}}]'", 2, "data.sources[docs].weight must be >= 0",
         files(**docs_ok())),
    Case("data-no-data", "run {q} --out {tmp}/out data.world=null", 2, "no data"),
    # --- paths ---
    Case("out-is-a-file", "run {q} --out {tmp}/notes.txt", 2, "is a file, not a directory",
         files(notes_txt="my notes")),
    Case("out-user-folder", "run {q} --out {tmp}/thesis", 2, "not empty and not a pretrainlab run",
         files(thesis__main_tex="\\documentclass{article}")),
    Case("out-under-a-file", "run {q} --out {tmp}/notes.txt/run", 2, "a parent of it is a file",
         files(notes_txt="my notes")),
    Case("out-experiment-dir", "run {q} --out {tmp}/exp", 2, "holds a pretrainlab experiment",
         lambda tmp, run: ((tmp / "exp").mkdir(), (tmp / "exp" / ".pretrainlab").write_text('{"kind": "experiment"}'))),
    Case("resume-changed-config", "run {q} --out {tmp}/run train.ckpt_every=1 train.keep_last=3 train.lr=0.1 --resume",
         2, "train.lr", copy_run),
    Case("resume-all-truncated", "run {q} --out {tmp}/run train.ckpt_every=1 train.keep_last=3 --resume", 2,
         "damaged", truncate(1, 2)),
    Case("resume-user-folder", "run {q} --out {tmp}/thesis --resume", 2, "not empty and not a pretrainlab run",
         files(thesis__main_tex="\\documentclass{article}")),
    Case("export-into-user-folder", "export {run} --to hf {tmp}/mine", 2, "mine",
         files(mine__weights_bin="precious")),
    Case("export-into-run-dir", "export {tmp}/run --to hf {tmp}/run/hf", 2, "inside the run", copy_run),
    Case("export-onto-run-dir", "export {tmp}/run --to hf {tmp}/run", 2, "is the run directory", copy_run),
    Case("export-to-onnx", "export {run} --to onnx {tmp}/x", 2, "only 'hf'"),
    Case("export-not-a-run", "export {tmp}/notrun --to hf {tmp}/x", 2, "no checkpoint found",
         files(notrun__a_txt="x")),
    Case("eval-not-a-run", "eval {tmp}/notrun", 2, "not a run directory", files(notrun__a_txt="x")),
    Case("eval-missing-dir", "eval {tmp}/nowhere", 2, "nowhere"),
    Case("generate-not-a-run", "generate {tmp}/notrun --prompt hi", 2, "not a run directory",
         files(notrun__a_txt="x")),
    Case("eval-newest-truncated-falls-back", "eval {tmp}/run", 0, "step_000002 is damaged", truncate(2),
         creates=("run/eval.json",)),
    Case("generate-newest-truncated-falls-back", "generate {tmp}/run --prompt Once --max-tokens 3", 0,
         "step_000002 is damaged", truncate(2)),
    Case("eval-all-truncated", "eval {tmp}/run", 2, "every checkpoint is damaged", truncate(1, 2)),
    Case("export-all-truncated", "export {tmp}/run --to hf {tmp}/hf", 2, "every checkpoint is damaged",
         truncate(1, 2)),
    Case("generate-truncated-no-manifest", "generate {tmp}/run --prompt Once --max-tokens 3", 2,
         "model.safetensors", truncate(2, manifest=False)),
    Case("eval-ignores-half-written-checkpoint", "eval {tmp}/run", 0, "val/loss", half_written_checkpoint,
         creates=("run/eval.json",)),
    Case("synth-out-is-a-file", "data synth --out {tmp}/notes.txt n_docs=20", 2, "is a file",
         files(notes_txt="my notes")),
    Case("synth-out-user-folder", "data synth --out {tmp}/mine n_docs=20", 2, "not empty",
         files(mine__world_txt="my own world")),
    Case("synth-bad-knob", "data synth --out {tmp}/w n_dcs=5", 2, "did you mean 'world.n_docs'"),
    Case("synth-negative-docs", "data synth --out {tmp}/w n_docs=-5", 2, "world: n_docs must be >= 2"),
    Case("prepare-out-is-a-file", "data prepare {q} --out {tmp}/notes.txt", 2, "is a file",
         files(notes_txt="my notes")),
    Case("curate-missing-pipeline", "data curate {tmp}/p.yaml", 2, "p.yaml: config file not found"),
    Case("curate-unknown-step", "data curate {tmp}/p.yaml", 2, "gopher_quality",
         files(p_yaml="input: {tmp}/in\noutput: {tmp}/cur\nsteps:\n  - name: gopher_qualty\n")),
    Case("curate-output-user-folder", "data curate {tmp}/p.yaml", 2, "not empty",
         files(p_yaml="input: in.jsonl\noutput: mine\nsteps:\n  - name: exact_dedup\n",
               in_jsonl='{"text": "a document"}\n', mine__notes_txt="mine")),
    Case("inspect-not-a-store", "data inspect {tmp}/notrun", 2, "store", files(notrun__a_txt="x")),
    # --- command-line arguments ---
    Case("generate-negative-max-tokens", "generate {run} --prompt hi --max-tokens -5", 2, "--max-tokens"),
    Case("generate-negative-temperature", "generate {run} --prompt hi --temperature -1", 2, "--temperature"),
    Case("generate-top-k-zero", "generate {run} --prompt hi --top-k 0", 2, "--top-k"),
    Case("reproduce-negative-seeds", "reproduce rewarm --size tiny --seeds -2", 2, "--seeds must be at least 1"),
    Case("reproduce-negative-workers", "reproduce rewarm --size tiny --workers -1 --out {tmp}/e", 2, "workers"),
    Case("reproduce-unknown-recipe", "reproduce rewarn --size tiny", 2, "did you mean 'rewarm'"),
    Case("reproduce-out-is-a-file", "reproduce quickstart --size tiny --out {tmp}/notes.txt", 2, "is a file",
         files(notes_txt="my notes")),
    Case("sweep-negative-seeds", "sweep {q} --grid train.lr=1e-3,2e-3 --seeds -1 --out {tmp}/s", 2, "seeds"),
    Case("sweep-grid-without-values", "sweep {q} --grid train.lr --out {tmp}/s", 2, "expected key=v1,v2"),
    Case("sweep-grid-unknown-key", "sweep {q} --grid train.lrr=1,2 --out {tmp}/s", 2, "did you mean 'train.lr'"),
    Case("sweep-out-user-folder", "sweep {q} --grid train.lr=1e-3,2e-3 --out {tmp}/mine", 2, "not empty",
         files(mine__notes_txt="mine")),
    Case("compare-missing-dirs", "compare {tmp}/a {tmp}/b", 2, "a"),
    Case("compare-not-runs", "compare {tmp}/notrun", 2, "notrun", files(notrun__a_txt="x")),
    Case("verdicts-archive-not-experiment", "verdicts archive {tmp}/notexp --recipe rewarm --size tiny --dest {tmp}/v",
         2, "no claims.json", files(notexp__a_txt="x")),
    Case("report-not-experiment", "report {tmp}/notexp", 2, "notexp", files(notexp__a_txt="x")),
    Case("list-unknown-kind", "list modles", 2, "did you mean 'models'"),
    # --- experiments ---
    Case("exp-unknown-arm-key", "reproduce {tmp}/exp.yaml --out {tmp}/e", 2, "did you mean 'arms.a.overrides'",
         experiment("arms: {a: {overides: {train.lr: 0.1}}}\n")),
    Case("exp-claim-missing-arm", "reproduce {tmp}/exp.yaml --out {tmp}/e", 2, "unknown arm 'c'",
         experiment("arms: {a: {}, b: {}}\nclaims: [{name: x, kind: greater, metric: val/loss, arms: [a, c]}]\n")),
    Case("exp-claim-missing-metric", "reproduce {tmp}/exp.yaml --out {tmp}/e", 2, "does not report metric 'val/los'",
         experiment("arms: {a: {}, b: {}}\nclaims: [{name: x, kind: greater, metric: val/los, arms: [a, b]}]\n")),
    Case("exp-claim-bad-kind", "reproduce {tmp}/exp.yaml --out {tmp}/e", 2, "claims[0].kind",
         experiment("arms: {a: {}, b: {}}\nclaims: [{name: x, kind: bigger, metric: val/loss, arms: [a, b]}]\n")),
    Case("exp-arm-bad-override", "reproduce {tmp}/exp.yaml --out {tmp}/e", 2, "arm 'a' stage 'pretrain'",
         experiment("arms: {a: {overrides: {train.grad_accum: 0}}}\n")),
    Case("exp-duplicate-key", "reproduce {tmp}/exp.yaml --out {tmp}/e", 2, "exp.yaml:4: duplicate key 'arms'",
         experiment("arms: {a: {}}\narms: {b: {}}\n")),
    Case("exp-negative-seeds", "reproduce {tmp}/exp.yaml --seeds 0 --out {tmp}/e", 2, "--seeds must be at least 1",
         experiment("arms: {a: {}}\n")),
]


def _snapshot(root: Path) -> dict[str, bytes | None]:
    out: dict[str, bytes | None] = {}
    for p in root.rglob("*"):
        rel = p.relative_to(root).as_posix()
        out[rel] = p.read_bytes() if p.is_file() and not p.is_symlink() else None
    return out


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    """A finished run with checkpoints at steps 1 and 2 (a few seconds)."""
    out = tmp_path_factory.mktemp("bad_input") / "run"
    assert main(["run", *shlex.split(Q), "--out", str(out), "train.ckpt_every=1", "train.keep_last=3"]) == 0
    assert [p.name for p in sorted((out / "checkpoints").iterdir())] == ["step_000001", "step_000002"]
    return out


def _uses_run(case: Case) -> bool:
    return "{run}" in case.argv or case.setup in (copy_run, half_written_checkpoint) or \
        getattr(case.setup, "__qualname__", "").startswith("truncate")


def _params():
    for case in CASES:
        marks = list(case.marks) + ([pytest.mark.slow] if case.slow else [])
        yield pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_bad_input(case: Case, tmp_path, monkeypatch, capsys, caplog, request):
    run = request.getfixturevalue("finished_run") if _uses_run(case) else tmp_path / "no-run"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # default outputs (runs/...) land here and are caught by the snapshot
    monkeypatch.delenv("PRETRAINLAB_DEBUG", raising=False)
    if case.setup is not None:
        case.setup(work, run)
        for p in work.rglob("*.yaml"):  # setups may name the case folder
            if p.is_file() and "{tmp}" in p.read_text(errors="replace"):
                p.write_text(p.read_text().replace("{tmp}", str(work)))
    argv = [a.format(tmp=work, run=run, q=Q) for a in shlex.split(case.argv)]
    argv = [b for a in argv for b in (shlex.split(a) if a == Q else [a])]
    before = _snapshot(work)
    capsys.readouterr()
    with caplog.at_level(logging.WARNING):
        try:
            code = main(argv)
        except SystemExit as e:  # argparse
            code = e.code
    captured = capsys.readouterr()
    text = captured.err + captured.out + caplog.text
    flat = re.sub(r"\s+", "", text)  # rich wraps long lines, even inside a path
    assert code == case.code, f"exit {code}, expected {case.code}:\n{text[-3000:]}"
    assert "Traceback" not in text
    assert re.sub(r"\s+", "", case.message) in flat, f"{case.message!r} not in:\n{text[-3000:]}"
    after = _snapshot(work)
    changed = sorted(k for k, v in before.items() if after.get(k, "gone") != v)
    assert not changed, f"changed or deleted: {changed}"
    new = sorted(k for k in after if k not in before and not any(k == c or k.startswith(c + "/")
                                                                    for c in case.creates))
    assert not new, f"left behind: {new[:10]}"


def test_table_covers_every_subcommand():
    assert len(CASES) >= 60
    used = {shlex.split(c.argv)[0] for c in CASES} | {" ".join(shlex.split(c.argv)[:2]) for c in CASES}
    for cmd in ("run", "reproduce", "sweep", "compare", "eval", "generate", "export", "data synth",
                "data prepare", "data curate", "data inspect", "verdicts", "list", "report"):
        assert cmd in used, cmd


# --- interrupts: a real process -----------------------------------------------------------------------

LONG = shlex.split(Q) + ["train.steps=400", "train.log_every=1", "train.ckpt_every=5"]


def _start(out: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PRETRAINLAB_DEBUG": ""}
    return subprocess.Popen([sys.executable, "-m", "pretrainlab.cli", "run", *LONG, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _wait_for(proc: subprocess.Popen, ready: Callable[[], bool]) -> None:
    t0 = time.time()
    while not ready():
        assert proc.poll() is None, proc.communicate()[0][-3000:]
        assert time.time() - t0 < 300, "the run never got going"
        time.sleep(0.1)


def _logged_steps(out: Path) -> list[int]:
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    return [r["step"] for r in rows if "train/loss" in r]


def _resume(out: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "pretrainlab.cli", "run", *LONG, "--out", str(out), "--resume"],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert res.returncode == 0, res.stderr[-3000:]
    assert (out / "summary.json").exists()
    assert _logged_steps(out) == list(range(1, 401))  # trimmed to the checkpoint, then continued


@pytest.mark.slow  # ~30 s each: a run, stopped, then resumed
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_with_a_checkpoint_and_resume_finishes(tmp_path, sig):
    out = tmp_path / "run"
    proc = _start(out)
    metrics = out / "metrics.jsonl"
    _wait_for(proc, lambda: metrics.exists() and metrics.read_text().count("\n") >= 3)
    proc.send_signal(sig)
    text = proc.communicate(timeout=120)[0]
    assert proc.returncode == 130, text[-3000:]
    assert "Traceback" not in text and "interrupted:" in text and "--resume" in text
    ckpts = sorted((out / "checkpoints").glob("step_*"))
    assert ckpts and not any(p.name.endswith(".tmp") for p in ckpts)
    _resume(out)


@pytest.mark.slow
def test_sigkill_then_resume_continues(tmp_path):
    out = tmp_path / "run"
    proc = _start(out)
    _wait_for(proc, lambda: any((out / "checkpoints").glob("step_*[0-9]")))
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    (out / "checkpoints" / "step_000399.tmp").mkdir()  # as if killed while writing a checkpoint
    (out / "checkpoints" / "step_000399.tmp" / "model.safetensors").write_bytes(b"\0" * 10)
    _resume(out)
