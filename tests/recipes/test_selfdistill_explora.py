"""selfdistill-fpt and explora recipes: configs validate at both sizes, the teacher stage is wired in the plan,
``adapt`` (LoRA + freezing) runs end to end in an image run, and (slow) the tiny experiments."""

import json

import pytest
import torch

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment


@pytest.mark.parametrize("name", ["selfdistill-fpt", "explora"])
@pytest.mark.parametrize("size", ["tiny", "full"])
def test_experiment_validates(name, size):
    exp = build_experiment(recipe_experiment(name, size))
    assert len(exp.claims) >= 3 and exp.paper == get_recipe(name).PAPER
    assert len(exp.seeds) >= 3


def _claims(name: str, size: str = "tiny") -> dict:
    return {c.name: c for c in build_experiment(recipe_experiment(name, size)).claims}


def test_explora_claims_fine_tune_primary_and_premise():
    claims = _claims("explora")
    primary = [c for c in claims.values() if c.role == "primary"]
    assert {c.metric for c in primary} == {"eval/linear/auc", "eval/finetune/auc"}
    assert all(c.arms == ["explora", "pretrained"] and c.kind == "greater" for c in primary)
    for c in claims.values():
        if c.kind == "noninferior":  # "matches full" needs "full extension helps" on the same metric
            assert c.arms == ["explora", "full"] and c.margin > 0 and c.better == "higher"
            (req,) = c.requires
            assert claims[req].role == "premise" and claims[req].arms == ["full", "pretrained"]
            assert claims[req].metric == c.metric
        if c.metric.endswith("auc"):
            assert c.chance == 0.5
    assert claims["ExPLoRA trains fewer backbone parameters"].role == "sanity"
    protocols = recipe_experiment("explora", "tiny")["base"]["eval"]["protocols"]
    assert "finetune" in protocols and "linear" in protocols


def test_selfdistill_claims_fine_tune_beats_all_baselines():
    claims = _claims("selfdistill-fpt")
    assert all(c.metric == "eval/finetune/auc" and c.chance == 0.5 for c in claims.values())
    primary = {tuple(c.arms): c for c in claims.values() if c.role == "primary"}
    assert set(primary) == {("sd-fpt", "pretrained"), ("sd-fpt", "fpt")}  # beats every baseline
    (premise,) = [c for c in claims.values() if c.role == "premise"]
    assert premise.arms == ["fpt", "pretrained"]  # further pretraining helps
    assert primary["sd-fpt", "fpt"].requires == [premise.name] and not primary["sd-fpt", "pretrained"].requires
    eval_cfg = recipe_experiment("selfdistill-fpt", "full")["base"]["eval"]
    assert "finetune" in eval_cfg["protocols"] and 0 < eval_cfg["max_train"] < 4000  # a small labelled set


def test_selfdistill_plan_wires_teacher_and_shares_stages(tmp_path):
    exp = build_experiment(recipe_experiment("selfdistill-fpt", "tiny"))
    plan = build_plan(exp, tmp_path)
    assert len(plan.jobs) == 3 * len(exp.seeds)  # pretrain, fpt, sd per seed; shared across arms
    for seed in exp.seeds:
        sd, fpt, pre = (plan.job("sd-fpt", s, seed) for s in ("sd", "fpt", "pretrain"))
        assert plan.job("fpt", "fpt", seed) is fpt and plan.job("pretrained", "pretrain", seed) is pre
        assert sd.config["objective"]["teacher_from"] == str(fpt.run_dir)
        assert sd.config["train"]["init_from"] == str(pre.run_dir)  # student from the pretrained model
        assert set(sd.deps) == {pre.key, fpt.key}
    # the hash names the teacher by job key, not by path: another --out gives the same keys
    assert set(build_plan(exp, tmp_path / "elsewhere").jobs) == set(plan.jobs)


def test_explora_arm_configs():
    exp = recipe_experiment("explora", "tiny")
    ext = exp["arms"]["explora"]["stages"][1]["overrides"]
    assert ext["adapt"]["freeze"] and ext["adapt"]["lora_rank"] > 0 and ext["adapt"]["unfreeze_blocks"] == [-1]
    assert "adapt" not in exp["arms"]["full"]["stages"][1]["overrides"]


