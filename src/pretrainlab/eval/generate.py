"""Autoregressive generation for decoders (greedy or sampled), batched over equal-length prompts.

No KV cache: the models this runs on CPU are small and prompts short, so recomputing the context keeps
the code obvious. Contexts longer than ``max_seq_len`` are cropped on the left.
"""

from __future__ import annotations

from collections import defaultdict

import torch


@torch.no_grad()
def generate(model, prompts: list[list[int]], max_new_tokens: int, eos_id: int | None = None,
             temperature: float = 0.0, top_k: int | None = None, seed: int = 0) -> list[list[int]]:
    """Continue each prompt; returns only the new tokens (stopping at ``eos_id``, which is dropped)."""
    device = next(model.parameters()).device
    max_len = model.cfg.max_seq_len
    gen = torch.Generator(device="cpu").manual_seed(seed)
    by_len: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(prompts):
        by_len[len(p)].append(i)
    out: list[list[int]] = [[] for _ in prompts]
    was_training = model.training
    model.eval()
    for idxs in by_len.values():
        x = torch.tensor([prompts[i] for i in idxs], dtype=torch.long, device=device)
        done = torch.zeros(len(idxs), dtype=torch.bool)
        for _ in range(max_new_tokens):
            logits = model(x[:, -max_len:])[:, -1, :].float().cpu()  # (B, V)
            nxt = _pick(logits, temperature, top_k, gen)
            for row, tok in enumerate(nxt.tolist()):
                if done[row]:
                    continue
                if eos_id is not None and tok == eos_id:
                    done[row] = True
                else:
                    out[idxs[row]].append(tok)
            if bool(done.all()):
                break
            x = torch.cat([x, nxt.to(device)[:, None]], dim=1)
    model.train(was_training)
    return out


def _pick(logits: torch.Tensor, temperature: float, top_k: int | None, gen: torch.Generator) -> torch.Tensor:
    if temperature <= 0:
        return logits.argmax(-1)
    logits = logits / temperature
    if top_k:
        kth = torch.topk(logits, min(top_k, logits.shape[-1])).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(torch.softmax(logits, -1), 1, generator=gen).squeeze(-1)
