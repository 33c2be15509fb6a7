"""Trackers (``train.loggers``): TensorBoard, MLflow and W&B get exactly metrics.jsonl's numbers, read back with
each tool's own reader; an experiment's labels name and group the run; a missing package fails before any
work; ``export-metrics`` converts an old run. Tests of a tracker skip where its extra is not installed."""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct

import pytest

from pretrainlab.cli import main
from pretrainlab.config import ConfigError, apply_overrides
from pretrainlab.recipes import recipe_config
from pretrainlab.run.execute import execute
from pretrainlab.run_config import build_run_config
from pretrainlab.train.callbacks import MetricsLogger
from pretrainlab.train.trackers.base import LABELS_ENV, RunLabels, experiment_labels, labels_env
from pretrainlab.train.trackers.export import export_metrics

OVERRIDES = ["train.steps=4", "train.log_every=2", "train.eval_every=2", "train.progress=false", "train.threads=1",
             "eval.report=false", "eval.fact_qa=false", "eval.arithmetic=false", "eval.generations=0"]
TRACKER_ENV = ("WANDB_MODE", "WANDB_API_KEY", "WANDB_PROJECT", "MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME",
               LABELS_ENV)


def _cfg(*extra: str):
    return build_run_config(apply_overrides(recipe_config("quickstart", "tiny"), [*OVERRIDES, *extra]))


def _jsonl(run_dir) -> dict[tuple[str, int], float]:
    """(key, step) -> value of every number in metrics.jsonl (what a tracker must hold)."""
    out = {}
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        row = json.loads(line)
        out.update({(k, row["step"]): v for k, v in row.items()
                    if k != "step" and isinstance(v, (int, float)) and not isinstance(v, bool)})
    return out


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """One tiny run logging to every installed tracker, labelled as arm ``wide`` of experiment ``tiny_exp``."""
    loggers = [name for name in ("tensorboard", "mlflow", "wandb") if importlib.util.find_spec(name)]
    if not loggers:
        pytest.skip("no tracker extra installed")
    exp_dir = tmp_path_factory.mktemp("tiny_exp")
    with pytest.MonkeyPatch.context() as mp:
        for var in TRACKER_ENV:
            mp.delenv(var, raising=False)
        mp.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
        mp.setenv("WANDB_SILENT", "true")
        with labels_env(experiment_labels("tiny_exp", exp_dir, "wide", "main", 0)):
            execute(_cfg(f"train.loggers=[jsonl,{','.join(loggers)}]"), exp_dir / "runs" / "main-seed0")
        yield exp_dir, exp_dir / "runs" / "main-seed0"


def _tensorboard_scalars(log_dir) -> dict[tuple[str, int], float]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})  # 0: keep every event
    acc.Reload()
    return {(tag, e.step): e.value for tag in acc.Tags()["scalars"] for e in acc.Scalars(tag)}


def _assert_same(got: dict, want: dict, rel: float = 0.0) -> None:
    assert got.keys() == want.keys(), sorted(set(got) ^ set(want))[:5]
    bad = [k for k in want if got[k] != pytest.approx(want[k], rel=rel, abs=0)]
    assert not bad, [(k, got[k], want[k]) for k in bad[:5]]


def test_tensorboard_events_equal_metrics_jsonl(tracked):
    pytest.importorskip("tensorboard")
    _, run = tracked
    want = _jsonl(run)
    assert ("val/loss", 4) in want and ("train/loss", 2) in want
    _assert_same(_tensorboard_scalars(run / "tensorboard"), want, rel=1e-6)  # TensorBoard keeps float32


def _mlflow_metrics(client, run_id) -> dict[tuple[str, int], float]:
    keys = client.get_run(run_id).data.metrics
    return {(k, m.step): m.value for k in keys for m in client.get_metric_history(run_id, k)}


def _file_store_keys(values: dict) -> dict:
    from pretrainlab.train.trackers.mlflow import file_store_key

    return {(file_store_key(k), step): v for (k, step), v in values.items()}  # train/loss/story -> train.loss.story


