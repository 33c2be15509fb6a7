"""run/: the shared optimizer builder, the resume rule and the summary writer (one copy for every modality)."""

import json
from dataclasses import dataclass

import pytest
import torch
from rich.console import Console
from torch import nn

from pretrainlab.checkpoint import TrainState
from pretrainlab.config import ConfigError
from pretrainlab.run import RunError, build_optimizer, finish, run_stats, start_state, trim_metrics
from pretrainlab.train.config import TrainConfig


@dataclass
class Cfg:
    width: int = 8


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.Linear(8, 2))


def test_build_optimizer_trains_only_the_given_params_with_decay_on_matrices():
    model = _model()
    params = [*model[1].parameters(), *model[2].parameters()]  # e.g. heads, never a teacher
    opt = build_optimizer(model, TrainConfig(weight_decay=0.05), params)
    decay, no_decay = opt.param_groups
    assert {id(p) for p in decay["params"]} == {id(model[2].weight)} and decay["weight_decay"] == 0.05
    assert {id(p) for p in no_decay["params"]} == {id(model[1].weight), id(model[1].bias), id(model[2].bias)}
    assert len(build_optimizer(model, TrainConfig()).param_groups[0]["params"]) == 2  # default: every matrix
    with pytest.raises(ConfigError, match="train.optimizer=adamw"):
        build_optimizer(model, TrainConfig(optimizer="galore"), params)


def test_start_state_refuses_a_used_dir_and_runs_the_fresh_hook(tmp_path):
    from pretrainlab.checkpoint import save_checkpoint

    model, calls = _model(), []
    model.cfg = Cfg()  # written to model_config.json
    opt = build_optimizer(model, TrainConfig())
    assert start_state(tmp_path, False, model, opt, Console(quiet=True), fresh=lambda: calls.append(1)).step == 0
    assert calls == [1]
    save_checkpoint(tmp_path / "checkpoints", model, opt, TrainState(step=3, tokens=12), None)
    with pytest.raises(RunError, match="--resume"):
        start_state(tmp_path, False, model, opt, Console(quiet=True))
    state = start_state(tmp_path, True, model, opt, Console(quiet=True), fresh=lambda: calls.append(2))
    assert (state.step, state.tokens, calls) == (3, 12, [1])


def test_trim_metrics_and_finish(tmp_path):
    log = tmp_path / "metrics.jsonl"
    log.write_text("".join(json.dumps({"step": s, "train/loss": 1.0}) + "\n" for s in (1, 2, 3, 4)))
    trim_metrics(log, 2)
    assert [json.loads(line)["step"] for line in log.read_text().splitlines()] == [1, 2]
    stats = run_stats(TrainState(step=2, tokens=64, last_loss=0.5, train_time_s=2.0), 0.0, "images")
    assert list(stats)[:5] == ["step", "images", "train/loss", "train/images_per_s", "train/skipped_steps"]
    assert stats["train/images_per_s"] == 32.0
    finish(tmp_path, {"step": 2}, with_report=False)
    assert json.loads((tmp_path / "summary.json").read_text()) == {"step": 2}
    assert not (tmp_path / "generations.json").exists() and not (tmp_path / "summary.json.tmp").exists()


def test_resume_with_a_changed_config_names_the_keys():
    from pretrainlab.run.resume import RunError, check_config_change

    saved = {"name": "x", "train": {"steps": 10, "lr": 1e-3, "betas": [0.9, 0.95], "log_every": 5},
             "model": {"n_layers": 2}, "eval": {"fact_qa": True}}
    same = {**saved, "train": {**saved["train"], "betas": (0.9, 0.95)}}  # a tuple is the YAML list it was saved as
    assert check_config_change(saved, same, allow=False) == []
    longer = {**saved, "train": {**saved["train"], "steps": 20}, "eval": {"fact_qa": False}}
    with pytest.raises(RunError, match=r"train.steps: 10 -> 20.*add --allow-config-change"):
        check_config_change(saved, longer, allow=False)
    assert check_config_change(saved, longer, allow=True) == ["eval.fact_qa", "train.steps"]
    other = {**saved, "train": {**saved["train"], "lr": 3e-3}, "model": {"n_layers": 4}}
    with pytest.raises(RunError, match=r"model.n_layers: 2 -> 4.*model.n_layers, train.lr cannot change"):
        check_config_change(saved, other, allow=True)


def test_resume_may_change_how_a_run_executes():
    from pretrainlab.run.resume import check_config_change

    saved = {"train": {"distributed": "fsdp", "threads": 2, "steps": 4}}
    assert check_config_change(saved, {"train": {"distributed": "ddp", "threads": 1, "steps": 4}}, allow=False) == []
