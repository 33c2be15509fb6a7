"""rs-resize-norm and medmae-thorax recipes: experiments validate at both sizes, shared pretraining jobs are
deduplicated, the probe stages evaluate the intended checkpoint the intended way, and (slow) one tiny
pretrain -> probe chain per recipe runs end to end."""

from __future__ import annotations

import pytest

from pretrainlab.experiments.config import build_experiment
from pretrainlab.experiments.plan import build_plan
from pretrainlab.recipes import get_recipe, recipe_experiment
from pretrainlab.run_config import build_run_config


def _cfg(exp, arm: str, stage: str, seed: int = 0):
    st = next(s for s in exp.arm_stages(arm) if s.name == stage)
    return build_run_config(exp.stage_config(arm, st, seed))


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_rs_resize_norm_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("rs-resize-norm", size))
    seeds = len(exp.seeds)
    # one pretraining per seed shared by the four preprocessing arms, + 4 probes + the random-init probe
    assert len(build_plan(exp, tmp_path).jobs) == seeds * (1 + 4 + 1)
    modes = {arm: _cfg(exp, arm, "probe").eval.preprocessing for arm in exp.arms}
    assert modes == {"resize-norm": "checkpoint", "native-norm": "no_resize", "resize-raw": "no_normalize",
                     "native-raw": "none", "random-init": "checkpoint"}
    probe = _cfg(exp, "native-raw", "probe")
    assert probe.train.steps == 0 and probe.eval.world.sat_label == "dominant"
    assert probe.eval.world.size // probe.eval.world.sat_gsd_factor < probe.data.world.size  # small patches
    assert probe.eval.train_split == "train_lowres" and probe.eval.test_splits == ["test_lowres"]
    assert _cfg(exp, "resize-norm", "pretrain").train.steps > 0
    assert exp.arm_stages("random-init")[0].init_from is None
    assert exp.arm_stages("resize-raw")[-1].init_from == "pretrain"
    assert {c.metric for c in exp.claims} == {"eval/knn/test_lowres/top1", "eval/linear/test_lowres/top1"}
    assert all(c.chance == 1 / 6 for c in exp.claims)  # 6 land-cover classes
    claims = {c.name: c for c in exp.claims}
    assert [c.arms for c in exp.claims if c.role == "primary"] == [["resize-norm", "native-raw"]]
    below = claims["kNN: random init beats pretrained with wrong preprocessing"]
    (premise,) = below.requires
    assert claims[premise].role == "premise" and claims[premise].arms == ["resize-norm", "random-init"]


@pytest.mark.parametrize("size", ["tiny", "full"])
def test_medmae_thorax_experiment(size, tmp_path):
    exp = build_experiment(recipe_experiment("medmae-thorax", size))
    seeds = len(exp.seeds)
    # 5 distinct pretrainings (medmae and medmae-no-llrd share one), 7 probes
    assert len(build_plan(exp, tmp_path).jobs) == seeds * (5 + 7)
    pre = {arm: _cfg(exp, arm, "pretrain") for arm in exp.arms if arm != "scratch"}
    assert pre["mae-75"].objective["mask_ratio"] == 0.75 and pre["mae-90"].objective["mask_ratio"] == 0.9
    assert pre["medmae"].data.augment.crop_scale == (0.5, 1.0) and pre["mae-90"].data.augment.crop_scale == (0.2, 1.0)
    assert pre["ood-mae"].data.world.kind == "shapes" and pre["ood-mae"].data.world.channels == 1
    assert pre["ood-supervised"].objective == {"name": "supervised"} and pre["ood-supervised"].data.world.kind == "shapes"
    assert all(c.data.world.kind == "xray" for a, c in pre.items() if not a.startswith("ood"))
    probes = {arm: _cfg(exp, arm, "probe") for arm in exp.arms}
    assert all(p.data.world.kind == "xray" and p.train.steps == 0 for p in probes.values())
    assert probes["medmae"].eval.finetune_layer_decay < 1.0 == probes["medmae-no-llrd"].eval.finetune_layer_decay
    assert exp.arm_stages("scratch")[0].init_from is None
    assert get_recipe("medmae-thorax").NAME == "medmae-thorax"
    assert all(c.metric == "eval/finetune/auc" and c.chance == 0.5 for c in exp.claims)
    (primary,) = [c for c in exp.claims if c.role == "primary"]
    assert primary.kind == "monotonic_increasing" and primary.arms == ["scratch", "ood-mae", "mae-75"]
    supervised = next(c for c in exp.claims if c.arms == ["medmae", "ood-supervised"])
    assert supervised.kind == "greater" and supervised.min_effect == 0  # "better", not "not worse"
    assert {c.kind for c in exp.claims if c.name.startswith(("mask", "crop"))} == {"noninferior"}


