"""bert2bert recipe: the plan wires growth and FLOPs targets; a grown run counts pipeline FLOPs and
starts (FPI) at the small model's validation loss."""

import json
import math

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.models.decoder import DecoderConfig
from pretrainlab.models.flops import flops_per_token
from pretrainlab.recipes import bert2bert, quickstart, recipe_experiment
from pretrainlab.recipes.common import seeds
from pretrainlab.run_config import build_run_config
from pretrainlab.runner import execute


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_plan_shares_small_model_and_targets_scratch(size, tmp_path):
    exp = build_experiment(recipe_experiment("bert2bert", size))
    plan = build_plan(exp, tmp_path)
    for seed in exp.seeds:
        scratch = plan.job("scratch", "large", seed)
        assert scratch.config["eval"]["loss_target_from"] == "self" and not scratch.deps
        assert plan.index["fpi", "small", seed] == plan.index["aki", "small", seed] == \
            plan.index["aki-2stage", "small", seed]
        for arm, grow in (("fpi", "fpi+stack"), ("aki", "aki+stack"), ("stack", "stack"), ("aki-2stage", "stack")):
            job = plan.job(arm, "large", seed)
            assert job.config["train"]["grow"] == grow
            assert job.config["eval"]["loss_target_from"] == str(scratch.run_dir)
            assert scratch.key in job.deps and len(job.deps) == 2
    assert len(plan.jobs) == 8 * len(seeds(size))  # the small model is shared by three arms


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_claims_compare_grown_pipelines_with_scratch_behind_premises(size):
    exp = build_experiment(recipe_experiment("bert2bert", size))
    steps, every = bert2bert.SIZES[size].steps, bert2bert.SIZES[size].eval_every
    vocab = recipe_experiment("bert2bert", size)["base"]["data"]["tokenizer"]["vocab_size"]
    step_flops = flops_per_token(DecoderConfig(**bert2bert.LARGE, vocab_size=vocab), 128) * 8 * 128
    by_name = {c.name: c for c in exp.claims}
    assert sorted(c.name for c in exp.claims if c.role == "primary") == [
        "AKI reaches scratch loss with fewer FLOPs",
        "bert2BERT (AKI + two-stage) reaches scratch loss with fewer FLOPs"]
    for c in exp.claims:
        if c.role == "premise":  # the grown model starts above scratch's final loss
            assert (c.kind, c.metric, c.value) == ("above", "grow/init_gap_to_target", 0.0)
            continue
        assert c.kind == "less" and c.metric == "flops_to/val_loss_target"
        grown = [a for a in c.arms if a != "scratch"]
        assert sorted(by_name[r].arms[0] for r in c.requires) == sorted(grown)  # every grown arm must train
        expected = bert2bert.SAVING * steps if "scratch" in c.arms else every
        assert c.min_effect == pytest.approx(expected * step_flops)


def _cfg(name: str, model: dict, steps: int, **train) -> dict:
    cfg = quickstart.config("tiny")
    cfg["name"] = name
    cfg["data"]["world"]["n_docs"] = 300
    cfg["data"]["seq_len"] = 64
    cfg["model"] = model
    cfg["train"].update({"steps": steps, "batch_size": 4, "eval_every": 4, "log_every": 2, "dtype": "fp32",
                         "progress": False, "threads": 1, **train})
    cfg["eval"].update({"val_tokens": 512, "fact_qa": False, "arithmetic": False, "generations": 0, "report": False})
    return cfg


def test_grown_run_counts_pipeline_flops_and_starts_at_small_loss(tmp_path):
    small_model = {"d_model": 32, "n_layers": 1, "n_heads": 2, "ffn_hidden": 64}
    large_model = {"d_model": 64, "n_layers": 1, "n_heads": 4, "ffn_hidden": 128}
    data = tmp_path / "data"
    small = execute(build_run_config(_cfg("small", small_model, 8)), tmp_path / "small", data_root=data)
    cfg = _cfg("grown", large_model, 8, grow="fpi", init_from=str(tmp_path / "small"))
    cfg["eval"]["loss_target_from"] = str(tmp_path / "small")
    grown = execute(build_run_config(cfg), tmp_path / "grown", data_root=data)

    ckpt = sorted((tmp_path / "small" / "checkpoints").iterdir())[-1]
    vocab = json.loads((ckpt / "model_config.json").read_text())["vocab_size"]
    tokens = 8 * 4 * 64
    small_fpt = flops_per_token(DecoderConfig(**small_model, vocab_size=vocab), 64)
    large_fpt = flops_per_token(DecoderConfig(**large_model, vocab_size=vocab), 64)
    assert small["train/flops"] == pytest.approx(small_fpt * tokens)
    assert grown["train/flops_inherited"] == pytest.approx(small["train/flops"])
    assert grown["train/flops"] == pytest.approx(small["train/flops"] + large_fpt * tokens)
    # FPI: the grown model's step-0 validation loss is the small model's final one (same windows, fp32).
    assert abs(grown["grow/init_val/loss"] - small["val/loss"]) < 1e-4
    # Target = the small model's final loss: reached at step 0, with no FLOPs beyond the inherited ones.
    assert grown["val_loss_target"] == small["val/loss"]
    assert grown["flops_to/val_loss_target"] == pytest.approx(small["train/flops"])
    # ... which the recipe's premise catches: the grown model does not start above the target.
    assert abs(grown["grow/init_gap_to_target"]) < 1e-4
    rows = [json.loads(line) for line in (tmp_path / "grown" / "metrics.jsonl").read_text().splitlines()]
    logged = [r["train/flops"] for r in rows if "train/flops" in r]
    assert logged == sorted(logged) and logged[-1] == pytest.approx(grown["train/flops"])
    assert math.isfinite(grown["val/loss"])
