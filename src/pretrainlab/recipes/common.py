"""What every paper recipe shares: seed counts per size.

Verdicts need at least 3 seeds; recipes run 3 at ``tiny`` and 5 at ``full``. Running fewer (``--seeds``)
marks every verdict *underpowered* (``ExperimentConfig.planned_seeds``).
"""

from __future__ import annotations

SEEDS = {"tiny": 3, "full": 5}


def seeds(size: str) -> list[int]:
    return list(range(SEEDS[size]))
