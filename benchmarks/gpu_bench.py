"""One prepared GPU benchmark: GPT-2-124M-class training speed through pretrainlab, for a short GPU lease.

Shape: preset ``gpt2-124m`` (d 768, 12 layers, 12 heads), vocab 50304, seq 1024, micro-batch 16 (16384
tokens/step), bf16 autocast, ``torch.compile``. Parts, each in its own subprocess with a timeout (so a
hang or crash in one part leaves the others' numbers), results merged into one JSON object:

  single         (a) ``pretrainlab``: the real Trainer (``Trainer.fit``, AdamW as the runner builds it,
                     metrics logger) over the compiled model; (b) ``plain``: a nanoGPT-style loop
                     (autocast forward, fp32 loss, backward, clip, fused AdamW step) over the *same*
                     compiled module; plus ``pretrainlab_eager`` (the Trainer on the uncompiled model).
                     Arms alternate round by round; medians of per-round ms/step.
  fsdp_eager     (c) FSDP2 through ``torchrun --standalone --nproc_per_node 1``, as ``train.distributed=fsdp``
  fsdp_compiled      builds it, eager and then compiled (the runner compiles the wrapped model).
                     ``wrap_model`` is a no-op for one process (WORLD_SIZE 1), so after
                     ``init_process_group`` the worker hands it a DistInfo whose ``enabled`` is forced True:
                     the project's own ``fully_shard`` per block + root with bf16 params / fp32 reduce, a
                     1-rank mesh, and the Trainer's loss all-reduce. This measures FSDP2's per-step overhead
                     (all-gather/reduce-scatter on one rank, DTensor optimizer) against ``single``'s
                     ``pretrainlab_eager``; it says nothing about multi-GPU scaling.

Reported per arm: ms/step, tokens/s, achieved TFLOP/s (``Decoder.flops_per_token``: 6N + 12LTD),
MFU against the data-sheet dense bf16 peak (scaling.PEAK_BF16_FLOPS; null if the device is unknown) and
against a measured 8192^3 bf16 matmul, and ``torch.cuda.max_memory_allocated`` (reset per round; the
``single`` arms share one model, so each arm's peak includes both arms' AdamW states, ~2 GB at 124M).

    python benchmarks/gpu_bench.py [--out FILE] [--budget-s 420]       # on a CUDA machine; see gpu.sh
    python benchmarks/gpu_bench.py --device cpu --tiny                  # CPU smoke test (tiny model, no compile)

Prints one JSON object (and writes it to ``--out`` after every part, so a killed run keeps what finished).
Only the parent process reads no torch; the parts import torch + pretrainlab (PYTHONPATH=src suffices).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaling import peak_bf16_flops, rss_mb, sync  # noqa: E402  (benchmarks/scaling.py; imports no torch)

FULL = dict(size="gpt2-124m", vocab=50304, seq=1024, batch=16, steps=20, rounds=5, warmup=3)
TINY = dict(size="nano", vocab=512, seq=64, batch=4, steps=2, rounds=2, warmup=1)


# ----------------------------------------------------------------------------------------------- workers

def _setup(args):
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda but torch.cuda.is_available() is False "
                         f"(torch {torch.__version__}, built for CUDA {torch.version.cuda})")
    return torch


def _build(args, device):
    import torch

    from pretrainlab.models.decoder import Decoder, DecoderConfig

    torch.manual_seed(0)
    model = Decoder(DecoderConfig(size=args.size, vocab_size=args.vocab, max_seq_len=args.seq)).to(device)
    g = torch.Generator().manual_seed(0)
    data = [torch.randint(0, args.vocab, (args.batch, args.seq + 1), generator=g).to(device) for _ in range(4)]
    return model, data


class TrainerArm:
    """The real loop: Trainer.fit with the metrics logger, re-entered each round at the step it reached."""

    def __init__(self, model, opt, data, device, dtype, tokens, dist=None):
        self.model, self.opt, self.data, self.device = model, opt, data, device
        self.dtype, self.tokens, self.dist = dtype, tokens, dist
        self.tmp = tempfile.TemporaryDirectory()
        self.steps_done = 0

    def run(self, steps: int) -> float:
        from pretrainlab.objectives.causal_lm import CausalLM
        from pretrainlab.train.callbacks import MetricsLogger
        from pretrainlab.train.config import TrainConfig
        from pretrainlab.train.loop import Trainer

        cfg = TrainConfig(steps=self.steps_done + steps, batch_size=self.data[0].shape[0], lr=1e-4, warmup_steps=0,
                          log_every=10, progress=False, dtype=self.dtype)
        trainer = Trainer(model=self.model, objective=CausalLM(), optimizer=self.opt,
                          get_batch=lambda s, m: self.data[s % len(self.data)], cfg=cfg, device=self.device,
                          tokens_per_step=self.tokens, dist=self.dist)
        trainer.state.step = self.steps_done
        trainer.callbacks = [MetricsLogger(Path(self.tmp.name) / "m.jsonl", 10)]
        sync(self.device)
        t0 = time.perf_counter()
        trainer.fit()
        sync(self.device)
        self.steps_done += steps
        self.last_loss = trainer.state.last_loss
        return time.perf_counter() - t0


class PlainArm:
    """nanoGPT-style loop over the same module: autocast forward, fp32 loss, backward, clip, fused AdamW."""

    def __init__(self, model, data, device, dtype):
        import torch

        self.model, self.data, self.device, self.i = model, data, device, 0
        self.bf16 = dtype == "bf16"
        kw = {"fused": True} if device.type == "cuda" else {"foreach": True}
        self.opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.1, betas=(0.9, 0.95), **kw)

    def run(self, steps: int) -> float:
        import contextlib

        import torch

        from pretrainlab.objectives.causal_lm import causal_lm_loss

        sync(self.device)
        t0 = time.perf_counter()
        for _ in range(steps):
            b = self.data[self.i % len(self.data)]
            self.i += 1
            ctx = torch.autocast(self.device.type, dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
            with ctx:
                logits = self.model(b[:, :-1])
            loss = causal_lm_loss(logits, b[:, 1:])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.opt.step()
            self.opt.zero_grad(set_to_none=True)
        self.last_loss = loss.item()
        sync(self.device)
        return time.perf_counter() - t0


def _measure(arms: dict, args, device, flops_per_token: float, peak: float | None, result: dict, save) -> None:
    """Warm up each arm (compiles happen here), then alternate rounds; fill result['arms'] with medians."""
    import torch

    cuda = device.type == "cuda"
    tokens = args.batch * args.seq
    result["warmup_s"] = {}
    for name in list(arms):
        t0 = time.perf_counter()
        try:
            arms[name].run(args.warmup)
        except Exception as e:  # e.g. a torch.compile failure: keep the other arms
            result.setdefault("errors", {})[name] = f"{type(e).__name__}: {e}"[:2000]
            del arms[name]
            continue
        result["warmup_s"][name] = round(time.perf_counter() - t0, 2)
        save()
    times: dict[str, list[float]] = {k: [] for k in arms}
    peaks: dict[str, int] = {k: 0 for k in arms}
    for r in range(args.rounds):
        order = list(arms) if r % 2 == 0 else list(arms)[::-1]  # alternate to spread drift evenly
        for name in order:
            if cuda:
                torch.cuda.reset_peak_memory_stats(device)
            times[name].append(arms[name].run(args.steps) / args.steps)
            if cuda:
                peaks[name] = max(peaks[name], torch.cuda.max_memory_allocated(device))
    out = {}
    for name, ts in times.items():
        step_s = statistics.median(ts)
        flops_s = flops_per_token * tokens / step_s
        out[name] = {
            "ms_per_step": round(step_s * 1e3, 3), "ms_per_step_rounds": [round(t * 1e3, 3) for t in ts],
            "tokens_per_s": round(tokens / step_s, 1), "tflops": round(flops_s / 1e12, 3),
            "mfu": round(flops_s / peak, 4) if peak else None,
            "peak_mem_gb": round(peaks[name] / 2**30, 3) if cuda else None,
            "final_loss": round(float(arms[name].last_loss), 4),
        }
    if not cuda:
        result["peak_rss_mb"] = round(rss_mb(), 1)
    result["arms"] = out


def _env(torch, device, dtype: str) -> dict:
    cuda = device.type == "cuda"
    name = torch.cuda.get_device_name(device) if cuda else "cpu"
    peak = peak_bf16_flops(name) if cuda and dtype == "bf16" else None
    return {"device": str(device), "device_name": name, "torch": torch.__version__, "cuda": torch.version.cuda,
            "python": sys.version.split()[0], "peak_bf16_tflops": peak / 1e12 if peak else None,
            "threads": torch.get_num_threads()}, peak


def matmul_tflops(device, dtype) -> float:
    """Measured dense matmul rate: 8192^3 on CUDA (bf16 if dtype is bf16), 512^3 on CPU."""
    import torch

    n, reps = (8192, 10) if device.type == "cuda" else (512, 3)
    dt = torch.bfloat16 if dtype == "bf16" else torch.float32
    a, b = torch.randn(n, n, device=device, dtype=dt), torch.randn(n, n, device=device, dtype=dt)
    for _ in range(3):
        a @ b
    sync(device)
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync(device)
    return 2 * n**3 * reps / (time.perf_counter() - t0) / 1e12


def part_single(args, result: dict, save) -> None:
    """(a) Trainer over the compiled model, (b) plain loop over the same compiled module, + Trainer eager."""
    torch = _setup(args)
    from pretrainlab.optim.adamw import build_adamw

    device = torch.device(args.device)
    env, peak = _env(torch, device, args.dtype)
    result["env"] = env
    model, data = _build(args, device)
    result["params"] = model.num_params()
    fpt = model.flops_per_token(args.seq)
    result["flops_per_token"] = fpt
    tokens = args.batch * args.seq
    train_model = torch.compile(model) if args.compile else model
    arms = {"pretrainlab": TrainerArm(train_model, build_adamw(model, 1e-4, 0.1, (0.9, 0.95)), data, device,
                                      args.dtype, tokens),
            "plain": PlainArm(train_model, data, device, args.dtype)}
    if args.compile:
        arms["pretrainlab_eager"] = TrainerArm(model, build_adamw(model, 1e-4, 0.1, (0.9, 0.95)), data, device,
                                               args.dtype, tokens)
    _measure(arms, args, device, fpt, peak, result, save)
    mm = matmul_tflops(device, args.dtype)
    result["matmul_tflops"] = round(mm, 2)
    for arm in result["arms"].values():
        arm["mfu_vs_matmul"] = round(arm["tflops"] / mm, 4)
    a = result["arms"]
    if "pretrainlab" in a and "plain" in a:
        result["ratio_pretrainlab_vs_plain"] = round(a["plain"]["ms_per_step"] / a["pretrainlab"]["ms_per_step"], 3)
    if "pretrainlab" in a and "pretrainlab_eager" in a:
        result["compile_speedup"] = round(a["pretrainlab_eager"]["ms_per_step"] / a["pretrainlab"]["ms_per_step"], 3)


def part_fsdp(args, result: dict, save) -> None:
    """(c) FSDP2 via torchrun, one rank: the project's wrap_model('fsdp') forced on for WORLD_SIZE 1."""
    torch = _setup(args)
    import torch.distributed as dist

    from pretrainlab.optim.adamw import build_adamw
    from pretrainlab.train.distributed import DistInfo, wrap_model

    class ShardAlone(DistInfo):
        """DistInfo that reports enabled even for one process, so wrap_model really calls fully_shard."""

        @property
        def enabled(self) -> bool:
            return True

    if "LOCAL_RANK" not in os.environ:
        raise SystemExit("--part fsdp must be launched by torchrun (LOCAL_RANK unset)")
    rank, world, local = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ["LOCAL_RANK"])
    cuda = args.device == "cuda"
    if cuda:
        torch.cuda.set_device(local)
    device = torch.device("cuda", local) if cuda else torch.device("cpu")
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo")
    try:
        info = (ShardAlone if world == 1 else DistInfo)(rank, world, local)
        env, peak = _env(torch, device, args.dtype)
        env["world_size"] = world
        result["env"] = env
        model, data = _build(args, device)
        fpt = model.flops_per_token(args.seq)
        data = [b[rank::world] for b in data]  # this rank's rows of the global batch, as the runner reads them
        wrapped = wrap_model(model, "fsdp", info, device, bf16=args.dtype == "bf16")
        result["sharded"] = type(model.layers[0]).__name__  # FSDP2 swaps the class to FSDP<Block>
        opt = build_adamw(wrapped, 1e-4, 0.1, (0.9, 0.95))
        train_model = torch.compile(wrapped) if args.compile else wrapped
        name = "fsdp_compiled" if args.compile else "fsdp_eager"
        _measure({name: TrainerArm(train_model, opt, data, device, args.dtype, args.batch * args.seq, dist=info)},
                 args, device, fpt, peak, result, save if rank == 0 else (lambda: None))
    finally:
        dist.barrier()
        dist.destroy_process_group()


