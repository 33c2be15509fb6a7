"""Fine-tune a table encoder on n rows of a held-out table and score its test rows (the UniTabE transfer
protocol).

A copy of the backbone plus a fresh ``TableClassify`` head (objectives/table_classify.py) trains with
AdamW (``lr``, ``weight_decay``) for ``max(min_steps, epochs * ceil(n / batch_size))`` steps on batches of
``min(batch_size, n)`` rows (``data.table_batch.sample_rows`` over the n rows, seeded by the run seed,
table and n), then predicts P(y = 1) for every test row. The same budget applies to pretrained and
scratch encoders; nothing is tuned on test rows.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch

from pretrainlab.data.table_batch import gather, sample_rows
from pretrainlab.objectives.table_classify import TableClassify
from pretrainlab.seeding import derive_seed
from pretrainlab.worlds.table.encode import EncodedTables


@dataclass
class FinetuneSettings:
    lr: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 32
    epochs: int = 15
    min_steps: int = 60


def finetune_steps(n: int, s: FinetuneSettings) -> int:
    return max(s.min_steps, s.epochs * math.ceil(n / s.batch_size))


@torch.no_grad()
def predict(backbone, head: TableClassify, enc: EncodedTables, rows: np.ndarray, device,
            chunk: int = 512) -> np.ndarray:
    backbone.eval()
    out = [head.predict(backbone, gather(enc, rows[i:i + chunk], device)).cpu().numpy()
           for i in range(0, len(rows), chunk)]
    return np.concatenate(out) if out else np.zeros(0)


def finetune_predict(backbone, enc: EncodedTables, table: int, train: np.ndarray, test: np.ndarray,
                     s: FinetuneSettings, seed: int, device) -> np.ndarray:
    """P(y = 1) of the ``test`` rows after fine-tuning a copy of ``backbone`` on the ``train`` rows."""
    key = derive_seed(seed, "finetune", table, len(train)) >> 1
    torch.manual_seed(key)
    model = copy.deepcopy(backbone).to(device)
    head = TableClassify(model.cfg.dim).to(device)
    params = [*model.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, lr=s.lr, weight_decay=s.weight_decay)
    bs = min(s.batch_size, len(train))
    model.train()
    for step in range(finetune_steps(len(train), s)):
        batch = gather(enc, sample_rows(key, step, bs, train), device)
        loss, _ = head(model, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return predict(model, head, enc, test, device)
