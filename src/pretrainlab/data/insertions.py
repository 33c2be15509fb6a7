"""Insertions: place chosen sequences into the training stream at planned positions.

Paper: "Train Once, Answer All: Many Pretraining Experiments for the Cost of One" (METHODS-1 #7): many
experiments (contamination, canaries, backdoors, watermarks, knowledge acquisition) share one run by
inserting their sequences into the token stream.

The training stream is addressed in *global token positions*: step s, row r, offset o of the (B, T+1)
batch is position ``(s * B + r) * (T+1) + o``. Each occurrence of an item is placed at a requested position
(explicit, uniform in a range, or spread at a rate), wrapped in end-of-text tokens, then shifted so it
never crosses a sequence boundary and never overlaps another insertion. The plan is a pure function of
(seed, config, tokenizer, batch shape), computed before training: resume reproduces it exactly, and a
bad request (an item longer than a sequence, a position past the run's token budget) fails before the
first step.

Dynamic insertions (knowledge acquisition, eval/knowledge.py) are added while training runs with
``add_dynamic``: the same placement rules apply (EOT wrapping, one row, no collision with static or
earlier dynamic placements), only into steps not yet trained. ``restore`` re-adds them on resume.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class InsertionConfig:
    """One experiment's insertions."""

    name: str
    items: list[str] = field(default_factory=list)
    """Texts to insert (or give ``path``)."""
    path: str | None = None
    """A JSONL file of items (``text_field`` holds the text; an ``id`` field names the item)."""
    text_field: str = "text"
    count: int = 1
    """Occurrences per item (ignored when ``positions`` lists every occurrence)."""
    positions: list[int] = field(default_factory=list)
    """Explicit global token positions, one per occurrence (items cycled)."""
    start: float = 0.0
    """Random placement range, as a fraction of the run's tokens: [start, end)."""
    end: float = 1.0
    rate: float | None = None
    """Occurrences per million training tokens over [start, end) (instead of ``count``)."""

    def validate(self) -> None:
        from pretrainlab.config import ConfigError

        where = f"data.insertions[{self.name}]"
        if not self.items and not self.path:
            raise ConfigError(f"{where}: no items; give items: [...] or path: FILE.jsonl")
        for i, text in enumerate(self.items):
            if not text.strip():
                raise ConfigError(f"{where}.items[{i}] is empty; an insertion needs some text")
        if self.count < 1:
            raise ConfigError(f"{where}.count must be >= 1 (occurrences per item), got {self.count}")
        if self.rate is not None and not self.rate > 0:
            raise ConfigError(f"{where}.rate must be > 0 (occurrences per million tokens), got {self.rate}")
        if not 0 <= self.start < self.end <= 1:
            raise ConfigError(f"{where}: need 0 <= start < end <= 1 (fractions of the run), got start={self.start}, "
                              f"end={self.end}")
        bad = [p for p in self.positions if p < 0]
        if bad:
            raise ConfigError(f"{where}.positions must be >= 0, got {bad}")


@dataclass(frozen=True)
class Placement:
    experiment: str
    item: str
    occurrence: int
    step: int
    row: int
    offset: int
    tokens: tuple[int, ...]


def _seed(*parts) -> int:
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "little")


def _items(cfg: InsertionConfig) -> list[tuple[str, str]]:
    items = [(f"{cfg.name}-{i}", t) for i, t in enumerate(cfg.items)]
    if cfg.path:
        from pretrainlab.data.readers import DataError

        try:
            lines = Path(cfg.path).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise DataError(f"{cfg.path}: file not found (data.insertions[{cfg.name}].path)") from None
        except UnicodeDecodeError:
            raise DataError(f"{cfg.path}: not UTF-8 text; save it as UTF-8 (data.insertions[{cfg.name}].path)") from None
        for n, line in enumerate(lines, 1):
            if line.strip():
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    raise DataError(f"{cfg.path}:{n}: invalid JSON ({e.msg}); one JSON object per line") from None
                if not isinstance(rec, dict) or cfg.text_field not in rec:
                    keys = sorted(rec) if isinstance(rec, dict) else type(rec).__name__
                    raise DataError(f"{cfg.path}:{n}: no field '{cfg.text_field}' (keys: {keys}); set "
                                    f"data.insertions[{cfg.name}].text_field")
                if not isinstance(rec[cfg.text_field], str) or not rec[cfg.text_field].strip():
                    raise DataError(f"{cfg.path}:{n}: field '{cfg.text_field}' is empty or not a string")
                items.append((str(rec.get("id", f"{cfg.name}-{len(items)}")), rec[cfg.text_field]))
    if not items:
        raise ValueError(f"insertions '{cfg.name}': no items (give items: [...] or path: FILE.jsonl)")
    return items