def worker(args) -> None:
    result: dict = {"part": args.part}
    path = Path(args.result)
    is_main = int(os.environ.get("RANK", "0")) == 0
    Path(f"{path}.pid.{os.getpid()}").write_text(str(os.getpid()))  # the parent's handle on a timeout

    def save() -> None:
        if is_main:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(result))
            os.replace(tmp, path)

    try:
        (part_single if args.part == "single" else part_fsdp)(args, result, save)
    except BaseException as e:
        result["error"] = f"{type(e).__name__}: {e}"[:2000]
        result["traceback"] = traceback.format_exc()[-3000:]
        save()
        raise
    save()


# ---------------------------------------------------------------------------------------------- parent

def _kill_workers(result_path: Path) -> None:
    """SIGKILL any worker still alive after a timeout (torchrun starts workers in sessions of their own)."""
    for pid_file in result_path.parent.glob(result_path.name + ".pid.*"):
        try:
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
        except (ValueError, ProcessLookupError, PermissionError):
            pass


def _run_part(cmd: list[str], result_path: Path, timeout: float, log) -> dict:
    """Run one part in its own process group (a torchrun's worker dies with it on timeout)."""
    t0 = time.time()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=max(timeout, 1))
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGTERM)  # torchrun forwards SIGTERM to its workers (own sessions)
            try:
                rc = proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                rc = proc.wait()
            _kill_workers(result_path)
        out.seek(0)
        text = out.read()
    log(text)
    res = json.loads(result_path.read_text()) if result_path.exists() else {}
    res["wall_s"] = round(time.time() - t0, 1)
    if timed_out:
        res["error"] = f"timed out after {timeout:.0f}s" + (f"; {res['error']}" if "error" in res else "")
    elif rc != 0 and "error" not in res:
        res["error"] = f"exit {rc}"
    if "error" in res:
        res["rc"] = rc
        res["log_tail"] = text[-2000:]
    return res