def _shrink(exp: dict, arms: list[str], steps: int) -> dict:
    exp["arms"] = {a: exp["arms"][a] for a in arms}
    exp["claims"], exp["seeds"] = [], [0]
    exp["base"]["train"].update({"steps": steps, "threads": 1, "progress": False, "warmup_steps": 2})
    exp["base"]["eval"]["report"] = False
    return exp


@pytest.mark.slow
def test_tiny_chains_run(tmp_path):
    from pretrainlab.experiments.run import run_experiment

    rs = _shrink(recipe_experiment("rs-resize-norm", "tiny"), ["resize-norm", "native-raw"], 20)
    rs["base"]["data"]["world"].update({"n_train": 128, "n_val": 32, "n_test": 32})
    rs["base"]["eval"]["world"].update({"n_train": 128, "n_val": 64, "n_test": 64})
    res, _ = run_experiment(build_experiment(rs), tmp_path / "rs", report=False)
    knn = {arm: res[arm]["probe"]["0"]["eval/knn/test_lowres/top1"] for arm in rs["arms"]}
    assert all(0.0 <= v <= 1.0 for v in knn.values()) and knn["resize-norm"] != knn["native-raw"]

    md = _shrink(recipe_experiment("medmae-thorax", "tiny"), ["medmae"], 10)
    md["base"]["data"]["world"].update({"n_train": 128, "n_val": 64, "n_test": 64})
    for stage in md["arms"]["medmae"]["stages"]:
        if stage["name"] == "probe":
            stage["overrides"].update({"eval.max_train": 128, "eval.finetune_epochs": 1})
    res, _ = run_experiment(build_experiment(md), tmp_path / "md", report=False)
    summary = res["medmae"]["probe"]["0"]
    assert 0.0 <= summary["eval/finetune/auc"] <= 1.0 and 0.0 <= summary["eval/multilabel/auc"] <= 1.0


def test_dominant_satellite_reports_top1():
    """Claims on a ``sat_label: dominant`` satellite world validate against top-1 keys, not multi-label ones."""
    from pretrainlab.run_config_image import image_metric_names

    base = {"modality": "image", "model": {"family": "resnet", "preset": "test"}, "objective": {"name": "supervised"},
            "data": {"world": {"kind": "satellite", "size": 16}}, "eval": {"protocols": ["knn"]}}
    multi = image_metric_names(build_run_config(base))
    assert "eval/knn/test_lowres/auc" in multi and "eval/knn/test_lowres/top1" not in multi
    base["data"]["world"]["sat_label"] = "dominant"
    single = image_metric_names(build_run_config(base))
    assert "eval/knn/test_lowres/top1" in single and "eval/knn/test_lowres/auc" not in single


def test_init_from_other_head_loads_backbone_only(tmp_path):
    """ood-supervised -> X-ray probe: same state-dict keys, head over other classes; only the backbone loads."""
    import torch
    from safetensors.torch import save_file

    from pretrainlab.models.vit import ViT, ViTConfig
    from pretrainlab.objectives import Supervised
    from pretrainlab.runner_image import ImageTask, _init_from

    def task(n_classes: int, seed: int) -> ImageTask:
        torch.manual_seed(seed)
        vit = ViT(ViTConfig(preset="test", in_chans=1, image_size=16))
        return ImageTask(vit, Supervised(vit, num_classes=n_classes), "vit")

    src, dst = task(4, 0), task(5, 1)
    save_file({k: v.contiguous() for k, v in src.state_dict().items()}, str(tmp_path / "model.safetensors"))
    head = dst.objective.state_dict()
    _init_from(dst, None, tmp_path, with_optimizer=False)
    for k, v in src.backbone.state_dict().items():
        assert torch.equal(dst.backbone.state_dict()[k], v), k
    assert all(torch.equal(dst.objective.state_dict()[k], v) for k, v in head.items())
