"""Question answering by construction: greedy exact match and multiple choice by answer log-prob.

Items are dicts ``{"prompt": "Q: What is the birth city of X? A:", "answer": " Tamoton",
"choices": [...], "answer_index": k}`` (choices optional). Prompt and answer are tokenized separately
and concatenated, so the answer's tokens are the same whichever way the item is scored.

* exact match: greedy continuation, cut at the first newline, equals the answer (whitespace-stripped);
* multiple choice: argmax over choices of sum_t log p(choice_t | prompt, choice_<t) (bioS, Allen-Zhu & Li).
"""

from __future__ import annotations

import torch

from pretrainlab.eval.generate import generate


def exact_match(model, tokenizer, items: list[dict], max_new_tokens: int | None = None) -> tuple[float, list[str]]:
    """Fraction of items whose greedy continuation equals the answer; also returns the predictions."""
    if not items:
        return float("nan"), []
    prompts = [tokenizer.encode(it["prompt"]) for it in items]
    answers = [tokenizer.encode(it["answer"]) for it in items]
    budget = max_new_tokens or max(len(a) for a in answers) + 2
    outs = generate(model, prompts, budget, eos_id=tokenizer.eos_id)
    preds = [tokenizer.decode(o).split("\n")[0].strip() for o in outs]
    hits = [p == it["answer"].strip() for p, it in zip(preds, items)]
    return sum(hits) / len(items), preds


@torch.no_grad()
def choice_logprobs(model, prompt: list[int], choices: list[list[int]]) -> list[float]:
    """Summed log-prob of each choice continuation (right-padded batch; causal so padding is harmless)."""
    device = next(model.parameters()).device
    seqs = [prompt + c for c in choices]
    T = max(len(s) for s in seqs)
    x = torch.zeros(len(seqs), T, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = torch.tensor(s)
    logp = torch.log_softmax(model(x.to(device)).float(), dim=-1).cpu()  # (C, T, V)
    out = []
    for i, c in enumerate(choices):
        pos = torch.arange(len(prompt) - 1, len(prompt) - 1 + len(c))
        out.append(float(logp[i, pos, torch.tensor(c)].sum()))
    return out


def multiple_choice(model, tokenizer, items: list[dict]) -> float:
    items = [it for it in items if it.get("choices")]
    if not items:
        return float("nan")
    was_training = model.training
    model.eval()
    correct = 0
    for it in items:
        scores = choice_logprobs(model, tokenizer.encode(it["prompt"]), [tokenizer.encode(c) for c in it["choices"]])
        correct += int(max(range(len(scores)), key=scores.__getitem__) == it["answer_index"])
    model.train(was_training)
    return correct / len(items)
