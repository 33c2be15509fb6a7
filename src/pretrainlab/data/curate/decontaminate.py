"""``decontaminate``: drop training documents that share a word n-gram with an evaluation item.

As datatrove's ``NGramsDecontFilter`` (12-grams) and GPT-3's 13-gram overlap: every item of the
eval sets (JSONL files, or folders of them, e.g. the world's ``eval/fact_qa.jsonl``) is turned into
lowercase tokens (``text.tokens``: words and punctuation) of its ``fields`` joined by spaces (the
prompt and the answer by default). An item of ``k`` tokens contributes its ``min(n, k)``-grams, so
a short QA item ("Q: What is the birth city of X? A: Y") still counts as a whole; items shorter
than ``min_n`` tokens are ignored (counted ``items_too_short``), since a 3-token "n-gram" matches
unrelated text. A document containing any indexed n-gram is dropped with reason ``contaminated``,
and the first matching n-gram goes to ``meta.contaminated_ngram``. ``stats.info`` has the number
of eval items indexed (``eval_items``) and ignored (``eval_items_too_short``). Local (the index is built in
each worker, on first use).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import Step, StepConfig, StepStats
from pretrainlab.data.curate.text import ngrams, tokens
from pretrainlab.data.readers import DataError


@dataclass
class DecontaminateConfig(StepConfig):
    eval_paths: list[str] = field(default_factory=list)
    """JSONL files or folders (read recursively) of evaluation items."""
    fields: list[str] = field(default_factory=lambda: ["prompt", "answer"])
    """Item fields joined (with spaces) into the text to protect."""
    n: int = 13
    min_n: int = 5

    def validate(self) -> None:
        if not self.eval_paths:
            raise ConfigError("decontaminate.eval_paths is required: JSONL files or folders of "
                              "eval items (e.g. data/world/eval)")
        for path in self.eval_paths:
            if not Path(path).exists():
                raise ConfigError(f"decontaminate.eval_paths: no such file or folder {path!r}")
        if not 1 <= self.min_n <= self.n:
            raise ConfigError(f"decontaminate: need 1 <= min_n <= n, got min_n={self.min_n}, "
                              f"n={self.n}")


def eval_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.rglob("*.jsonl")) if p.is_dir() else [p]
    return files


def build_index(cfg: DecontaminateConfig) -> tuple[dict[int, set[str]], dict[str, int]]:
    """({n: n-grams}, counters) over every eval item."""
    index: dict[int, set[str]] = {}
    counts = {"items": 0, "items_too_short": 0}
    for file in eval_files(cfg.eval_paths):
        with open(file, encoding="utf-8") as f:
            for line_no, line in enumerate(f, 1):
                if not line.strip():
                    continue
                text = _item_text(line, cfg.fields, f"{file}:{line_no}")
                toks = [t.lower() for t in tokens(text)]
                counts["items"] += 1
                if len(toks) < cfg.min_n:
                    counts["items_too_short"] += 1
                    continue
                n = min(cfg.n, len(toks))
                index.setdefault(n, set()).update(ngrams(toks, n))
    return index, counts


def _item_text(line: str, fields: list[str], where: str) -> str:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as e:
        raise DataError(f"{where}: invalid JSON in eval set ({e.msg})") from None
    if not isinstance(item, dict) or not any(k in item for k in fields):
        keys = list(item) if isinstance(item, dict) else type(item).__name__
        raise DataError(f"{where}: eval item has none of the fields {fields} (found {keys}); set "
                        "decontaminate.fields")
    return " ".join(str(item[k]) for k in fields if k in item)


class Decontaminate(Step):
    """Drop documents overlapping evaluation items (see the module docstring)."""

    name = "decontaminate"
    Config = DecontaminateConfig
    target = None

    def __init__(self, cfg: DecontaminateConfig | None = None):
        super().__init__(cfg)
        self.cfg.validate()
        self.index: dict[int, set[str]] | None = None

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        if self.index is None:
            self.index, counts = build_index(self.cfg)
            stats.info.update({f"eval_{k}": v for k, v in counts.items()})
        toks = [t.lower() for t in tokens(doc["text"])]
        for n, grams in self.index.items():
            hit = next((g for g in ngrams(toks, n) if g in grams), None)
            if hit is not None:
                doc["meta"]["contaminated_ngram"] = hit
                return "contaminated"
        return None
