"""Image runs: `pretrainlab run` on an image config, preprocessing in checkpoints, resume, experiments."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from pretrainlab.cli import main, resolve_config
from pretrainlab.config import ConfigError, apply_overrides
from pretrainlab.eval.features import PreprocessingError, extract_features, load_backbone
from pretrainlab.eval.suite import metric_names
from pretrainlab.run_config import build_run_config
from pretrainlab.run_config_image import ImageRunConfig
from pretrainlab.runner import RunError, execute
from pretrainlab.train.callbacks import Callback

EXAMPLE = Path(__file__).parents[1] / "examples" / "vision_mae_shapes.yaml"
FAST = ["train.threads=1", "train.progress=false", "eval.linear_wd=[0.001,0.1]", "eval.report=false"]


@pytest.fixture(scope="module")
def mae_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("image") / "mae"
    assert main(["run", str(EXAMPLE), "--out", str(out), *FAST]) == 0
    return out, json.loads((out / "summary.json").read_text())


def test_cli_run_writes_probe_results(mae_run):
    out, summary = mae_run
    cfg = resolve_config(str(EXAMPLE), "tiny", FAST)
    assert isinstance(cfg, ImageRunConfig)
    assert metric_names(cfg) <= set(summary)  # claims can rely on every predicted key
    for key in ("eval/linear/top1", "eval/knn/top1", "eval/ncm/top1", "eval/linear/test_shift/top1",
                "eval/knn/val/top1"):
        assert 0.0 <= summary[key] <= 1.0
    assert summary["step"] == 30 and summary["images"] == 30 * 32
    assert summary["eval/linear/top1"] > 0.4  # 4 balanced classes: chance is 0.25
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert any("val/knn/top1" in r and r["step"] == 15 for r in rows)  # the periodic kNN callback


def test_checkpoint_carries_preprocessing_and_loads(mae_run):
    out, summary = mae_run
    ckpt = next((out / "checkpoints").iterdir())
    prep = json.loads((ckpt / "preprocessing.json").read_text())
    assert prep["size"] == 16 and prep["channels"] == 3 and len(prep["mean"]) == 3 and prep["dtype"] == "uint8"
    assert json.loads((ckpt / "model_config.json").read_text())["family"] == "vit"
    keys = load_file(str(ckpt / "model.safetensors")).keys()
    assert any(k.startswith("objective.decoder.") for k in keys)  # the MAE decoder is saved for resume
    model, p = load_backbone(out)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (4, 3, 32, 32), dtype=np.uint8)
    assert extract_features(model, x, p).shape == (4, model.feature_dim)  # other sizes are resized
    with pytest.raises(PreprocessingError, match="expected 3 channels.*found 1"):
        extract_features(model, x[:, :1], p)
    with pytest.raises(PreprocessingError, match="expected dtype uint8.*found float32"):
        extract_features(model, x.astype(np.float32), p)


def test_cli_eval_reruns_probes_from_the_checkpoint(mae_run):
    out, summary = mae_run
    assert main(["eval", str(out)]) == 0
    again = json.loads((out / "eval.json").read_text())
    for key in ("eval/linear/top1", "eval/knn/top1", "eval/ncm/test_shift/top1"):
        assert again[key] == pytest.approx(summary[key], abs=1e-6)


def test_init_from_loads_the_backbone_under_a_new_objective(mae_run, tmp_path):
    out, summary = mae_run
    cfg = resolve_config(str(EXAMPLE), "tiny", FAST + [f"train.init_from={out}", "train.steps=0",
                                                        "objective={name: supervised}"])
    again = execute(cfg, tmp_path / "probe-only")
    assert again["eval/knn/top1"] == pytest.approx(summary["eval/knn/top1"], abs=1e-6)


def _contrastive(*extra):
    data = {"name": "moco", "modality": "image", "data": {"world": {"kind": "shapes", "size": 16, "n_train": 64,
                                                                    "n_val": 32, "n_test": 32},
                                                          "augment": {"preset": "moco"}},
            "model": {"family": "vit", "preset": "test", "patch_size": 4},
            "objective": {"name": "contrastive", "momentum": 0.9, "queue_size": 32, "proj_hidden": 32,
                          "proj_dim": 16},
            "train": {"steps": 6, "batch_size": 8, "warmup_steps": 2, "ckpt_every": 3, "log_every": 3},
            "eval": {"protocols": ["knn"]}}
    return build_run_config(apply_overrides(data, FAST + list(extra)))


class Crash(Callback):
    def on_step_end(self, trainer, metrics):
        if trainer.state.step == 4:
            raise KeyboardInterrupt


def test_resume_restores_objective_state_bit_identically(tmp_path):
    full = execute(_contrastive(), tmp_path / "full")
    with pytest.raises(KeyboardInterrupt):
        execute(_contrastive(), tmp_path / "cut", extra_callbacks=[Crash()])
    with pytest.raises(RunError, match="--resume"):
        execute(_contrastive(), tmp_path / "cut")
    resumed = execute(_contrastive(), tmp_path / "cut", resume=True)
    assert resumed["train/loss"] == full["train/loss"]
    a = load_file(str(tmp_path / "full/checkpoints/step_000006/model.safetensors"))
    b = load_file(str(tmp_path / "cut/checkpoints/step_000006/model.safetensors"))
    assert any(k.startswith("objective.queue") for k in a)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_image_config_errors_name_the_key():
    base = {"modality": "image"}
    with pytest.raises(ConfigError, match="objective.mask_ratoi.*did you mean 'objective.mask_ratio'"):
        build_run_config({**base, "objective": {"name": "mae", "mask_ratoi": 0.5}})
    with pytest.raises(ConfigError, match="objective.name.*did you mean 'dino'"):
        build_run_config({**base, "objective": {"name": "dimo"}})
    with pytest.raises(ConfigError, match="model.family: 'decoder'"):
        build_run_config({**base, "model": {"family": "decoder"}})
    with pytest.raises(ConfigError, match="ncm needs single-label"):
        build_run_config({**base, "data": {"world": {"kind": "xray"}}, "eval": {"protocols": ["ncm"]}})
    with pytest.raises(ConfigError, match="unknown key 'model.dpeth'"):
        build_run_config({**base, "model": {"family": "vit", "dpeth": 2}})


def test_metric_names_follow_world_and_protocols():
    sat = build_run_config({"modality": "image", "data": {"world": {"kind": "satellite"}},
                            "objective": {"name": "supervised"}, "eval": {"protocols": ["multilabel", "knn"]}})
    names = metric_names(sat)
    assert {"eval/multilabel/mAP", "eval/multilabel/auc", "eval/knn/test_lowres/mAP"} <= names
    assert not any(n.endswith("top1") for n in names)


@pytest.mark.slow
def test_reproduce_two_arm_image_experiment(tmp_path):
    """Supervised vs MAE pretraining on shapes, probed on a shifted downstream world, 2 seeds, one claim."""
    import yaml

    base = yaml.safe_load(EXAMPLE.read_text())
    base["train"].update(steps=15, threads=1, progress=False)
    base["data"]["world"].update(n_train=256, n_val=64, n_test=64)
    base["eval"] = {"protocols": ["linear", "knn"], "linear_wd": [1e-2], "report": False,
                    "world": {"kind": "shapes", "size": 16, "n_train": 128, "n_val": 64, "n_test": 64, "seed": 1}}
    mae = base.pop("objective")  # arms merge into the base, so each arm names its own objective fully
    base["objective"] = {"name": "supervised"}
    exp = {"name": "sup-vs-mae", "base": base, "seeds": [0, 1], "workers": 1,
           "arms": {"supervised": {"overrides": {"data.augment.preset": "none"}},
                    "mae": {"overrides": {"objective": mae}}},
           "claims": [{"name": "labels help a tiny run", "kind": "greater", "metric": "eval/linear/top1",
                       "arms": ["supervised", "mae"]}]}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(exp))
    assert main(["reproduce", str(path), "--out", str(tmp_path / "exp")]) == 0
    results = json.loads((tmp_path / "exp" / "results.json").read_text())
    for arm in ("supervised", "mae"):
        for seed in ("0", "1"):
            assert 0 <= results[arm]["pretrain"][seed]["eval/linear/top1"] <= 1
    claims = json.loads((tmp_path / "exp" / "claims.json").read_text())["claims"]
    assert claims[0]["verdict"] in ("holds", "does not hold", "inconclusive")
    assert len(list((tmp_path / "exp" / "data" / "images").glob("image_shapes_*.npz"))) == 2  # built once each
