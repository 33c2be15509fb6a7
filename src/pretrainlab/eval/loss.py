"""Per-source validation loss and bits per byte.

bits/byte = sum_t loss_t / (ln 2 * sum_t bytes(target_t)): the loss summed over target tokens, divided
by the UTF-8 bytes those tokens decode to. Unlike per-token loss it does not depend on the tokenizer,
so runs with different vocabularies compare (as in nanochat's ``loss_eval.py``).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from pretrainlab.objectives.causal_lm import causal_lm_loss


@torch.no_grad()
def eval_loss(model, windows: torch.Tensor, token_bytes: np.ndarray, batch_size: int = 16,
              autocast=None) -> dict[str, float]:
    """Mean token loss and bits-per-byte of a decoder over (N, T+1) windows."""
    device = next(model.parameters()).device
    tb = torch.from_numpy(token_bytes)
    total_loss, total_tokens, total_bytes = 0.0, 0, 0
    was_training = model.training
    model.eval()
    for i in range(0, len(windows), batch_size):
        batch = windows[i:i + batch_size].to(device)
        inputs, targets = batch[:, :-1], batch[:, 1:]
        if autocast is not None:
            with autocast():
                logits = model(inputs)
        else:
            logits = model(inputs)
        losses = causal_lm_loss(logits, targets, reduction="none").cpu()
        nbytes = tb[targets.cpu().flatten()]
        total_loss += float(losses.sum())
        total_tokens += targets.numel()
        total_bytes += int(nbytes.sum())
        # Special tokens (0 bytes) still carry loss; bpb charges it to the bytes around them.
    model.train(was_training)
    return {"loss": total_loss / total_tokens, "bpb": total_loss / (math.log(2) * max(total_bytes, 1)),
            "tokens": total_tokens, "bytes": total_bytes}
