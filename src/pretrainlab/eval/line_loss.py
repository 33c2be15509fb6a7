"""Validation loss split by line class, e.g. the insult lines of toxic dialogs vs every other line.

A source's val windows (``suite.val_sets``: contiguous (N, T+1) windows from the start of the source's
val token stream with stride T, so window k's first token is window k-1's last) are joined back into
the token stream and decoded token by token. A line runs up to and including the token that holds its
newline; the EOS token that ends a document also ends its line. Each line is classified from its whole
text by ``classify(text) -> class`` and the loss of every target token is charged to its line's class,
with the token's full left context (a toxic line's loss is its likelihood given the dialog so far).

``line_class_losses`` returns ``{class: {loss, bpb, tokens, bytes}}``; bits per byte (the class's summed
loss over its bytes) compares across tokenizers. ``toxic_line_metrics`` names them
``val/{loss,bpb}/<source>/{toxic,clean}_lines`` (a line is toxic when it holds a marker of the toxicity
lexicon, ``data/curate/toxicity.py``); a class without tokens reports NaN. Windows from two shards are
joined as if contiguous, which can misplace at most the one line at the seam.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import torch

from pretrainlab.objectives.causal_lm import causal_lm_loss

LINE_CLASSES = ("toxic", "clean")


@torch.no_grad()
def token_losses(model, windows: torch.Tensor, batch_size: int = 16, autocast=None) -> torch.Tensor:
    """Per-target-token loss (N, T) of a decoder over (N, T+1) windows."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = []
    for i in range(0, len(windows), batch_size):
        batch = windows[i:i + batch_size].to(device)
        if autocast is not None:
            with autocast():
                logits = model(batch[:, :-1])
        else:
            logits = model(batch[:, :-1])
        out.append(causal_lm_loss(logits.float(), batch[:, 1:], reduction="none").reshape(batch.shape[0], -1).cpu())
    model.train(was_training)
    return torch.cat(out)


def line_ids(pieces: list[str], eos_id: int, tokens: list[int]) -> list[int]:
    """Line index of every token of ``tokens`` (``pieces[t]``: the text of token id t).

    Examples:
        >>> line_ids(["<eos>", "a", "\\n", "b"], 0, [1, 2, 3, 0, 1])
        [0, 0, 1, 1, 2]
    """
    out, line = [], 0
    for t in tokens:
        out.append(line)
        if t == eos_id or "\n" in pieces[t]:
            line += 1
    return out


def line_class_losses(model, tokenizer, windows: torch.Tensor, classify: Callable[[str], str],
                      autocast=None) -> dict[str, dict[str, float]]:
    """Loss, bits per byte, tokens and bytes of the target tokens of each line class (module docstring)."""
    losses = token_losses(model, windows, autocast=autocast)
    stream = torch.cat([windows[0], windows[1:, 1:].reshape(-1)]).tolist()
    pieces = [tokenizer.decode([i]) for i in range(tokenizer.vocab_size)]
    lines = line_ids(pieces, tokenizer.eos_id, stream)
    texts: dict[int, list[str]] = {}
    for t, line in zip(stream, lines):
        texts.setdefault(line, []).append(pieces[t])
    kind = {line: classify("".join(parts)) for line, parts in texts.items()}
    token_bytes = tokenizer.token_bytes()
    flat = losses.reshape(-1).tolist()  # target p of the stream is stream[p + 1]
    acc = {c: [0.0, 0, 0] for c in set(kind.values())}
    for p, loss in enumerate(flat):
        c = acc[kind[lines[p + 1]]]
        c[0] += loss
        c[1] += 1
        c[2] += int(token_bytes[stream[p + 1]])
    return {c: {"loss": s / n if n else math.nan, "bpb": s / (math.log(2) * b) if b else math.nan,
                "tokens": n, "bytes": b} for c, (s, n, b) in acc.items()}


def marker_classifier(markers: list[str]) -> Callable[[str], str]:
    """``toxic`` for a line holding one of ``markers`` (whole word, any case), else ``clean``."""
    alternatives = "|".join(sorted((re.escape(m) for m in markers), key=len, reverse=True))
    regex = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return lambda text: "toxic" if regex.search(text) else "clean"


def toxic_line_metrics(model, tokenizer, windows: dict[str, torch.Tensor], sources: list[str],
                       autocast=None) -> dict[str, float]:
    """``val/{loss,bpb}/<source>/{toxic,clean}_lines`` for each of ``sources`` with val windows."""
    from pretrainlab.data.curate.toxicity import world_markers

    classify = marker_classifier(world_markers())
    out = {}
    for source in sources:
        if source not in windows:
            continue
        got = line_class_losses(model, tokenizer, windows[source], classify, autocast)
        for c in LINE_CLASSES:
            r = got.get(c, {"loss": math.nan, "bpb": math.nan})
            out[f"val/loss/{source}/{c}_lines"], out[f"val/bpb/{source}/{c}_lines"] = r["loss"], r["bpb"]
    return out


def toxic_line_metric_names(sources: list[str]) -> set[str]:
    return {f"val/{m}/{s}/{c}_lines" for s in sources for m in ("loss", "bpb") for c in LINE_CLASSES}


__all__ = ["line_class_losses", "line_ids", "marker_classifier", "token_losses", "toxic_line_metrics",
           "toxic_line_metric_names"]
