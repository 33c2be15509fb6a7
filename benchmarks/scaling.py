"""Training speed and memory versus model size and sequence length, through the real pretrainlab Trainer.

For every (preset, seq_len) pair it trains a fresh Decoder with ``Trainer.fit`` (AdamW as the runner
builds it, the metrics logger callback, random tokens), drops ``--warmup`` steps and reports the median
of ``--steps`` per-step times (a callback synchronises the device at each step end).

Each configuration runs in a fresh subprocess, so memory peaks do not accumulate and a CUDA OOM only
fails its own row:
  * CPU: ``peak_rss_mb`` = ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that subprocess, which includes
    the Python + torch import (``baseline_rss_mb``, measured before the model is built); ``rss_delta_mb``
    is the difference (model, optimizer state, activations).
  * CUDA: ``peak_mem_mb`` = ``torch.cuda.max_memory_allocated`` (tensors only, not the caching allocator's
    reserve or the CUDA context).

MFU (CUDA only) = flops_per_token(seq_len) x tokens/s / peak dense bf16 FLOP/s of the device, from
``PEAK_BF16_FLOPS`` by device name (unknown devices -> null; ``--peak-tflops`` overrides). FLOPs use
``Decoder.flops_per_token``: 6 N + 12 L T D (PaLM appendix B; attention counted without the causal half).

    python benchmarks/scaling.py [--sizes nano,micro,mini,small] [--seq-lens 128,256,512] [--batch 8]
        [--device auto|cpu|cuda] [--dtype auto|fp32|bf16] [--steps 10] [--warmup 3] [--threads 0] [--compile]

Prints one JSON object: {"benchmark": "scaling", ..., "results": [{"size", "seq_len", "ms_per_step",
"tokens_per_s", "tflops", "mfu", "peak_rss_mb" | "peak_mem_mb", ...}, ...]}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Dense (no sparsity) bf16 tensor-core peaks, FLOP/s, from the vendors' data sheets.
PEAK_BF16_FLOPS = {"H100 SXM": 989e12, "H100 PCIe": 756e12, "H200": 989e12, "A100": 312e12}


def peak_bf16_flops(device_name: str) -> float | None:
    """Peak dense bf16 FLOP/s for a CUDA device name as torch reports it, or None when unknown.

    'NVIDIA H100 80GB HBM3' is the SXM part, 'NVIDIA H100 PCIe' the PCIe one; other H100 variants
    (NVL) are not in the table and give None rather than a guess.
    """
    n = device_name.upper()
    if "H200" in n:
        return PEAK_BF16_FLOPS["H200"]
    if "H100" in n:
        if "PCIE" in n:
            return PEAK_BF16_FLOPS["H100 PCIe"]
        if "SXM" in n or "HBM3" in n:
            return PEAK_BF16_FLOPS["H100 SXM"]
        return None
    if "A100" in n:
        return PEAK_BF16_FLOPS["A100"]
    return None


def rss_mb() -> float:
    """Peak resident set size of this process so far, MB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 2**20 if sys.platform == "darwin" else r / 2**10


def sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_name(device) -> str:
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return platform.processor() or platform.machine()


def pick(device: str):
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch.cuda.is_available() is False")
    return torch.device(device)


def resolve_dtype(dtype: str, device) -> str:
    return ("bf16" if device.type == "cuda" else "fp32") if dtype == "auto" else dtype


def step_timer():
    """A Trainer callback recording a device-synchronised timestamp at train start and every step end."""
    from pretrainlab.train.callbacks.base import Callback

    class StepTimer(Callback):
        def __init__(self):
            self.stamps: list[float] = []

        def on_train_start(self, trainer) -> None:
            sync(trainer.device)
            self.stamps.append(time.perf_counter())

        def on_step_end(self, trainer, metrics: dict) -> None:
            sync(trainer.device)
            self.stamps.append(time.perf_counter())

        def step_times(self) -> list[float]:
            return [b - a for a, b in zip(self.stamps, self.stamps[1:])]

    return StepTimer()


