"""Masked-cell loss on held-out rows: did pretraining learn to fill in cells of tables it never saw?

The pretraining objective's masked-cell head (objectives/masked_cell.py) on the downstream tables' test
rows, with masks drawn from a fixed seed (``derive_seed("masked-eval", chunk)``) so every run and arm is
scored on the same cells. Reports the cell-weighted means over all chunks: ``loss`` (= ``ce`` + ``mse``),
``ce`` and ``cat_acc`` over masked categorical cells, ``mse`` over masked numeric cells (z-scored; a
model that predicts the column mean scores about 1).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from pretrainlab.data.table_batch import gather
from pretrainlab.objectives.masked_cell import MaskedCell, draw_mask
from pretrainlab.seeding import derive_seed
from pretrainlab.worlds.table.encode import EncodedTables


@torch.no_grad()
def masked_cell_eval(backbone, head: MaskedCell, enc: EncodedTables, rows: np.ndarray, device,
                     chunk: int = 256) -> dict[str, float]:
    was = backbone.training
    backbone.eval()
    ce = mse = hits = n_cat = n_num = 0.0
    for k, i in enumerate(range(0, len(rows), chunk)):
        batch = gather(enc, rows[i:i + chunk], device)
        present = (batch["kinds"] != 0) & ~batch["miss"]
        gen = torch.Generator().manual_seed(derive_seed("masked-eval", k) >> 1)
        mask = draw_mask(present.cpu(), head.mask_ratio, gen).to(device) & present
        _, h = backbone(batch, mask=mask)
        cat_sel, num_sel = mask & (batch["kinds"] == 2), mask & (batch["kinds"] == 1)
        logits = head.cat_head(h[cat_sel]).float()
        ce += F.cross_entropy(logits, batch["cat"][cat_sel], reduction="sum").item()
        hits += (logits.argmax(-1) == batch["cat"][cat_sel]).sum().item()
        pred = head.num_head(h[num_sel]).squeeze(-1).float()
        mse += ((pred - batch["num"][num_sel]) ** 2).sum().item()
        n_cat, n_num = n_cat + cat_sel.sum().item(), n_num + num_sel.sum().item()
    backbone.train(was)
    ce, mse = ce / max(n_cat, 1), mse / max(n_num, 1)
    return {"loss": ce + mse, "ce": ce, "mse": mse, "cat_acc": hits / max(n_cat, 1)}
