import numpy as np
import pytest
import torch

from pretrainlab.data.mixture import Mixture, val_windows
from pretrainlab.data.store import TokenStore, build_store


def _docs(prefix, n):
    return [{"text": f"{prefix} document number {i} says hello to the world.", "meta": {}} for i in range(n)]


@pytest.fixture()
def store(tmp_path, tokenizer):
    splits = {"train": {"a": _docs("alpha", 200), "b": _docs("beta", 100)}, "val": {"a": _docs("alpha v", 20)}}
    return build_store(tmp_path / "store", splits, tokenizer, shard_tokens=2000)


def test_store_roundtrip(store, tokenizer, tmp_path):
    assert not (tmp_path / "store.tmp").exists()
    info = store.info("train", "a")
    assert info["docs"] == 200 and len(info["shards"]) > 1  # sharded at 2000 tokens
    assert store.dtype == np.uint16
    index = store.index("train")
    assert index.shape == (300, 4)
    src, shard, start, length = index[5]
    toks = np.asarray(store.shards("train", "a")[shard][start:start + length])
    assert toks[-1] == tokenizer.eos_id
    assert tokenizer.decode(toks[:-1].tolist()) == "alpha document number 5 says hello to the world."
    assert TokenStore(store.root).summary()["train"]["b"]["docs"] == 100


def test_mixture_is_pure_function_of_seed_and_step(store):
    m1 = Mixture(store, {"a": 0.75, "b": 0.25}, seq_len=16, seed=3)
    m2 = Mixture(store, {"a": 0.75, "b": 0.25}, seq_len=16, seed=3)
    assert torch.equal(m1.batch(7, 8), m2.batch(7, 8))
    assert not torch.equal(m1.batch(7, 8), m1.batch(8, 8))
    assert m1.batch(0, 8).shape == (8, 17)
    # ranks take disjoint interleaved rows of the same global batch
    full = m1.batch(4, 8)
    assert torch.equal(torch.cat([m1.batch(4, 8, 0, 2), m1.batch(4, 8, 1, 2)])[[0, 4, 1, 5, 2, 6, 3, 7]], full)
    counts = {"a": 0, "b": 0}
    for s in range(200):
        for k, v in m1.source_counts(s, 8).items():
            counts[k] += v
    assert 0.70 < counts["a"] / 1600 < 0.80


def test_mixture_errors(store):
    with pytest.raises(ValueError, match="unknown sources \\['c'\\]"):
        Mixture(store, {"c": 1.0}, seq_len=16, seed=0)
    with pytest.raises(ValueError, match="lower data.seq_len"):
        Mixture(store, {"a": 1.0}, seq_len=5000, seed=0)


def test_val_windows_fixed_and_non_overlapping(store):
    w = val_windows(store, "val", "a", seq_len=16, max_tokens=64)
    assert w.shape == (4, 17)
    assert torch.equal(w[0, 16], w[1, 0])  # consecutive windows share only the boundary token


def test_stages_and_repetition_caps(store):
    from pretrainlab.data.mixture import MixtureStage

    stages = [MixtureStage({"a": 1.0}, until_step=5), MixtureStage({"a": 0.5, "b": 0.5})]
    m = Mixture(store, None, seq_len=16, seed=0, stages=stages, batch_size=8, total_steps=20)
    assert all(set(m.row_sources(s, 8)) == {"a"} for s in range(5))
    assert m.probs(5).tolist() == [0.5, 0.5]
    # cap b at 1 epoch: b's expected consumption (4 rows x 16 tokens per step) exhausts it, then a takes over
    b_tokens = store.info("train", "b")["tokens"]
    capped = Mixture(store, {"a": 1.0, "b": 1.0}, seq_len=16, seed=0, max_epochs={"b": 1.0}, batch_size=8,
                     total_steps=400)
    stop = next(s for s in range(400) if capped.probs(s)[1] == 0)
    assert stop == -(-b_tokens // 64)  # ceil(b_tokens / 64 expected tokens per step)
    assert capped.probs(399).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="exhausted by data.max_epochs"):
        Mixture(store, {"b": 1.0}, seq_len=16, seed=0, max_epochs={"b": 0.5}, batch_size=8, total_steps=400)


def test_run_logs_delivered_mixture_and_source_losses(tmp_path):
    import json

    from pretrainlab.config import apply_overrides
    from pretrainlab.recipes import recipe_config
    from pretrainlab.run_config import build_run_config
    from pretrainlab.runner import execute

    cfg = build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), [
        "train.steps=8", "train.log_every=4", "train.progress=false", "eval.max_items=4", "eval.generations=0",
        "data.stages=[{weights: {story: 1.0}, until_step: 4}, {weights: {code: 1.0}}]", "data.max_epochs={code: 50}"]))
    execute(cfg, tmp_path / "run")
    rows = [json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    mix = [r for r in rows if "mix/tokens/story" in r]
    assert [r["step"] for r in mix] == [4, 8]
    tokens_per_step = 8 * 128
    assert mix[0]["mix/tokens/story"] == 4 * tokens_per_step and mix[0]["mix/tokens/code"] == 0
    assert mix[1]["mix/tokens/code"] == 4 * tokens_per_step and "train/loss/code" in mix[1]
    assert mix[1]["mix/target/code"] == pytest.approx(4 * tokens_per_step)
    assert (tmp_path / "run" / "plots" / "mixture.png").exists()


def test_length_curriculum_starts_with_short_documents(tmp_path, tokenizer):
    from pretrainlab.data.mixture import OrderConfig

    docs = [{"text": "word " * (5 + (i % 20) * 10), "meta": {}} for i in range(100)]
    st = build_store(tmp_path / "s", {"train": {"a": docs}}, tokenizer)
    m = Mixture(st, {"a": 1.0}, seq_len=16, seed=0, batch_size=8, total_steps=100,
                order=OrderConfig(by="length", start_frac=0.1, full_at=0.5))
    index = st.index("train")
    length_at = {(int(r[1]), int(r[2])): int(r[3]) for r in index}
    lengths = sorted(int(r[3]) for r in index)
    for s in range(5):
        got = [length_at.get((w.shard, w.start)) for w in m.windows(s, 8)]
        assert all(x is not None for x in got)  # windows start at document starts
        assert max(got) <= lengths[int(m.competence(s) * 100) - 1]  # only the easiest c(s) fraction
    shortest = lengths[:10]
    assert m.competence(0) == pytest.approx(0.1) and m.competence(50) == 1.0
    late = {length_at.get((w.shard, w.start)) for s in range(60, 100) for w in m.windows(s, 8)}
    assert max(late) > max(shortest)
    assert torch.equal(m.batch(3, 8), m.batch(3, 8))
