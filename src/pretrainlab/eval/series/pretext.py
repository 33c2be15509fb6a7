"""Held-out scores of the pretraining tasks (SSPT's MA prediction and identity tasks) on the validation
period: ``ma_mse`` (mean over horizons) and ``ma_r2``, ``stock_acc``, ``sector_acc`` of the task's own heads.
Windows are the validation samples whose MA targets end inside the validation period."""

from __future__ import annotations

import numpy as np
import torch

from pretrainlab.data.series_windows import SeriesWindows


@torch.no_grad()
def pretext_eval(backbone, heads: dict, win: SeriesWindows, period: str, batch_size: int, device) -> dict[str, float]:
    """``heads``: {"ma": Linear, "stock": Linear, "sector": Linear} (those in use)."""
    pairs = win.samples(period, max(win.horizons))
    sums: dict[str, float] = {}
    ys = []
    for i in range(0, len(pairs), batch_size):
        p = pairs[i:i + batch_size]
        h = backbone(torch.from_numpy(win.window_of(p)).to(device)).float()
        if "ma" in heads:
            y = torch.from_numpy(win.ma[p[:, 0], p[:, 1]]).to(device)
            sums["ma_se"] = sums.get("ma_se", 0.0) + float(((heads["ma"](h) - y) ** 2).mean(-1).sum())
            ys.append(y.cpu().numpy())
        for name, labels in (("stock", p[:, 0]), ("sector", win.sectors[p[:, 0]])):
            if name in heads:
                hit = (heads[name](h).argmax(-1).cpu().numpy() == labels).sum()
                sums[f"{name}_hits"] = sums.get(f"{name}_hits", 0.0) + float(hit)
    n, out = len(pairs), {}
    if "ma" in heads:
        out["ma_mse"] = sums["ma_se"] / n
        out["ma_r2"] = 1.0 - out["ma_mse"] / float(np.concatenate(ys).var(axis=0).mean())
    for name in ("stock", "sector"):
        if name in heads:
            out[f"{name}_acc"] = sums[f"{name}_hits"] / n
    return out
