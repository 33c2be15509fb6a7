"""MLflow: metrics, the run config (as params) and the labels (as tags) to a tracking store.

The store is ``MLFLOW_TRACKING_URI`` when set, else a local file store: ``<experiment>/mlruns`` for the runs
of an experiment (one store, so ``mlflow ui --backend-store-uri <experiment>/mlruns`` shows them together),
``<run>/mlruns`` for a single run. The MLflow experiment is ``MLFLOW_EXPERIMENT_NAME``, else the
pretrainlab experiment's name, else ``pretrainlab``; runs are named ``<arm>/<stage>/seed<k>`` (base.py:
labels). A file store keeps each metric in a file named after its key, where ``train/loss`` and
``train/loss/story`` cannot both exist, so there keys read ``train.loss.story``. MLflow 3 keeps file
stores behind ``MLFLOW_ALLOW_FILE_STORE=true``, which is set for them (also needed to open one:
``MLFLOW_ALLOW_FILE_STORE=true mlflow ui ...``). A resumed run continues its MLflow run. Needs
``pip install 'pretrainlab[mlflow]'`` (mlflow-skinny: the client and the file store).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

from pretrainlab.train.trackers.base import RunLabels, save_id, saved_id

STATUS = {"finished": "FINISHED", "failed": "FAILED", "interrupted": "KILLED"}
_BAD_CHARS = re.compile(r"[^\w\-. /:]")  # what MLflow accepts in a metric or param name


class MlflowTracker:
    """MLflow: MLFLOW_TRACKING_URI, else a local file store (<experiment or run>/mlruns)."""

    package = "mlflow"

    def __init__(self, out: Path, config: dict, labels: RunLabels, start_step: int = 0):
        home = Path(labels.experiment_dir or out).resolve() / "mlruns"
        self.where = os.environ.get("MLFLOW_TRACKING_URI") or f"file:{home}"
        if self.where.startswith("file:"):
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
        from mlflow.tracking import MlflowClient

        self.key = file_store_key if self.where.startswith("file:") else mlflow_key

        self.client = MlflowClient(self.where)
        run_id = saved_id(out, "mlflow") if start_step else None
        if run_id is None:
            name = os.environ.get("MLFLOW_EXPERIMENT_NAME") or labels.experiment or "pretrainlab"
            shared = self.where.startswith("file:") and labels.experiment_dir  # runs of one experiment, in parallel
            with _file_lock(home.with_suffix(".lock") if shared else None):
                experiment_id = self._experiment_id(name)
            tags = {**labels.tags(), "pretrainlab.run_dir": str(Path(out).resolve())}
            run_id = self.client.create_run(experiment_id, run_name=labels.name, tags=tags).info.run_id
            self._log_params(run_id, config)
            save_id(out, "mlflow", run_id)
        else:
            self.client.update_run(run_id, status="RUNNING")
        self.run_id = run_id

    def _experiment_id(self, name: str) -> str:
        found = self.client.get_experiment_by_name(name)
        if found is not None:
            return found.experiment_id
        try:
            return self.client.create_experiment(name)
        except Exception:  # noqa: BLE001 - another run of the experiment created it first (a tracking server)
            found = self.client.get_experiment_by_name(name)
            if found is None:
                raise
            return found.experiment_id

    def _log_params(self, run_id: str, config: dict) -> None:
        from mlflow.entities import Param

        params = [Param(self.key(k), str(v)[:500]) for k, v in _flatten(config).items()]
        for i in range(0, len(params), 100):  # MLflow takes at most 100 params per batch
            self.client.log_batch(run_id, params=params[i:i + 100])

    def log(self, row: dict[str, float], step: int) -> None:
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = [Metric(self.key(k), v, now, step) for k, v in row.items()]
        for i in range(0, len(metrics), 1000):  # MLflow takes at most 1000 metrics per batch
            self.client.log_batch(self.run_id, metrics=metrics[i:i + 1000])

    def close(self, status: str = "finished") -> None:
        self.client.set_terminated(self.run_id, status=STATUS.get(status, "FAILED"))


def mlflow_key(key: str) -> str:
    """A metrics key as MLflow accepts it (other characters become ``_``)."""
    return _BAD_CHARS.sub("_", key)


def file_store_key(key: str) -> str:
    """A metrics key in a file store: ``.`` for ``/`` (one file per key; a key may not be another's folder)."""
    return mlflow_key(key).replace("/", ".")


def _flatten(tree, prefix: str = "") -> dict:
    if isinstance(tree, dict):
        return {k: v for key, sub in tree.items() for k, v in _flatten(sub, f"{prefix}{key}.").items()}
    return {prefix[:-1]: tree}


@contextlib.contextmanager
def _file_lock(path: Path | None):
    """Parallel runs of one experiment create its MLflow experiment once in a shared file store."""
    if path is None:
        yield
        return
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
