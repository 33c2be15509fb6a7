"""Insertions: placement rules (fit in a row, wrapped in EOT, no collisions), determinism, bad input."""

import json

import numpy as np
import pytest

from pretrainlab.data.insertions import InsertionConfig, InsertionPlan

B, T, STEPS = 4, 31, 10  # rows of T+1 = 32 tokens


def plan(tokenizer, *configs, seed=0):
    return InsertionPlan(list(configs), tokenizer, seed, B, T, STEPS)


def test_explicit_positions_shift_to_fit_and_never_collide(tokenizer):
    item = "Q: 37 + 48 = ? A: 85"
    n = len(tokenizer.encode(item)) + 2
    p = plan(tokenizer, InsertionConfig("canary", items=[item], positions=[30, 31, 40, 40, 40]))
    places = p.placements()
    assert len(places) == 5
    for pl in places:
        assert pl.tokens[0] == pl.tokens[-1] == tokenizer.eos_id and len(pl.tokens) == n
        assert 0 <= pl.offset and pl.offset + n <= T + 1  # inside one row
    spans = {}
    for pl in places:
        spans.setdefault((pl.step, pl.row), []).append((pl.offset, pl.offset + n))
    for row_spans in spans.values():
        row_spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(row_spans, row_spans[1:]))  # no overlaps
    assert (places[0].step, places[0].row, places[0].offset) == (0, 0, T + 1 - n)  # shifted left to fit


def test_random_placement_is_deterministic_and_applied(tokenizer):
    cfg = InsertionConfig("contam", items=["alpha beta", "gamma"], count=3, start=0.5, end=1.0)
    a, b = plan(tokenizer, cfg), plan(tokenizer, cfg)
    assert a.placements() == b.placements()
    assert plan(tokenizer, cfg, seed=1).placements() != a.placements()
    assert all(pl.step >= STEPS // 2 - 1 for pl in a.placements())
    pl = a.placements()[0]
    rows = np.zeros((B, T + 1), dtype=np.int64) + 7
    out = a.apply(pl.step, rows.copy(), list(range(B)))
    assert out[pl.row, pl.offset:pl.offset + len(pl.tokens)].tolist() == list(pl.tokens)
    # a rank holding only rows without placements at this step gets them untouched
    free = [r for r in range(B) if r not in {q.row for q in a.by_step[pl.step]}]
    assert free and (a.apply(pl.step, rows[:len(free)].copy(), free) == 7).all()
    assert 0 < a.token_fraction() < 0.1


def test_rate_and_log(tokenizer, tmp_path):
    p = plan(tokenizer, InsertionConfig("wm", items=["one", "two"], rate=2000))
    total = STEPS * B * (T + 1)
    assert len(p.placements()) == 2 * round(2000 * total / 1e6 / 2)
    p.write_log(tmp_path / "insertions.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "insertions.jsonl").read_text().splitlines()]
    assert {"experiment", "item", "step", "row", "offset", "position"} <= set(rows[0])


def test_bad_insertions_fail_before_training(tokenizer):
    with pytest.raises(ValueError, match="longer than a training sequence"):
        plan(tokenizer, InsertionConfig("long", items=["word " * 100]))
    with pytest.raises(ValueError, match="outside the run's token budget"):
        plan(tokenizer, InsertionConfig("far", items=["x"], positions=[STEPS * B * (T + 1)]))
    with pytest.raises(ValueError, match="no items"):
        plan(tokenizer, InsertionConfig("empty"))


def test_run_with_insertions(tmp_path):
    from pretrainlab.config import apply_overrides
    from pretrainlab.recipes import recipe_config
    from pretrainlab.run_config import build_run_config
    from pretrainlab.runner import execute

    cfg = build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), [
        "train.steps=4", "train.progress=false", "eval.max_items=4", "eval.generations=0", "eval.report=false",
        "data.insertions=[{name: canary, items: [zq xv zq xv], count: 5}]"]))
    s = execute(cfg, tmp_path / "run")
    assert s["insertions/count"] == 5 and s["insertions/token_fraction"] > 0
    assert len((tmp_path / "run" / "insertions.jsonl").read_text().splitlines()) == 5


def test_probes_insert_and_measure(tmp_path):
    """Contamination and canary probes run inside one training run and report per-repeat metrics."""
    from pretrainlab.config import apply_overrides
    from pretrainlab.experiments.config import build_experiment
    from pretrainlab.recipes import recipe_config
    from pretrainlab.run_config import build_run_config
    from pretrainlab.runner import execute

    probes = ("data.probes=[{name: arith, kind: contamination, repeats: [0, 8], per_group: 5}, "
              "{name: secret, kind: canary, repeats: [0, 8], per_group: 2}]")
    cfg = build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), [
        "train.steps=30", "train.progress=false", "eval.max_items=4", "eval.generations=0", "eval.report=false",
        probes]))
    s = execute(cfg, tmp_path / "run")
    assert s["insertions/count"] == 5 * 8 + 2 * 8
    for k in (0, 8):
        assert 0 <= s[f"eval/contamination/arith/x{k}"] <= 1
        assert s[f"eval/canary/secret/x{k}/exposure"] >= 0
    # claims can name probe metrics: the experiment validator knows them
    base = recipe_config("quickstart", "tiny")
    base["data"]["probes"] = [{"name": "arith", "kind": "contamination", "repeats": [0, 8], "per_group": 5}]
    build_experiment({"name": "p", "base": base, "arms": {"a": {}, "b": {}},
                      "claims": [{"name": "c", "kind": "greater", "metric": "eval/contamination/arith/x8",
                                  "arms": ["a", "b"]}]})

