"""The benchmark scripts run end to end on CPU at their smallest settings and print the documented JSON.

scaling.py and gpu_bench.py (--device cpu --tiny, which also launches torchrun for the FSDP2 part) run
concurrently as subprocesses, so the module costs about one of them (~15-25 s on 2 busy cores).
throughput.py and the gpu.sh dry run take longer and are marked slow.
"""

from __future__ import annotations

import io
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
TIMEOUT = 240


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(BENCH / script), *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> dict:
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"timed out after {TIMEOUT}s; stderr: {err[-2000:]}")
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out)


@pytest.fixture(scope="module")
def outputs() -> dict:
    procs = {
        "scaling": _start("scaling.py", "--sizes", "nano", "--seq-lens", "32", "--steps", "2", "--warmup", "1",
                          "--batch", "2", "--threads", "1", "--device", "cpu"),
        "gpu_bench": _start("gpu_bench.py", "--device", "cpu", "--tiny", "--threads", "1"),
    }
    return {name: _finish(p) for name, p in procs.items()}


def test_scaling_json(outputs):
    out = outputs["scaling"]
    for key in ("benchmark", "device", "device_name", "torch", "dtype", "batch", "steps", "warmup", "results"):
        assert key in out, key
    assert out["benchmark"] == "scaling" and out["device"] == "cpu" and out["dtype"] == "fp32"
    (row,) = out["results"]
    assert "error" not in row, row
    assert row["size"] == "nano" and row["seq_len"] == 32
    assert len(row["ms_per_step_all"]) == 2  # warmup dropped
    for key in ("params", "flops_per_token", "ms_per_step", "tokens_per_s", "tflops", "peak_rss_mb",
                "baseline_rss_mb", "rss_delta_mb"):
        assert row[key] > 0, key
    assert row["mfu"] is None  # CPU: no peak table
    assert row["tokens_per_s"] == pytest.approx(2 * 32 / (row["ms_per_step"] / 1e3), rel=1e-3)


def test_gpu_bench_json(outputs):
    out = outputs["gpu_bench"]
    assert out["benchmark"] == "gpu_bench" and out["config"]["tiny"] and not out["config"]["compile"]
    parts = out["parts"]
    assert set(parts) == {"single", "fsdp_eager"}
    assert out["summary"]["parts_failed"] == [], {k: v.get("error") for k, v in parts.items()}
    single = parts["single"]
    assert set(single["arms"]) == {"pretrainlab", "plain"}
    for arm in single["arms"].values():
        assert arm["tokens_per_s"] > 0 and arm["ms_per_step"] > 0 and arm["mfu"] is None
        assert len(arm["ms_per_step_rounds"]) == 2
    assert single["ratio_pretrainlab_vs_plain"] > 0 and single["matmul_tflops"] > 0
    fsdp = parts["fsdp_eager"]
    assert fsdp["env"]["world_size"] == 1
    assert fsdp["sharded"].startswith("FSDP")  # wrap_model really applied fully_shard under torchrun
    assert fsdp["arms"]["fsdp_eager"]["tokens_per_s"] > 0
    s = out["summary"]
    assert set(s["arms"]) == {"pretrainlab", "plain", "fsdp_eager"}
    assert s["ratio_fsdp_eager_vs_eager"] > 0


def _scaling_module():
    spec = importlib.util.spec_from_file_location("bench_scaling", BENCH / "scaling.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_peak_flops_table():
    peak = _scaling_module().peak_bf16_flops
    assert peak("NVIDIA H100 80GB HBM3") == 989e12
    assert peak("NVIDIA H100 PCIe") == 756e12
    assert peak("NVIDIA H200") == 989e12
    assert peak("NVIDIA A100-SXM4-80GB") == 312e12
    assert peak("NVIDIA H100 NVL") is None
    assert peak("NVIDIA GeForce RTX 4090") is None


def test_gpu_sh_syntax():
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    for script in ("gpu.sh", "gpu_lease.sh"):
        subprocess.run(["bash", "-n", str(BENCH / script)], check=True)


@pytest.mark.slow
def test_gpu_sh_cpu_dry_run(tmp_path):
    env = {**_env(), "OUT": str(tmp_path), "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(BENCH / "gpu.sh"), "--device", "cpu", "--tiny", "--threads", "1", "--skip-fsdp"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    saved = json.loads((tmp_path / "gpu_bench.json").read_text())
    assert saved["parts"]["single"]["arms"]["pretrainlab"]["tokens_per_s"] > 0
    assert "== python / torch" in (tmp_path / "gpu_bench.log").read_text()


@pytest.mark.slow
def test_gpu_lease_cpu_dry_run(tmp_path):
    """The lease script cuts a recipe off at VISION_S and still ships what finished, in parts that untar."""
    out, lease = tmp_path / "out", tmp_path / "lease"
    env = {**_env(), "OUT": str(out), "PYTHON": sys.executable, "LEASE_DIR": str(lease), "SIZE": "tiny",
           "VISION_S": "20", "GPU_S": "0", "RECIPES": "explora:1"}
    proc = subprocess.run(["bash", str(BENCH / "gpu_lease.sh")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    parts = sorted(out.glob("vision.tgz.part-*"))
    assert parts, proc.stderr[-3000:]
    blob = b"".join(p.read_bytes() for p in parts)
    names = tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz").getnames()
    assert "./explora-tiny.log" in names and not any("data/images" in n for n in names)
    assert "start explora" in (out / "lease.log").read_text()


@pytest.mark.slow
def test_throughput_smoke():
    proc = _start("throughput.py", "--rounds", "1", "--steps", "1", "--warmup", "1", "--no-transformers",
                  "--threads", "1")
    out = _finish(proc)
    assert set(out["ms_per_step"]) == {"pretrainlab", "plain"} and out["ratio_pretrainlab_vs_plain"] > 0
