"""LowRankRestarts in the one training loop: restarts at multiples of restart_every (never after the last
step), and the LR the optimizer actually uses re-warms after each restart."""

from __future__ import annotations

import torch

from pretrainlab.models.decoder import Decoder, DecoderConfig
from pretrainlab.objectives.causal_lm import CausalLM
from pretrainlab.optim import LowRankConfig, apply_lowrank, build_adamw
from pretrainlab.train.callbacks.base import Callback
from pretrainlab.train.callbacks.lowrank_restarts import LowRankRestarts
from pretrainlab.train.config import TrainConfig
from pretrainlab.train.loop import Trainer


class Record(Callback):
    def __init__(self):
        self.logged = []

    def on_step_end(self, trainer, metrics):
        self.logged.append(metrics["lr"])


def test_restarts_and_rewarm_in_the_loop():
    torch.manual_seed(0)
    cfg = LowRankConfig(mode="relora", rank=4, restart_every=3, rewarm_steps=2)
    model = apply_lowrank(Decoder(DecoderConfig(d_model=32, n_layers=1, n_heads=4, vocab_size=64, max_seq_len=16)),
                          cfg, seed=0)
    opt = build_adamw(model, 1e-2, 0.0, (0.9, 0.95))
    used = []
    tc = TrainConfig(steps=6, batch_size=2, lr=1e-2, schedule="constant", warmup_steps=0, dtype="fp32",
                     progress=False, lowrank=cfg)
    tokens = torch.randint(0, 64, (2, 16), generator=torch.Generator().manual_seed(0))
    restarts, record = LowRankRestarts(cfg, seed=0), Record()
    trainer = Trainer(model=model, objective=CausalLM(), optimizer=opt, get_batch=lambda s, m: tokens, cfg=tc,
                      device=torch.device("cpu"), callbacks=[restarts, record])
    a_before = model.layers[0].self_attn.q_proj.lora_A.detach().clone()
    restarts_at = []
    orig = restarts.on_step_end

    def spy(tr, metrics):
        n = restarts.restarts
        orig(tr, metrics)
        if restarts.restarts > n:
            restarts_at.append(tr.state.step)

    restarts.on_step_end = spy
    restarts.on_train_start(trainer)  # registers the re-warm hook now (fit's call is then a no-op), so
    opt.register_step_pre_hook(lambda o, a, k: used.append(o.param_groups[0]["lr"]))  # this one sees its LR
    trainer.fit()
    assert restarts_at == [3]  # not after step 6, the last
    assert used == [1e-2, 1e-2, 1e-2, 5e-3, 1e-2, 1e-2]
    assert record.logged == used
    assert not torch.equal(model.layers[0].self_attn.q_proj.lora_A, a_before)
    assert restarts._hook is None  # removed at the end of training
