"""What every recipe shares: the size check and seed counts per size.

Each recipe keeps its sizes as ``SIZES = {"tiny": Size(...), "full": Size(...)}``, a frozen dataclass of
named, documented fields, and reads them with ``s = size_of(SIZES, size, NAME)``.

Verdicts need at least 3 seeds; recipes run 3 at ``tiny`` and 5 at ``full``. Running fewer (``--seeds``)
marks every verdict *underpowered* (``ExperimentConfig.planned_seeds``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

S = TypeVar("S")

SEEDS = {"tiny": 3, "full": 5}


def size_of(sizes: Mapping[str, S], size: str, recipe: str) -> S:
    """``sizes[size]``, or a ValueError naming ``recipe`` and the sizes it has."""
    if size not in sizes:
        raise ValueError(f"{recipe}: unknown size '{size}'; choose one of {list(sizes)}")
    return sizes[size]


def seeds(size: str) -> list[int]:
    return list(range(size_of(SEEDS, size, "seeds")))
