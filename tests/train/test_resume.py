"""Resume after a hard kill continues bit-identically on CPU (issue #2)."""

import os
import signal
import subprocess
import sys
import textwrap

from safetensors.torch import load_file

from pretrainlab.recipes import recipe_config
from pretrainlab.run_config import build_run_config
from pretrainlab.config import apply_overrides
from pretrainlab.runner import execute
from pretrainlab.checkpoint import list_checkpoints

N = 8
OVERRIDES = [f"train.steps={2 * N}", f"train.ckpt_every={N}", "train.eval_every=0", "train.progress=false",
             "train.threads=1", "train.keep_last=5", "eval.report=false", "eval.fact_qa=false",
             "eval.arithmetic=false", "eval.generations=0"]


def _cfg():
    return build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), list(OVERRIDES)))


def test_kill_and_resume_is_bit_identical(tmp_path):
    straight = tmp_path / "straight"
    execute(_cfg(), straight)

    crashed = tmp_path / "crashed"
    script = textwrap.dedent(f"""
        import os, signal
        from pretrainlab.config import apply_overrides
        from pretrainlab.recipes import recipe_config
        from pretrainlab.run_config import build_run_config
        from pretrainlab.runner import execute
        from pretrainlab.train.callbacks import Callback

        class Kill(Callback):
            def on_step_end(self, trainer, metrics):
                if trainer.state.step == {N} + 3:
                    os.kill(os.getpid(), signal.SIGKILL)

        cfg = build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), {OVERRIDES!r}))
        execute(cfg, {str(crashed)!r}, extra_callbacks=[Kill()])
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert [p.name for p in list_checkpoints(crashed / "checkpoints")] == [f"step_{N:06d}"]

    summary = execute(_cfg(), crashed, resume=True)
    assert summary["step"] == 2 * N
    a = load_file(str(straight / "checkpoints" / f"step_{2 * N:06d}" / "model.safetensors"))
    b = load_file(str(crashed / "checkpoints" / f"step_{2 * N:06d}" / "model.safetensors"))
    assert a.keys() == b.keys()
    for k in a:
        assert (a[k] == b[k]).all(), k
    # the metrics log continues without a gap or a duplicate
    steps = [int(line.split('"step": ')[1].split(",")[0]) for line in
             (crashed / "metrics.jsonl").read_text().splitlines() if '"train/loss"' in line]
    assert steps == sorted(set(steps))
    assert os.path.exists(crashed / "summary.json")
