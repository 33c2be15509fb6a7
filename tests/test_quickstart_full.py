"""The full quickstart learns within its budget (issue #2). ~4 minutes on 2 cores: marked slow.

`bash scripts/test.sh` (the README/CI command) runs it; a plain `pytest` skips it.
"""

import pytest

from pretrainlab.config import apply_overrides
from pretrainlab.recipes import recipe_config
from pretrainlab.run_config import build_run_config
from pretrainlab.runner import execute


@pytest.mark.slow
def test_full_quickstart_learns(tmp_path):
    cfg = build_run_config(apply_overrides(recipe_config("quickstart", "full"), ["train.progress=false"]))
    s = execute(cfg, tmp_path / "qs")
    assert s["val/loss"] < 0.5 * s["baseline/unigram_loss"]
    assert s["eval/fact_qa/train_people"] > s["eval/fact_qa/chance"] + 0.15  # 150 items: ~4.5 sd above chance
    assert s["tokens"] == cfg.train.steps * cfg.train.batch_size * cfg.data.seq_len
    # No wall-time assertion: the 5-minute target is tracked in docs/benchmarks.md. A `wall_s < 600` check
    # here failed on a machine shared with other runs (1036 s) while the run itself was correct.
