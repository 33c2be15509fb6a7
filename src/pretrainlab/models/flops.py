"""Training FLOPs of the decoder, counted from its shapes (not estimated from wall time).

Per token of a training step (forward + backward; a multiply-add counts as 2 FLOPs)::

    flops_per_token = 6 * N_matmul + 12 * L * T * H * Dh

* ``N_matmul``: weights of every matrix multiply: per layer q/k/v/o (``D*H*Dh + 2*D*Hkv*Dh + H*Dh*D``) and
  the SwiGLU gate/up/down (``3*D*F``), plus the LM head (``D*V``, tied or not: it is a matmul either way).
  The embedding lookup, RMSNorm, RoPE and the softmax are not matmuls and are left out. A weight costs
  2 FLOPs per token forward, 2 for the input gradient and 2 for the weight gradient: 6.
* Attention: per layer and token, ``q k^T`` and ``p v`` are each ``2 * T * H * Dh`` forward (``T``: the
  sequence length; the kernel computes the full ``T x T`` score matrix, the causal mask does not skip
  work), and backward costs twice the forward: ``3 * 4 * T * H * Dh = 12 T H Dh`` (PaLM, appendix B).

``tests/models/test_flops.py`` checks this against ``torch.utils.flop_counter.FlopCounterMode`` over a
real forward + backward (with the math SDPA backend, whose ``bmm`` ops the counter sees): equal exactly.
Evaluation and generation FLOPs are not training FLOPs and are not counted.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pretrainlab.models.decoder import DecoderConfig


def matmul_params(cfg: DecoderConfig) -> int:
    """Weights that take part in a matrix multiply (everything but embeddings and norm gains)."""
    c = cfg.resolved()
    dh = c.d_model // c.n_heads
    attn = c.d_model * c.n_heads * dh * 2 + c.d_model * c.n_kv_heads * dh * 2
    mlp = 3 * c.d_model * c.ffn_hidden
    return c.n_layers * (attn + mlp) + c.d_model * c.vocab_size


def flops_per_token(cfg: DecoderConfig, seq_len: int) -> float:
    """Training FLOPs per token at sequence length ``seq_len`` (see the module docstring)."""
    c = cfg.resolved()
    if c.vocab_size <= 0:
        raise ValueError("flops_per_token: the model config needs vocab_size (filled from the tokenizer)")
    dh = c.d_model // c.n_heads
    return float(6 * matmul_params(c) + 12 * c.n_layers * seq_len * c.n_heads * dh)


def flops_per_step(cfg: DecoderConfig, batch_size: int, seq_len: int) -> float:
    """Training FLOPs of one optimizer step over ``batch_size`` sequences of ``seq_len`` tokens."""
    return flops_per_token(cfg, seq_len) * batch_size * seq_len


def flops_to_target(points: list[tuple[float, float]], target: float) -> float:
    """FLOPs at which the loss first reaches ``target``, from (flops, loss) evaluation points.

    Linear interpolation between the last point above and the first point at or below the target;
    ``inf`` when no point reaches it (the run never got there), the first point's FLOPs when it starts there.
    """
    prev = None
    for flops, loss in sorted(points):
        if loss <= target:
            if prev is None:
                return float(flops)
            f0, l0 = prev
            return float(f0 + (l0 - target) / (l0 - loss) * (flops - f0))
        prev = (flops, loss)
    return math.inf


def pipeline_flops(init_from: str | Path) -> float:
    """Training FLOPs of everything that produced the checkpoint ``init_from`` (a run or checkpoint dir).

    Its run's own FLOPs up to that checkpoint (tokens in ``trainer_state.json`` x its FLOPs per token)
    plus, recursively, what that run started from (``train.flops_inherited`` in its summary, or its own
    ``train.init_from``). A grown model's FLOPs thus include the small model's pretraining. A checkpoint
    that is not inside a run directory counts 0 (unknown history).
    """
    from pretrainlab.config import load_yaml
    from pretrainlab.checkpoint import read_model_config, resolve_checkpoint

    ckpt = resolve_checkpoint(init_from)
    run_dir = ckpt.parent.parent
    config_path = run_dir / "config.yaml"
    if not config_path.exists():  # a checkpoint outside a run directory: its history is unknown
        return 0.0
    run_cfg = load_yaml(config_path)
    fields = {k: v for k, v in read_model_config(ckpt).items() if k in DecoderConfig.__dataclass_fields__}
    tokens = json.loads((ckpt / "trainer_state.json").read_text())["tokens"]
    own = flops_per_token(DecoderConfig(**fields), run_cfg["data"]["seq_len"]) * tokens
    summary = run_dir / "summary.json"
    if summary.exists() and "train/flops_inherited" in (data := json.loads(summary.read_text())):
        return own + data["train/flops_inherited"]
    parent = (run_cfg.get("train") or {}).get("init_from")
    return own + (pipeline_flops(parent) if parent else 0.0)


def loss_target(target: float | None, target_from: str | None, own_val_loss: float = math.nan) -> float | None:
    """``eval.loss_target``, or the final val/loss of the run ``eval.loss_target_from`` (``self``: this run)."""
    if target_from is None:
        return target
    if target_from == "self":
        return own_val_loss
    summary = Path(target_from) / "summary.json"
    if not summary.exists():
        raise FileNotFoundError(f"eval.loss_target_from: {summary} not found; point it at a finished run directory")
    return float(json.loads(summary.read_text())["val/loss"])


def flops_metrics(rows: list[dict], inherited: float, per_token: float, tokens_per_step: int, tokens: int,
                  target: float | None) -> dict:
    """Summary FLOPs metrics of a run from its metrics.jsonl ``rows``.

    ``train/flops``: whole-pipeline training FLOPs (``train/flops_inherited`` from ``init_from`` plus this
    run's). With a target: ``flops_to/val_loss_target`` from the periodic evaluations (and a grown run's
    step-0 evaluation ``grow/init_val/loss``), each placed at the pipeline FLOPs of its step. A grown run
    with a target also gets ``grow/init_gap_to_target`` = step-0 val loss - target (> 0: the grown model
    starts above the target and has to train to reach it; <= 0: it inherits a model already there).
    """
    out = {"train/flops": inherited + per_token * tokens, "train/flops_inherited": inherited}
    points = []
    for row in rows:
        for key in ("val/loss", "grow/init_val/loss"):
            if key in row:
                points.append((inherited + per_token * tokens_per_step * row["step"], row[key]))
                if key != "val/loss":
                    out[key] = row[key]
    if target is not None:
        out["val_loss_target"] = target
        out["flops_to/val_loss_target"] = flops_to_target(points, target)
        if "grow/init_val/loss" in out:
            out["grow/init_gap_to_target"] = out["grow/init_val/loss"] - target
    return out


class FlopsAccount:
    """A run's FLOPs bookkeeping as one component: ``train/flops`` as training goes (``account(tokens)``,
    for the metrics logger) and the summary's FLOPs and loss-target metrics (``summary``).

    ``per_token`` is the model's training FLOPs per token at ``seq_len``; ``inherited`` the pipeline FLOPs of
    ``init_from`` (``pipeline_flops``). A bad ``loss_target_from`` fails here, before any training.
    """

    def __init__(self, model_cfg: DecoderConfig, seq_len: int, init_from: str | None, target: float | None,
                 target_from: str | None):
        self.per_token = flops_per_token(model_cfg, seq_len)
        self.inherited = pipeline_flops(init_from) if init_from else 0.0
        self.target, self.target_from = target, target_from
        loss_target(target, target_from)  # fail now, not after training

    def __call__(self, tokens: int) -> float:
        return self.inherited + self.per_token * tokens

    def summary(self, rows: list[dict], tokens_per_step: int, tokens: int, val_loss: float) -> dict:
        """``flops_metrics`` of the run's metrics rows, with the loss target resolved (``self``: ``val_loss``)."""
        return flops_metrics(rows, self.inherited, self.per_token, tokens_per_step, tokens,
                             loss_target(self.target, self.target_from, val_loss))