def _image_cfg(**over) -> dict:
    cfg = {"name": "adapt-test", "modality": "image",
           "data": {"world": {"kind": "shapes", "size": 8, "n_train": 64, "n_val": 32, "n_test": 32},
                    "augment": {"preset": "mae"}},
           "model": {"preset": "test", "depth": 3, "patch_size": 4},
           "objective": {"name": "mae", "decoder_dim": 16, "decoder_depth": 1, "decoder_heads": 2},
           "train": {"steps": 3, "batch_size": 16, "lr": 1e-3, "warmup_steps": 1, "threads": 1, "progress": False},
           "eval": {"protocols": ["knn"], "report": False}}
    for k, v in over.items():
        cfg[k] = {**cfg.get(k, {}), **v}
    return cfg


def test_adapt_image_run_trains_only_lora_and_open_block(tmp_path):
    from safetensors.torch import load_file

    from pretrainlab.eval.features import load_backbone
    from pretrainlab.run_config import build_run_config
    from pretrainlab.runner_image import execute_image

    base = execute_image(build_run_config(_image_cfg()), tmp_path / "base")
    adapt = {"freeze": True, "unfreeze_blocks": [-1], "unfreeze": ["norm"], "lora_rank": 2}
    cfg = build_run_config(_image_cfg(adapt=adapt, train={"init_from": str(tmp_path / "base")}))
    summary = execute_image(cfg, tmp_path / "ext")
    assert 0 < summary["params_trainable_backbone"] < 0.5 * base["params_trainable_backbone"]
    src = load_file(str(next((tmp_path / "base" / "checkpoints").iterdir()) / "model.safetensors"))
    out = load_file(str(next((tmp_path / "ext" / "checkpoints").iterdir()) / "model.safetensors"))
    assert torch.equal(src["backbone.blocks.0.mlp.0.weight"], out["backbone.blocks.0.mlp.0.weight"])  # frozen
    assert not torch.equal(src["backbone.blocks.2.mlp.0.weight"], out["backbone.blocks.2.mlp.0.weight"])  # open
    assert out["backbone.blocks.0.attn.qkv.lora_B"].abs().sum() > 0  # LoRA trained (B starts at 0)
    assert "backbone.blocks.2.attn.qkv.lora_B" not in out  # no LoRA in the unfrozen block
    backbone, _ = load_backbone(tmp_path / "ext")  # a plain ViT: LoRA merged on load
    assert not any("lora" in n for n, _ in backbone.named_parameters())


def _short(exp: dict, steps: int = 10) -> dict:
    """One seed, ``steps`` steps in every stage, 2 fine-tune epochs, a smaller world: the pipeline, not the
    verdict."""
    def walk(node):
        if isinstance(node, dict):
            if "steps" in node and "batch_size" in node:
                node.update(steps=steps, warmup_steps=2)
            if "finetune_epochs" in node:
                node["finetune_epochs"] = 2
            if node.get("kind") in ("shapes", "xray"):
                node.update(n_train=128, n_val=64, n_test=64)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(exp)
    exp["seeds"] = [0]
    return exp


@pytest.mark.slow
def test_selfdistill_short_experiment_uses_the_fpt_teacher(tmp_path):
    from safetensors.torch import load_file

    from pretrainlab.experiments.run import run_experiment

    exp = build_experiment(_short(recipe_experiment("selfdistill-fpt", "tiny")))
    run_experiment(exp, tmp_path / "sd")
    plan = build_plan(exp, tmp_path / "sd")
    sd, fpt = plan.job("sd-fpt", "sd", 0), plan.job("sd-fpt", "fpt", 0)
    teacher = load_file(str(next((sd.run_dir / "checkpoints").iterdir()) / "model.safetensors"))
    fpt_w = load_file(str(next((fpt.run_dir / "checkpoints").iterdir()) / "model.safetensors"))
    assert torch.equal(teacher["objective.teacher.blocks.1.mlp.2.weight"], fpt_w["backbone.blocks.1.mlp.2.weight"])
    assert 0.0 <= sd.summary()["eval/linear/auc"] <= 1.0 and 0.0 <= sd.summary()["eval/finetune/auc"] <= 1.0
    claims = json.loads((tmp_path / "sd" / "claims.json").read_text())
    assert len(claims["claims"] if isinstance(claims, dict) else claims) == len(exp.claims)


@pytest.mark.slow
def test_explora_short_experiment_trains_a_fraction(tmp_path):
    from pretrainlab.experiments.run import run_experiment

    exp = build_experiment(_short(recipe_experiment("explora", "tiny")))
    run_experiment(exp, tmp_path / "ex")
    plan = build_plan(exp, tmp_path / "ex")
    ex, full = plan.job("explora", "extended", 0).summary(), plan.job("full", "extended", 0).summary()
    assert ex["params_trainable_backbone"] < 0.35 * full["params_trainable_backbone"]
    assert full["params_trainable_backbone"] == full["params"]