def test_mlflow_store_equals_metrics_jsonl_in_the_experiments_store(tracked, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    exp_dir, run = tracked
    client = MlflowClient(f"file:{exp_dir / 'mlruns'}")  # one store per experiment, not per run
    (found,) = client.search_runs([client.get_experiment_by_name("tiny_exp").experiment_id])
    assert found.info.run_name == "wide/main/seed0" and found.info.status == "FINISHED"
    assert found.data.tags["pretrainlab.arm"] == "wide" and found.data.tags["pretrainlab.seed"] == "0"
    assert found.data.params["train.steps"] == "4"
    _assert_same(_mlflow_metrics(client, found.info.run_id), _file_store_keys(_jsonl(run)))


def _wandb_records(path):
    """The protobuf records of a W&B offline ``.wandb`` file (a LevelDB-style log: 32 KiB blocks, 7-byte headers)."""
    from wandb.proto import wandb_internal_pb2

    data, pos, chunk = path.read_bytes(), 7, b""  # 7: the file header (":W&B", magic, version)
    while pos + 7 <= len(data):
        left = 32768 - pos % 32768
        if left < 7:
            pos += left
            continue
        _, size, kind = struct.unpack("<IHB", data[pos:pos + 7])
        chunk, pos = chunk + data[pos + 7:pos + 7 + size], pos + 7 + size
        if kind in (1, 4):  # a full record, or the last piece of one
            record = wandb_internal_pb2.Record()
            record.ParseFromString(chunk)
            chunk = b""
            yield record


def test_wandb_offline_run_equals_metrics_jsonl_grouped_by_experiment(tracked):
    pytest.importorskip("wandb")
    _, run = tracked
    (path,) = (run / "wandb").glob("offline-run-*/run-*.wandb")  # offline, inside the run directory
    got, header = {}, None
    for record in _wandb_records(path):
        if record.WhichOneof("record_type") == "run":
            header = record.run
        elif record.WhichOneof("record_type") == "history":
            items = {item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in record.history.item}
            step = record.history.step.num
            got.update({(k, step): v for k, v in items.items() if not k.startswith("_")})
    assert (header.run_group, header.job_type, header.display_name) == ("tiny_exp", "wide", "wide/main/seed0")
    _assert_same(got, _jsonl(run))


def test_export_metrics_converts_an_old_run(tracked, tmp_path, monkeypatch):
    pytest.importorskip("tensorboard")
    _, run = tracked
    old = tmp_path / "old"  # a run from before trackers: its config and metrics log only
    old.mkdir()
    for name in ("config.yaml", "metrics.jsonl"):
        shutil.copy(run / name, old / name)
    monkeypatch.delenv(LABELS_ENV, raising=False)
    assert main(["export-metrics", str(old), "--to", "tensorboard"]) == 0
    _assert_same(_tensorboard_scalars(old / "tensorboard"), _jsonl(old), rel=1e-6)
    assert main(["export-metrics", str(old), "--to", "tensorboard"]) == 2  # refuses to duplicate the events
    with pytest.raises(ConfigError, match="did you mean 'mlflow'"):
        export_metrics(old, "mlfow")
    if importlib.util.find_spec("mlflow"):
        from mlflow.tracking import MlflowClient

        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
        monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)
        monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
        assert export_metrics(old, "mlflow") == f"file:{(old / 'mlruns').resolve()}"  # the run's own store
        client = MlflowClient(f"file:{old / 'mlruns'}")
        (found,) = client.search_runs([client.get_experiment_by_name("pretrainlab").experiment_id])
        assert found.info.run_name == "quickstart-tiny"  # the config's name
        _assert_same(_mlflow_metrics(client, found.info.run_id), _file_store_keys(_jsonl(old)))


def test_missing_package_fails_before_any_work(tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name, *a))
    with pytest.raises(ConfigError, match=r"pip install 'pretrainlab\[tensorboard\]'"):
        execute(_cfg("train.loggers=[tensorboard]"), tmp_path / "run")
    assert not (tmp_path / "run").exists()
    with pytest.raises(ConfigError, match="unknown tracker 'tensorbord' .did you mean 'tensorboard'"):
        _cfg("train.loggers=[jsonl,tensorbord]")


class _Recorder:
    def __init__(self, fail: bool = False):
        self.rows, self.closed, self.fail = [], [], fail

    def log(self, row, step):
        if self.fail:
            raise ConnectionError("tracker server unreachable")
        self.rows.append((step, row))

    def close(self, status="finished"):
        self.closed.append(status)


def test_metrics_logger_feeds_numbers_and_drops_a_failing_tracker(tmp_path, caplog):
    ok, broken = _Recorder(), _Recorder(fail=True)
    logger = MetricsLogger(tmp_path / "metrics.jsonl", every=1, trackers=[ok, broken])
    logger.write({"step": 3, "event": "skipped_nonfinite", "loss": "nan"})  # no numbers: nothing to send
    logger.write({"step": 4, "train/loss": 2.5, "train/tokens": 64, "flag": True})
    logger.write({"val/loss": 3.0})  # a row without a step: the last step
    assert ok.rows == [(4, {"train/loss": 2.5, "train/tokens": 64.0}), (4, {"val/loss": 3.0})]
    assert logger.trackers == [ok] and "ConnectionError" in caplog.text
    logger.on_interrupt(None)
    logger.close()  # the run's end after an interrupt: already closed, nothing more
    assert ok.closed == ["interrupted"] and len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 3


def test_labels_come_from_the_environment_and_leave_the_job_hash_alone(monkeypatch, tmp_path):
    from pretrainlab.experiments.plan import config_hash

    monkeypatch.delenv(LABELS_ENV, raising=False)
    assert RunLabels.from_env("solo") == RunLabels("solo")
    with labels_env(experiment_labels("exp", tmp_path, "arm1", "cpt", 2)):
        labels = RunLabels.from_env("ignored")
    assert (labels.experiment, labels.arm, labels.name) == ("exp", "arm1", "arm1/cpt/seed2")
    assert labels.tags()["pretrainlab.stage"] == "cpt" and LABELS_ENV not in __import__("os").environ
    base = recipe_config("quickstart", "tiny")
    tracked = apply_overrides(recipe_config("quickstart", "tiny"), ["train.loggers=[jsonl,tensorboard]"])
    assert config_hash(base, None) == config_hash(tracked, None)  # a tracker never re-runs an experiment's job