def measure(size: str, seq_len: int, args) -> dict:
    """One configuration, in this process: build, train warmup + steps with Trainer.fit, report."""
    import torch

    from pretrainlab.models.decoder import PRESETS, Decoder, DecoderConfig
    from pretrainlab.objectives.causal_lm import CausalLM
    from pretrainlab.optim.adamw import build_adamw
    from pretrainlab.train.callbacks import MetricsLogger
    from pretrainlab.train.config import TrainConfig
    from pretrainlab.train.loop import Trainer

    if size not in PRESETS:
        raise SystemExit(f"--sizes: unknown preset '{size}'; choose from {list(PRESETS)}")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick(args.device)
    dtype = resolve_dtype(args.dtype, device)
    baseline = rss_mb()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    torch.manual_seed(0)
    model = Decoder(DecoderConfig(size=size, vocab_size=args.vocab, max_seq_len=seq_len)).to(device)
    g = torch.Generator().manual_seed(0)
    data = [torch.randint(0, args.vocab, (args.batch, seq_len + 1), generator=g).to(device) for _ in range(4)]
    opt = build_adamw(model, 1e-4, 0.1, (0.9, 0.95))
    train_model = torch.compile(model) if args.compile else model
    tokens = args.batch * seq_len
    cfg = TrainConfig(steps=args.warmup + args.steps, batch_size=args.batch, lr=1e-4, warmup_steps=0,
                      log_every=10, progress=False, dtype=dtype)
    timer = step_timer()
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(model=train_model, objective=CausalLM(), optimizer=opt,
                          get_batch=lambda s, m: data[s % len(data)], cfg=cfg, device=device, tokens_per_step=tokens)
        trainer.callbacks = [MetricsLogger(Path(tmp) / "m.jsonl", 10), timer]
        trainer.fit()
    times = timer.step_times()[args.warmup:]
    step_s = statistics.median(times)
    fpt = model.flops_per_token(seq_len)
    flops_s = fpt * tokens / step_s
    row = {
        "size": size, "seq_len": seq_len, "batch": args.batch, "dtype": dtype,
        "params": model.num_params(), "params_non_embedding": model.num_params(non_embedding=True),
        "flops_per_token": fpt, "ms_per_step": round(step_s * 1e3, 3),
        "ms_per_step_all": [round(t * 1e3, 3) for t in times],
        "tokens_per_s": round(tokens / step_s, 1), "tflops": round(flops_s / 1e12, 4),
        "final_loss": round(trainer.state.last_loss, 4),
    }
    peak = None
    if device.type == "cuda":
        peak = args.peak_tflops * 1e12 if args.peak_tflops else peak_bf16_flops(device_name(device))
        row["mfu"] = round(flops_s / peak, 4) if peak and dtype == "bf16" else None
        row["peak_mem_mb"] = round(torch.cuda.max_memory_allocated(device) / 2**20, 1)
    else:
        row["mfu"] = None
        peak_rss = rss_mb()
        row.update(peak_rss_mb=round(peak_rss, 1), baseline_rss_mb=round(baseline, 1),
                   rss_delta_mb=round(peak_rss - baseline, 1))
    row["env"] = {"device": device.type, "device_name": device_name(device), "torch": torch.__version__,
                  "cuda": torch.version.cuda, "threads": torch.get_num_threads(), "dtype": dtype,
                  "peak_bf16_tflops": peak / 1e12 if peak else None}
    return row


def _worker_args(args) -> list[str]:
    out = ["--device", args.device, "--dtype", args.dtype, "--batch", str(args.batch), "--steps", str(args.steps),
           "--warmup", str(args.warmup), "--threads", str(args.threads), "--vocab", str(args.vocab)]
    if args.compile:
        out.append("--compile")
    if args.peak_tflops:
        out += ["--peak-tflops", str(args.peak_tflops)]
    return out


def run_isolated(size: str, seq_len: int, args) -> dict:
    """One configuration in a fresh interpreter (clean memory peaks; an OOM fails only this row)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", f"{size}:{seq_len}", *_worker_args(args)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"size": size, "seq_len": seq_len, "error": f"timed out after {args.timeout}s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"size": size, "seq_len": seq_len, "error": f"exit {proc.returncode}: " + " | ".join(tail)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="nano,micro,mini,small", help="comma-separated presets (models/decoder.py)")
    p.add_argument("--seq-lens", default="128,256,512")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--vocab", type=int, default=4096)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--dtype", default="auto", choices=["auto", "fp32", "bf16"], help="auto: bf16 on CUDA, else fp32")
    p.add_argument("--steps", type=int, default=10, help="timed steps per configuration (median reported)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (as train.compile=true)")
    p.add_argument("--peak-tflops", type=float, default=0.0, help="override the device's peak bf16 TFLOP/s for MFU")
    p.add_argument("--timeout", type=int, default=900, help="seconds per configuration")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.steps < 1 or args.warmup < 0:
        p.error("--steps must be >= 1 and --warmup >= 0")

    if args.worker:  # child: one configuration, one JSON line
        size, seq = args.worker.split(":")
        print(json.dumps(measure(size, int(seq), args)))
        return

    # The parent never imports torch (each configuration's subprocess does): the device facts come from them.
    sizes = [s for s in args.sizes.split(",") if s]
    seq_lens = [int(s) for s in args.seq_lens.split(",") if s]
    t0 = time.time()
    results = [run_isolated(size, seq, args) for size in sizes for seq in seq_lens]
    env = next((r.pop("env") for r in results if "env" in r), {})
    for r in results:
        r.pop("env", None)
    device = env.get("device", args.device)
    out = {
        "benchmark": "scaling", "date": time.strftime("%Y-%m-%d"), "device": device,
        "device_name": env.get("device_name"), "torch": env.get("torch"), "cuda": env.get("cuda"),
        "threads": env.get("threads"), "dtype": env.get("dtype", args.dtype), "batch": args.batch,
        "vocab": args.vocab, "steps": args.steps, "warmup": args.warmup, "compile": args.compile,
        "peak_bf16_tflops": env.get("peak_bf16_tflops"),
        "memory": "peak_mem_mb: torch.cuda.max_memory_allocated per config" if device == "cuda" else
                  "peak_rss_mb: ru_maxrss of a fresh process per config (includes the torch import, baseline_rss_mb)",
        "results": results, "wall_s": round(time.time() - t0, 1),
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
