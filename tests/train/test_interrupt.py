"""Ctrl-C / SIGTERM stop a run after the current step, with a checkpoint and a resume hint (issue 18)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from pretrainlab.checkpoint import list_checkpoints
from pretrainlab.train.callbacks import Checkpointer
from pretrainlab.train.callbacks.base import Callback
from pretrainlab.train.config import TrainConfig
from pretrainlab.train.interrupt import RunInterrupted
from tests.train.test_loop import BATCH, _trainer


class SignalAt(Callback):
    def __init__(self, step: int, sig=signal.SIGTERM, times: int = 1):
        self.step, self.sig, self.times = step, sig, times

    def on_step_end(self, trainer, metrics):
        if trainer.state.step == self.step:
            for _ in range(self.times):
                os.kill(os.getpid(), self.sig)


@pytest.mark.parametrize("save", [True, False])
def test_signal_stops_after_the_step_with_a_checkpoint(tmp_path, save):
    cfg = TrainConfig(steps=10, batch_size=8, progress=False, warmup_steps=0, dtype="fp32", ckpt_on_interrupt=save)
    tr = _trainer(cfg, lambda s, m: BATCH)
    tr.callbacks = [SignalAt(3), Checkpointer(tmp_path / "ckpt", every=0, keep_last=2, tokenizer_path=None)]
    with pytest.raises(RunInterrupted, match="stopped by SIGTERM after step 3") as info:
        tr.fit()
    assert tr.state.step == 3
    steps = [int(p.name.split("_")[1]) for p in list_checkpoints(tmp_path / "ckpt")] if save else []
    assert steps == ([3] if save else [])
    assert (info.value.checkpoint is not None) == save
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored


def test_second_signal_stops_at_once():
    cfg = TrainConfig(steps=10, batch_size=8, progress=False, warmup_steps=0, dtype="fp32")
    tr = _trainer(cfg, lambda s, m: BATCH)
    tr.callbacks = [SignalAt(2, signal.SIGINT, times=2)]
    with pytest.raises(KeyboardInterrupt, match="SIGINT again"):
        tr.fit()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.slow  # ~1 min: data preparation and two processes
def test_cli_ctrl_c_checkpoints_and_resumes(tmp_path):
    """A real run interrupted with SIGINT: exit 130, no traceback, the resume hint, and --resume finishes it."""
    out = tmp_path / "run"
    args = ["run", "quickstart", "--size", "tiny", "--out", str(out), "train.steps=60", "train.log_every=1",
            "train.progress=false", "train.threads=1", "eval.fact_qa=false", "eval.arithmetic=false",
            "eval.generations=0", "eval.report=false", "eval.val_tokens=1024"]
    proc = subprocess.Popen([sys.executable, "-m", "pretrainlab.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    metrics, t0 = out / "metrics.jsonl", time.time()
    while not (metrics.exists() and metrics.read_text().count("\n") >= 2) and time.time() - t0 < 240:
        assert proc.poll() is None, proc.communicate()[0][-3000:]
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    text = proc.communicate(timeout=120)[0]
    assert proc.returncode == 130, text[-3000:]
    assert "Traceback" not in text and "interrupted:" in text and "--resume" in text
    (ckpt,) = list_checkpoints(out / "checkpoints")
    stopped = int(ckpt.name.split("_")[1])
    assert 2 <= stopped < 60
    resumed = subprocess.run([sys.executable, "-m", "pretrainlab.cli", *args, "--resume"], capture_output=True,
                             text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (out / "summary.json").exists()
    rows = [json.loads(x) for x in metrics.read_text().splitlines()]
    steps = [r["step"] for r in rows if "train/loss" in r]
    assert steps == list(range(1, 61))  # the log trimmed to the checkpoint, then continued: no gap, no repeat
