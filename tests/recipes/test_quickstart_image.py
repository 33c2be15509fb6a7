"""quickstart-image: the image base recipe runs end to end through `pretrainlab run` (a few steps)."""

import json

from pretrainlab.cli import main, resolve_config
from pretrainlab.eval.suite import metric_names
from pretrainlab.recipes import recipe_config

FAST = ["train.steps=6", "train.threads=1", "train.progress=false", "eval.report=false", "eval.knn_every=3",
        "eval.linear_wd=[0.001,0.1]"]


def test_quickstart_image_runs_end_to_end(tmp_path):
    out = tmp_path / "qsi"
    assert main(["run", "quickstart-image", "--size", "tiny", "--out", str(out), *FAST]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["step"] == 6 and summary["images"] == 6 * 32
    assert metric_names(resolve_config("quickstart-image", "tiny", FAST)) <= set(summary)
    for key in ("eval/linear/top1", "eval/knn/top1", "eval/linear/test_shift/top1"):
        assert 0.0 <= summary[key] <= 1.0
    assert (out / "checkpoints").is_dir()


def test_quickstart_image_sizes():
    tiny, full = recipe_config("quickstart-image", "tiny"), recipe_config("quickstart-image", "full")
    assert tiny["modality"] == full["modality"] == "image"
    assert tiny["data"]["world"]["kind"] == "shapes" and tiny["objective"]["name"] == "mae"
    assert tiny["train"]["steps"] < full["train"]["steps"]
    assert tiny["name"] == "quickstart-image-tiny" and full["name"] == "quickstart-image"