class InsertionPlan:
    """All placements of a run, indexed by step."""

    def __init__(self, configs: list[InsertionConfig], tokenizer, seed: int, batch_size: int, seq_len: int,
                 steps: int):
        self.B, self.T1, self.steps = batch_size, seq_len + 1, steps
        self.total_tokens = steps * batch_size * self.T1
        self.by_step: dict[int, list[Placement]] = {}
        self._used: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self.dynamic: list[Placement] = []
        """Placements added while training (``add_dynamic``), in the order they were added."""
        requests = []
        for cfg in configs:
            for occ, (item, pos, toks) in enumerate(self._requests(cfg, tokenizer, seed)):
                requests.append((pos, cfg.name, item, occ, toks))
        for pos, name, item, occ, toks in sorted(requests, key=lambda r: (r[0], r[1], r[2], r[3])):
            step, row, offset = self._place(pos, len(toks), f"{name}/{item}")
            self.by_step.setdefault(step, []).append(Placement(name, item, occ, step, row, offset, toks))

    def _requests(self, cfg: InsertionConfig, tokenizer, seed: int):
        items = _items(cfg)
        encoded = []
        for item, text in items:
            toks = (tokenizer.eos_id, *tokenizer.encode(text), tokenizer.eos_id)
            if len(toks) > self.T1:
                raise ValueError(f"insertion '{cfg.name}/{item}' is {len(toks)} tokens with its end-of-text "
                                 f"markers, longer than a training sequence ({self.T1}); shorten it or raise "
                                 "data.seq_len")
            encoded.append((item, toks))
        if cfg.positions:
            for i, pos in enumerate(cfg.positions):
                if not 0 <= pos < self.total_tokens:
                    raise ValueError(f"insertion '{cfg.name}': position {pos} is outside the run's token budget "
                                     f"[0, {self.total_tokens}) = steps x batch x (seq_len+1)")
                item, toks = encoded[i % len(encoded)]
                yield item, pos, toks
            return
        if not 0 <= cfg.start < cfg.end <= 1:
            raise ValueError(f"insertion '{cfg.name}': need 0 <= start < end <= 1, got [{cfg.start}, {cfg.end})")
        lo, hi = int(cfg.start * self.total_tokens), int(cfg.end * self.total_tokens)
        per_item = cfg.count
        if cfg.rate is not None:
            per_item = max(1, round(cfg.rate * (hi - lo) / 1e6 / len(encoded)))
        rng = np.random.default_rng(_seed(seed, "insertions", cfg.name))
        for item, toks in encoded:
            for pos in sorted(rng.integers(lo, hi, size=per_item).tolist()):
                yield item, pos, toks

    def _place(self, pos: int, length: int, label: str) -> tuple[int, int, int]:
        """Shift to fit inside one row without overlapping earlier placements; move to later rows if full."""
        seq = pos // self.T1
        want = min(pos % self.T1, self.T1 - length)
        for s in range(seq, self.steps * self.B):
            used = self._used.setdefault((s // self.B, s % self.B), [])
            offset = self._free_offset(used, want if s == seq else 0, length)
            if offset is not None:
                used.append((offset, offset + length))
                return s // self.B, s % self.B, offset
        raise ValueError(f"insertion {label}: no room left after position {pos} in the run's token budget")

    def _free_offset(self, used: list[tuple[int, int]], want: int, length: int) -> int | None:
        candidates = [want] + sorted({e for _, e in used} | {max(0, s - length) for s, _ in used})
        for off in sorted(candidates, key=lambda o: (abs(o - want), o)):
            if 0 <= off <= self.T1 - length and all(off + length <= s or off >= e for s, e in used):
                return off
        return None

    def add_dynamic(self, experiment: str, item: str, occurrence: int, tokens: tuple[int, ...],
                    pos: int) -> Placement | None:
        """Place one more occurrence (already EOT-wrapped ``tokens``) at global position ``pos`` or the next
        free span after it; None when no room is left before the end of the run."""
        if len(tokens) > self.T1:
            raise ValueError(f"insertion '{experiment}/{item}' is {len(tokens)} tokens, longer than a training "
                             f"sequence ({self.T1})")
        if not 0 <= pos < self.total_tokens:
            return None
        try:
            step, row, offset = self._place(pos, len(tokens), f"{experiment}/{item}")
        except ValueError:
            return None
        p = Placement(experiment, item, occurrence, step, row, offset, tuple(tokens))
        self.by_step.setdefault(step, []).append(p)
        self.dynamic.append(p)
        return p

    def restore(self, placements: list[Placement]) -> None:
        """Re-add dynamic placements saved with a checkpoint (resume), at exactly their saved spans."""
        for p in placements:
            used = self._used.setdefault((p.step, p.row), [])
            if any(p.offset < e and s < p.offset + len(p.tokens) for s, e in used):
                raise ValueError(f"restored insertion {p.experiment}/{p.item} at step {p.step} row {p.row} "
                                 "overlaps another placement; the saved state does not match this run's plan")
            used.append((p.offset, p.offset + len(p.tokens)))
            self.by_step.setdefault(p.step, []).append(p)
            self.dynamic.append(p)

    def apply(self, step: int, rows: np.ndarray, row_ids: list[int]) -> np.ndarray:
        """Overwrite the planned spans of ``step`` in ``rows`` (whose global row indices are ``row_ids``)."""
        where = {r: i for i, r in enumerate(row_ids)}
        for p in self.by_step.get(step, ()):
            if p.row in where:
                rows[where[p.row], p.offset:p.offset + len(p.tokens)] = p.tokens
        return rows

    def placements(self) -> list[Placement]:
        return [p for step in sorted(self.by_step) for p in self.by_step[step]]

    def token_fraction(self) -> float:
        return sum(len(p.tokens) for p in self.placements()) / max(self.total_tokens, 1)

    def write_log(self, path: Path) -> None:
        """``insertions.jsonl``: one row per placement (experiment, item, occurrence, step, row, offset),
        static and dynamic; written to a temporary file and renamed."""
        tmp, dynamic = Path(path).with_suffix(".jsonl.tmp"), set(self.dynamic)
        with open(tmp, "w") as f:
            for p in self.placements():
                f.write(json.dumps({"experiment": p.experiment, "item": p.item, "occurrence": p.occurrence,
                                    "step": p.step, "row": p.row, "offset": p.offset,
                                    "position": (p.step * self.B + p.row) * self.T1 + p.offset,
                                    "tokens": len(p.tokens), "dynamic": p in dynamic}) + "\n")
        os.replace(tmp, path)
