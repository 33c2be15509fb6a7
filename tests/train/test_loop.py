"""The training loop: gradient accumulation, NaN/inf guard, schedules applied."""

import pytest
import torch

from pretrainlab.objectives.causal_lm import CausalLM
from pretrainlab.optim.adamw import build_adamw
from pretrainlab.train.config import TrainConfig
from pretrainlab.train.loop import NonFiniteLossError, Trainer
from tests.conftest import tiny_decoder

BATCH = torch.randint(0, 320, (8, 17), generator=torch.Generator().manual_seed(0))


def _trainer(cfg: TrainConfig, get_batch, objective=None) -> Trainer:
    model = tiny_decoder(seq_len=16)
    opt = build_adamw(model, cfg.lr, cfg.weight_decay, cfg.betas)
    return Trainer(model=model, objective=objective or CausalLM(), optimizer=opt, get_batch=get_batch, cfg=cfg,
                   device=torch.device("cpu"), tokens_per_step=8 * 16)


def test_grad_accumulation_matches_one_big_batch():
    results = []
    for accum in (1, 2, 4):
        # fp32: bf16 autocast (``auto`` on CPUs with native bf16) rounds differently per micro-batch shape
        cfg = TrainConfig(steps=1, batch_size=8, grad_accum=accum, grad_clip=0.0, progress=False, warmup_steps=0,
                          dtype="fp32")
        k = 8 // accum
        tr = _trainer(cfg, lambda s, m, k=k: BATCH[m * k:(m + 1) * k])
        tr.optimizer.step = lambda: None  # keep the gradients to compare them
        tr.optimizer.zero_grad = lambda set_to_none=True: None
        metrics = tr.train_step()
        results.append((metrics["loss"], [p.grad.clone() for p in tr.model.parameters()]))
    for loss, grads in results[1:]:
        assert loss == pytest.approx(results[0][0], rel=1e-5)
        for g, g0 in zip(grads, results[0][1]):
            assert torch.allclose(g, g0, atol=1e-6)


class Exploding(CausalLM):
    """Returns a NaN loss on chosen steps."""

    def __init__(self, bad_steps):
        super().__init__()
        self.bad_steps, self.calls = set(bad_steps), 0

    def forward(self, model, batch):
        loss, m = super().forward(model, batch)
        self.calls += 1
        return (loss * float("nan") if self.calls - 1 in self.bad_steps else loss), m


def test_nan_guard_skips_then_aborts():
    cfg = TrainConfig(steps=6, batch_size=8, progress=False, max_bad_steps=3, warmup_steps=0)
    tr = _trainer(cfg, lambda s, m: BATCH, Exploding({1}))
    before = [p.detach().clone() for p in tr.model.parameters()]
    state = tr.fit()
    assert state.step == 6 and state.skipped_steps == [1]
    assert all(torch.isfinite(p).all() for p in tr.model.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, tr.model.parameters()))

    tr = _trainer(cfg, lambda s, m: BATCH, Exploding({2, 3, 4}))
    with pytest.raises(NonFiniteLossError, match="3 steps in a row"):
        tr.fit()
    assert tr.state.skipped_steps == [2, 3, 4]


def test_lr_follows_schedule():
    cfg = TrainConfig(steps=10, batch_size=8, lr=1e-2, warmup_steps=5, schedule="cosine", min_lr_ratio=0.0,
                      progress=False)
    tr = _trainer(cfg, lambda s, m: BATCH)
    seen = []

    class Spy:
        def on_train_start(self, t): ...
        def on_step_end(self, t, metrics): seen.append(metrics["lr"])
        def on_train_end(self, t): ...

    tr.callbacks = [Spy()]
    tr.fit()
    assert seen[:5] == pytest.approx([2e-3, 4e-3, 6e-3, 8e-3, 1e-2])
    assert seen[-1] < 1e-3


def test_bf16_autocast_on_cpu_tracks_fp32():
    """bf16 autocast (forced) trains on CPU and stays close to fp32 over a few steps."""
    losses = {}
    for dtype in ("fp32", "bf16"):
        cfg = TrainConfig(steps=8, batch_size=8, lr=3e-3, warmup_steps=0, progress=False, dtype=dtype)
        tr = _trainer(cfg, lambda s, m: BATCH)
        seen = []

        class Spy:
            def on_train_start(self, t): ...
            def on_step_end(self, t, metrics): seen.append(metrics["loss"])
            def on_train_end(self, t): ...

        tr.callbacks = [Spy()]
        tr.fit()
        losses[dtype] = seen
    assert losses["bf16"][-1] < losses["bf16"][0]
    for a, b in zip(losses["fp32"], losses["bf16"]):
        assert b == pytest.approx(a, rel=0.03)


class WithMetrics(CausalLM):
    """Returns objective metrics: a per-step scalar, a tensor, and one named like a trainer key."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, model, batch):
        loss, m = super().forward(model, batch)
        self.calls += 1
        return loss, {**m, "aux": float(self.calls), "twice": loss.detach() * 2, "loss": 7.0, "vector": loss.new_ones(3)}


def test_objective_metrics_are_logged(tmp_path):
    import json

    from pretrainlab.train.callbacks import MetricsLogger

    cfg = TrainConfig(steps=4, batch_size=8, grad_accum=2, progress=False, warmup_steps=0, dtype="fp32")
    tr = _trainer(cfg, lambda s, m: BATCH[m * 4:(m + 1) * 4], WithMetrics())
    tr.callbacks = [MetricsLogger(tmp_path / "m.jsonl", every=2)]
    tr.fit()
    rows = [json.loads(x) for x in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [2, 4]
    # calls 1..8, two micro-batches per step: step means 1.5, 3.5, 5.5, 7.5; window means 2.5 and 6.5
    assert [r["train/aux"] for r in rows] == [2.5, 6.5]
    assert all(r["train/twice"] == pytest.approx(2 * r["train/loss"], rel=1e-6) for r in rows)
    assert all(r["train/objective/loss"] == 7.0 and r["train/loss"] != 7.0 for r in rows)
    assert all("train/vector" not in r for r in rows)  # only scalars are logged
