"""CPU training options, measured in one process: bf16 autocast, threads, fused AdamW, torch.compile.

The shape is the throughput benchmark's (6 layers, d_model 384, seq 256, micro-batch 8, vocab 4096).
Arms, each a plain training step (forward, loss, backward, clip, AdamW step) over the same model:

* ``fp32``            eager fp32, foreach AdamW, all threads (the baseline of every ratio)
* ``bf16``            the same under ``torch.autocast("cpu", dtype=torch.bfloat16)`` (what ``train.dtype=auto``
                      picks on CPUs with AVX512-BF16 / AMX)
* ``fp32_fused``      fused AdamW kernel instead of foreach
* ``fp32_1thread``    one thread (what each worker of a 2-worker experiment pool gets)
* ``fp32_compile``    ``torch.compile`` (optional: ``--compile``; the first steps include compilation)

Arms are timed in alternating rounds and reported as medians and ratios to ``fp32``. ``--curve N`` also
trains fp32 and bf16 from the same init on the same batches for N steps and reports the largest gap of
their smoothed loss curves (issue #7: bf16 within a documented tolerance of fp32 over 300 steps).

    python benchmarks/cpu_options.py [--rounds 5] [--steps 4] [--compile] [--curve 300]

Prints one JSON object; ``recommended`` is the fastest dtype/optimizer choice measured here, and
``native_bf16`` says whether the CPU has bf16 instructions (without them bf16 is emulated and slower).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import platform
import statistics
import time

import torch

from pretrainlab.objectives.causal_lm import causal_lm_loss
from pretrainlab.train.loop import cpu_has_native_bf16

from throughput import SHAPE, batches, make_model  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


class Arm:
    def __init__(self, model, data, bf16=False, fused=False, threads=0, compiled=False):
        self.model, self.data, self.bf16, self.threads = model, data, bf16, threads
        kw = {"fused": True} if fused else {"foreach": True}
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=3e-4, weight_decay=0.1, betas=(0.9, 0.95), **kw)
        self.fwd = torch.compile(self.model) if compiled else self.model
        self.i = 0

    def step(self) -> float:
        b = self.data[self.i % len(self.data)]
        self.i += 1
        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
        with ctx:
            loss = causal_lm_loss(self.fwd(b[:, :-1]), b[:, 1:])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        return loss.item()

    def run(self, steps: int) -> float:
        all_threads = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(self.threads)
        t0 = time.perf_counter()
        for _ in range(steps):
            self.step()
        dt = time.perf_counter() - t0
        torch.set_num_threads(all_threads)
        return dt / steps


def loss_curves(steps: int, data) -> dict:
    """fp32 and bf16 from the same init on the same batches; gap of 20-step moving averages."""
    base = make_model(torch.device("cpu"))
    curves = {}
    for name, bf16 in (("fp32", False), ("bf16", True)):
        arm = Arm(copy.deepcopy(base), data, bf16=bf16)
        curves[name] = [arm.step() for _ in range(steps)]
    w = min(20, steps)

    def smooth(xs):
        return [statistics.fmean(xs[i:i + w]) for i in range(0, len(xs) - w + 1)]

    a, b = smooth(curves["fp32"]), smooth(curves["bf16"])
    gaps = [abs(x - y) for x, y in zip(a, b)]
    return {"steps": steps, "window": w, "final_fp32": round(a[-1], 4), "final_bf16": round(b[-1], 4),
            "max_abs_gap": round(max(gaps), 4), "final_rel_gap": round(abs(a[-1] - b[-1]) / a[-1], 4)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=4, help="steps per arm per round")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--compile", action="store_true", help="add the torch.compile arm (slow to warm up)")
    p.add_argument("--curve", type=int, default=0, help="also compare fp32/bf16 loss curves over N steps")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device("cpu")
    data = batches(16, device)
    base = make_model(device)
    arms = {
        "fp32": Arm(copy.deepcopy(base), data),
        "bf16": Arm(copy.deepcopy(base), data, bf16=True),
        "fp32_fused": Arm(copy.deepcopy(base), data, fused=True),
    }
    if args.threads > 1:
        arms["fp32_1thread"] = Arm(copy.deepcopy(base), data, threads=1)
    if args.compile:
        arms["fp32_compile"] = Arm(copy.deepcopy(base), data, compiled=True)
    for arm in arms.values():
        arm.run(args.warmup)
    times: dict[str, list[float]] = {k: [] for k in arms}
    for r in range(args.rounds):
        for name in (list(arms) if r % 2 == 0 else list(arms)[::-1]):
            times[name].append(arms[name].run(args.steps))
    ms = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    speedup = {k: round(ms["fp32"] / v, 3) for k, v in ms.items()}
    fastest_dtype = "bf16" if speedup["bf16"] > 1.05 else "fp32"
    out = {
        "benchmark": "cpu_options", "date": time.strftime("%Y-%m-%d"),
        "machine": platform.processor() or platform.machine(), "torch": torch.__version__,
        "threads": args.threads, "native_bf16": cpu_has_native_bf16(), "shape": SHAPE,
        "rounds": args.rounds, "steps_per_round": args.steps,
        "ms_per_step": {k: round(v, 1) for k, v in ms.items()},
        "ms_per_step_all": {k: [round(x * 1e3, 1) for x in v] for k, v in times.items()},
        "speedup_vs_fp32": speedup,
        "bf16_target_2x_met": speedup["bf16"] >= 2.0,
        "recommended": {"dtype": fastest_dtype,
                        "adamw": "fused" if speedup["fp32_fused"] > 1.02 else "foreach"},
    }
    if args.curve:
        out["loss_curve"] = loss_curves(args.curve, data)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
