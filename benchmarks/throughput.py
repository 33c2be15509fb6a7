"""Training throughput: pretrainlab's trainer vs a plain PyTorch loop vs transformers' Llama, one process.

Fixed shape (issue #2): 6 layers, d_model 384, 6 heads, seq 256, micro-batch 8, vocab 4096, fp32, 2 threads.
Arms are timed in alternating rounds (noise on shared machines is +-5-8% between windows), and the
report gives medians and ratios measured in this run. Also reports achieved GFLOP/s (6*N*tokens +
attention) against a 2048x2048 fp32 matmul on the same machine.

    python benchmarks/throughput.py [--rounds 5] [--steps 10] [--threads 2] [--device cpu]

Prints one JSON object. Targets: trainer/plain >= 0.95, trainer/transformers >= 1.0.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.objectives.causal_lm import CausalLM, causal_lm_loss
from pretrainlab.optim.adamw import build_adamw
from pretrainlab.train.callbacks import MetricsLogger
from pretrainlab.train.config import TrainConfig
from pretrainlab.train.loop import Trainer

SHAPE = dict(d_model=384, n_layers=6, n_heads=6, vocab_size=4096, seq_len=256, batch=8)


def make_model(device) -> Decoder:
    torch.manual_seed(0)
    cfg = DecoderConfig(size="small", d_model=SHAPE["d_model"], n_layers=SHAPE["n_layers"], n_heads=SHAPE["n_heads"],
                        ffn_hidden=1024, vocab_size=SHAPE["vocab_size"], max_seq_len=SHAPE["seq_len"])
    return Decoder(cfg).to(device)


def batches(n: int, device) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return [torch.randint(0, SHAPE["vocab_size"], (SHAPE["batch"], SHAPE["seq_len"] + 1), generator=g).to(device)
            for _ in range(n)]


def _sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


class PretrainlabArm:
    """The real trainer: Trainer.fit with the metrics logger callback, AdamW as the runner builds it."""

    def __init__(self, device, data):
        self.model = make_model(device)
        self.data, self.device = data, device
        self.opt = build_adamw(self.model, 1e-4, 0.1, (0.9, 0.95))
        self.tmp = tempfile.TemporaryDirectory()
        self.steps_done = 0

    def run(self, steps: int) -> float:
        cfg = TrainConfig(steps=self.steps_done + steps, batch_size=SHAPE["batch"], lr=1e-4, warmup_steps=0,
                          log_every=10, progress=False, dtype="fp32")
        trainer = Trainer(model=self.model, objective=CausalLM(), optimizer=self.opt,
                          get_batch=lambda s, m: self.data[s % len(self.data)], cfg=cfg, device=self.device,
                          tokens_per_step=SHAPE["batch"] * SHAPE["seq_len"])
        trainer.state.step = self.steps_done
        trainer.callbacks = [MetricsLogger(Path(self.tmp.name) / "m.jsonl", 10)]
        _sync(self.device)
        t0 = time.perf_counter()
        trainer.fit()
        _sync(self.device)
        self.steps_done += steps
        return time.perf_counter() - t0


class PlainArm:
    """nanoGPT-style minimal loop over the same model: forward, loss, backward, clip, step."""

    def __init__(self, device, data, model=None):
        self.model = model or make_model(device)
        self.data, self.device = data, device
        fused = {"fused": True} if device.type == "cuda" else {"foreach": True}
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=1e-4, weight_decay=0.1, betas=(0.9, 0.95), **fused)
        self.i = 0

    def logits(self, x):
        return self.model(x)

    def run(self, steps: int) -> float:
        _sync(self.device)
        t0 = time.perf_counter()
        for _ in range(steps):
            b = self.data[self.i % len(self.data)]
            self.i += 1
            loss = causal_lm_loss(self.logits(b[:, :-1]), b[:, 1:])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.opt.step()
            self.opt.zero_grad(set_to_none=True)
        loss.item()
        _sync(self.device)
        return time.perf_counter() - t0


class TransformersArm(PlainArm):
    """transformers LlamaForCausalLM of the same shape in the same plain loop."""

    def __init__(self, device, data):
        from transformers import LlamaConfig, LlamaForCausalLM

        cfg = LlamaConfig(vocab_size=SHAPE["vocab_size"], hidden_size=SHAPE["d_model"], intermediate_size=1024,
                          num_hidden_layers=SHAPE["n_layers"], num_attention_heads=SHAPE["n_heads"],
                          num_key_value_heads=SHAPE["n_heads"], max_position_embeddings=SHAPE["seq_len"],
                          tie_word_embeddings=True, attn_implementation="sdpa")
        torch.manual_seed(0)
        super().__init__(device, data, LlamaForCausalLM(cfg).to(device))

    def logits(self, x):
        return self.model(x, use_cache=False).logits


def matmul_gflops(device, n: int = 2048, reps: int = 10) -> float:
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    for _ in range(2):
        a @ b
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    _sync(device)
    return 2 * n**3 * reps / (time.perf_counter() - t0) / 1e9


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=8, help="steps per arm per round")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--no-transformers", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    data = batches(16, device)
    arms = {"pretrainlab": PretrainlabArm(device, data), "plain": PlainArm(device, data)}
    if not args.no_transformers:
        arms["transformers"] = TransformersArm(device, data)
    for arm in arms.values():
        arm.run(args.warmup)
    times: dict[str, list[float]] = {k: [] for k in arms}
    for r in range(args.rounds):
        order = list(arms) if r % 2 == 0 else list(arms)[::-1]  # alternate to spread drift evenly
        for name in order:
            times[name].append(arms[name].run(args.steps) / args.steps)
    tokens = SHAPE["batch"] * SHAPE["seq_len"]
    model = arms["plain"].model
    flops_step = model.flops_per_token(SHAPE["seq_len"]) * tokens
    ms = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    out = {
        "benchmark": "throughput", "date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
        "device": str(device), "threads": args.threads, "torch": torch.__version__, "shape": SHAPE,
        "params": model.num_params(), "rounds": args.rounds, "steps_per_round": args.steps,
        "ms_per_step": {k: round(v, 2) for k, v in ms.items()},
        "ms_per_step_all": {k: [round(x * 1e3, 2) for x in v] for k, v in times.items()},
        "tokens_per_s": {k: round(tokens / (v / 1e3), 1) for k, v in ms.items()},
        "gflops_achieved": {k: round(flops_step / (v / 1e3) / 1e9, 2) for k, v in ms.items()},
        "matmul_2048_gflops": round(matmul_gflops(device), 2),
        "ratio_pretrainlab_vs_plain": round(ms["plain"] / ms["pretrainlab"], 3),
    }
    if "transformers" in ms:
        out["ratio_pretrainlab_vs_transformers"] = round(ms["transformers"] / ms["pretrainlab"], 3)
    out["targets_met"] = out["ratio_pretrainlab_vs_plain"] >= 0.95 and out.get("ratio_pretrainlab_vs_transformers", 1) >= 1.0
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