def _summary(parts: dict, compiled: bool) -> dict:
    arms = {}
    for part in parts.values():
        for name, a in part.get("arms", {}).items():
            arms[name] = {k: a.get(k) for k in ("tokens_per_s", "ms_per_step", "mfu", "peak_mem_gb")}
    out = {"arms": arms}
    single = parts.get("single", {})
    for k in ("ratio_pretrainlab_vs_plain", "compile_speedup", "matmul_tflops"):
        if k in single:
            out[k] = single[k]
    eager = "pretrainlab_eager" if compiled else "pretrainlab"  # the Trainer on the uncompiled model
    if "fsdp_eager" in arms and eager in arms:
        out["ratio_fsdp_eager_vs_eager"] = round(arms["fsdp_eager"]["tokens_per_s"] / arms[eager]["tokens_per_s"], 3)
    if "fsdp_compiled" in arms and "pretrainlab" in arms:
        out["ratio_fsdp_compiled_vs_compiled"] = round(arms["fsdp_compiled"]["tokens_per_s"]
                                                       / arms["pretrainlab"]["tokens_per_s"], 3)
    out["parts_failed"] = sorted(k for k, v in parts.items() if "error" in v)
    return out


def orchestrate(args, passthrough: list[str]) -> None:
    t_start = time.time()
    left = lambda: args.budget_s - (time.time() - t_start)  # noqa: E731
    log = (lambda text: sys.stderr.write(text)) if args.verbose else (lambda text: None)
    out: dict = {"benchmark": "gpu_bench", "date": time.strftime("%Y-%m-%d"), "python_executable": sys.executable,
                 "config": {k: getattr(args, k) for k in ("device", "tiny", "size", "vocab", "seq", "batch", "dtype",
                                                          "compile", "steps", "rounds", "warmup", "budget_s")},
                 "tokens_per_step": args.batch * args.seq, "parts": {}}

    def save() -> None:
        out["summary"] = _summary(out["parts"], args.compile)
        out["wall_s"] = round(time.time() - t_start, 1)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(out, indent=1))

    me = os.path.abspath(__file__)
    plan = [("single", [sys.executable, me, "--part", "single"], args.compile, 0.95 if args.skip_fsdp else 0.6)]
    if not args.skip_fsdp:
        torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "1", me,
                    "--part", "fsdp"]
        plan.append(("fsdp_eager", torchrun, False, 0.5))
        if args.compile:
            plan.append(("fsdp_compiled", torchrun, True, 1.0))
    with tempfile.TemporaryDirectory() as tmp:
        for name, cmd, compile_, share in plan:
            timeout = left() * share
            if timeout < 30:
                out["parts"][name] = {"error": f"skipped: {left():.0f}s of --budget-s left"}
                continue
            sys.stderr.write(f"[gpu_bench] {name}: up to {timeout:.0f}s\n")
            result = Path(tmp) / f"{name}.json"
            full = [*cmd, "--result", str(result), "--compile" if compile_ else "--no-compile", *passthrough]
            out["parts"][name] = _run_part(full, result, timeout, log)
            save()
    save()
    print(json.dumps(out, indent=1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--tiny", action="store_true", help="nano model, seq 64, batch 4, 2x2 steps, no compile")
    p.add_argument("--size", help="model preset (default gpt2-124m; nano with --tiny)")
    p.add_argument("--vocab", type=int)
    p.add_argument("--seq", type=int)
    p.add_argument("--batch", type=int, help="micro-batch (sequences per step)")
    p.add_argument("--steps", type=int, help="steps per arm per round")
    p.add_argument("--rounds", type=int)
    p.add_argument("--warmup", type=int, help="steps per arm before timing (includes compilation)")
    p.add_argument("--dtype", choices=["bf16", "fp32"], help="default bf16 on CUDA, fp32 on CPU")
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                   help="torch.compile (default: on for CUDA unless --tiny)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--budget-s", type=float, default=420, help="total seconds for all parts (timeouts derive from it)")
    p.add_argument("--skip-fsdp", action="store_true")
    p.add_argument("--out", help="also write the JSON here (rewritten after every part)")
    p.add_argument("--verbose", action="store_true", help="echo the parts' output to stderr")
    p.add_argument("--part", choices=["single", "fsdp"], help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    args = p.parse_args()
    defaults = TINY if args.tiny else FULL
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.dtype is None:
        args.dtype = "bf16" if args.device == "cuda" else "fp32"
    if args.compile is None:
        args.compile = args.device == "cuda" and not args.tiny
    if args.part:
        worker(args)
        return
    passthrough = ["--device", args.device, "--size", args.size, "--vocab", str(args.vocab), "--seq", str(args.seq),
                   "--batch", str(args.batch), "--steps", str(args.steps), "--rounds", str(args.rounds),
                   "--warmup", str(args.warmup), "--dtype", args.dtype, "--threads", str(args.threads)]
    orchestrate(args, passthrough)


if __name__ == "__main__":
    main()
