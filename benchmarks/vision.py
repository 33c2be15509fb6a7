"""Vision throughput: images/s for MAE pretraining steps through the real ``Trainer``, per ViT size.

Shapes: ``test`` (ViT preset "test": 32 px, patch 4, 64 patches, dim 32, depth 2; decoder 32-d x 1 block),
``tiny`` (ViT-Ti/16: 224 px, 196 patches, dim 192, depth 12, 3 heads; decoder 128-d x 2 blocks). Mask ratio
0.75, norm-pix loss, AdamW over backbone + decoder, fp32, random images (throughput does not depend on
content). Sizes are timed in alternating rounds (shared machines drift); medians are reported.

Also times the transfer probes on frozen features (``--probe-train`` x ``--probe-dim`` features of 10
classes, a val and a test split of a quarter that size each): linear probe (L-BFGS over the default wd
grid), kNN (k=20, T=0.07) and NCM (CL2N), wall seconds each.

    python benchmarks/vision.py [--sizes test tiny] [--rounds 3] [--steps 3] [--threads 2] [--device cpu]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from pretrainlab.models.vit import ViT, ViTConfig
from pretrainlab.objectives.mae import MAE
from pretrainlab.optim.adamw import build_adamw
from pretrainlab.train.config import TrainConfig
from pretrainlab.train.loop import Trainer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import _sync, matmul_gflops  # noqa: E402  (the yardstick shared with throughput.py)

# name -> (ViT preset, image size, batch, decoder dim, decoder depth, decoder heads)
SHAPES = {
    "test": ("test", 32, 64, 32, 1, 2),
    "tiny": ("tiny", 224, 16, 128, 2, 4),
}


class MAEArm:
    """One ViT + MAE objective + AdamW driven by ``Trainer.fit`` on a fixed set of random batches."""

    def __init__(self, size: str, device: torch.device, batch: int | None = None):
        preset, image, default_batch, ddim, ddepth, dheads = SHAPES[size]
        self.batch = batch or default_batch
        torch.manual_seed(0)
        self.model = ViT(ViTConfig(preset=preset, image_size=image)).to(device)
        self.objective = MAE(self.model, decoder_dim=ddim, decoder_depth=ddepth, decoder_heads=dheads).to(device)
        self.opt = build_adamw(self.model, 1.5e-4, 0.05, (0.9, 0.95))
        self.opt.add_param_group({"params": self.objective.trainable_parameters(), "weight_decay": 0.0})
        g = torch.Generator().manual_seed(0)
        self.data = [torch.randn(self.batch, 3, image, image, generator=g).to(device) for _ in range(2)]
        self.device, self.steps_done = device, 0

    def get_batch(self, step: int, micro: int) -> dict:
        index = torch.arange(self.batch) + step * self.batch
        return {"views": [self.data[step % 2]], "labels": torch.zeros(self.batch), "index": index, "step": step}

    def run(self, steps: int) -> float:
        cfg = TrainConfig(steps=self.steps_done + steps, batch_size=self.batch, lr=1.5e-4, warmup_steps=0,
                          progress=False, dtype="fp32")
        trainer = Trainer(model=self.model, objective=self.objective, optimizer=self.opt, get_batch=self.get_batch,
                          cfg=cfg, device=self.device)
        trainer.state.step = self.steps_done
        _sync(self.device)
        t0 = time.perf_counter()
        trainer.fit()
        _sync(self.device)
        self.steps_done += steps
        return time.perf_counter() - t0


def probe_seconds(n_train: int, dim: int, classes: int = 10) -> dict[str, float]:
    """Wall seconds of each probe on clustered random features (the cost does not depend on content)."""
    from pretrainlab.eval.knn import knn_eval
    from pretrainlab.eval.linear_probe import linear_probe
    from pretrainlab.eval.ncm import ncm_eval

    g = torch.Generator().manual_seed(0)
    centers = torch.randn(classes, dim, generator=g)

    def split(n):
        y = torch.randint(0, classes, (n,), generator=g)
        return centers[y] + 2.0 * torch.randn(n, dim, generator=g), y

    train, val, test = split(n_train), split(n_train // 4), split(n_train // 4)
    out = {}
    for name, fn in (("linear", lambda: linear_probe(train, val, {"test": test}, classes)),
                     ("knn", lambda: knn_eval(*train, {"test": test}, classes)),
                     ("ncm", lambda: ncm_eval(*train, {"test": test}, classes))):
        t0 = time.perf_counter()
        fn()
        out[name] = round(time.perf_counter() - t0, 4)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=3, help="steps per size per round")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--batch", type=int, default=None, help="override every size's batch")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--probe-train", type=int, default=4096, help="train features for the probe timings (0: skip)")
    p.add_argument("--probe-dim", type=int, default=192, help="feature dimension (ViT-Tiny: 192)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    arms = {s: MAEArm(s, device, args.batch) for s in args.sizes}
    for arm in arms.values():
        arm.run(args.warmup)
    times: dict[str, list[float]] = {s: [] for s in arms}
    for r in range(args.rounds):
        for s in (list(arms) if r % 2 == 0 else list(arms)[::-1]):
            times[s].append(arms[s].run(args.steps) / args.steps)
    results = {}
    for s, arm in arms.items():
        ms = statistics.median(times[s]) * 1e3
        results[s] = {
            "preset": SHAPES[s][0], "image_size": SHAPES[s][1], "batch": arm.batch, "patches": arm.model.num_patches,
            "params_encoder": arm.model.num_params(),
            "params_decoder": sum(q.numel() for q in arm.objective.trainable_parameters()),
            "ms_per_step": round(ms, 2), "ms_per_step_all": [round(t * 1e3, 2) for t in times[s]],
            "images_per_s": round(arm.batch / (ms / 1e3), 2),
        }
    print(json.dumps({
        "benchmark": "vision_mae", "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": platform.processor() or platform.machine(), "device": str(device), "threads": args.threads,
        "torch": torch.__version__, "mask_ratio": 0.75, "dtype": "fp32", "rounds": args.rounds,
        "steps_per_round": args.steps, "results": results, "matmul_1024_gflops": round(matmul_gflops(device, n=1024, reps=5), 2),
        "probe_s": ({"train": args.probe_train, "dim": args.probe_dim,
                     **probe_seconds(args.probe_train, args.probe_dim)} if args.probe_train else None),
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }, indent=1))


if __name__ == "__main__":
    main()
