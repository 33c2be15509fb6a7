"""Execute a plan: prepare each distinct dataset once, then run jobs as their parents finish.

Local: a process pool sized to the machine; each worker gets ``cores // workers`` torch threads so 2
cores are never oversubscribed. Cluster: ``submitit`` (Slurm, or its local executor for tests), an
optional extra. Each job's output goes to ``<run_dir>/log.txt``. A finished job (summary.json) is
skipped; one with checkpoints but no summary resumes. Each job runs with ``PRETRAINLAB_RUN_LABELS`` naming
its experiment, arm, stage and seed (the first that uses it), which trackers group it by
(train/trackers/base.py); the run config, and so the job's hash, stays the same.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from rich.console import Console

from pretrainlab.experiments.plan import Job, Plan
from pretrainlab.runtime import usable_cores


class ExperimentError(RuntimeError):
    """One or more runs failed; the message lists them with their logs."""


def auto_workers(n_jobs: int, cores: int | None = None) -> tuple[int, int]:
    """(workers, threads per worker): small CPU runs scale better across processes than threads."""
    cores = cores or usable_cores()
    per = 1 if cores <= 4 else 4
    workers = max(1, min(n_jobs, cores // per))
    return workers, max(1, cores // workers)


def run_job(config: dict, run_dir: str, data_root: str, threads: int, labels: dict | None = None) -> dict:
    """Entry point of one run in a worker process (importable, so spawn and submitit can pickle it).
    ``labels``: how trackers name the run (``trackers.base.experiment_labels``)."""
    from pretrainlab.run_config import build_run_config
    from pretrainlab.run.execute import execute
    from pretrainlab.checkpoint import list_checkpoints

    from pretrainlab.outdir import claim_dir, legacy_run
    from pretrainlab.train.trackers.base import labels_env

    run_dir_p = claim_dir(run_dir, "run", legacy=legacy_run)
    config = dict(config)
    config["train"] = {**config.get("train", {}), "threads": threads, "progress": False}
    cfg = build_run_config(config)
    resume = bool(list_checkpoints(run_dir_p / "checkpoints"))
    with open(run_dir_p / "log.txt", "a") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log), \
            labels_env(labels):
        console = Console(file=log, width=120)
        # threads and progress are the pool's, so they may differ from the interrupted attempt's
        return execute(cfg, run_dir_p, resume=resume, console=console, data_root=data_root, allow_config_change=True)


def job_labels(plan: Plan, job: Job, out: Path) -> dict:
    """A job's tracker labels: the experiment and the first (arm, stage, seed) that uses it."""
    from pretrainlab.train.trackers.base import experiment_labels

    arm, stage, seed = job.uses[0]
    return experiment_labels(plan.experiment or out.name, out, arm, stage, seed)


def prepare_datasets(plan: Plan, out: Path, console: Console) -> dict[str, str]:
    """job key -> shared data root; each distinct data config is prepared once, in this process (the
    run's modality decides where: text by data fingerprint, image one world cache). A tracker whose
    package is missing (``train.loggers``) fails here, before any run starts."""
    from pretrainlab.modalities import modality_of
    from pretrainlab.run_config import build_run_config
    from pretrainlab.train.trackers import check_available

    roots: dict[str, str] = {}
    for key, job in plan.jobs.items():
        cfg = build_run_config(job.config)
        check_available(cfg.train.loggers)
        roots[key] = modality_of(cfg).shared_data(cfg, out / "data", console)
    return roots


def run_plan(plan: Plan, out: Path, console: Console, workers: int = 0, executor: str = "local",
             slurm: dict | None = None) -> None:
    todo = {k: j for k, j in plan.jobs.items() if not j.done}
    skipped = len(plan.jobs) - len(todo)
    console.print(f"{len(plan.jobs)} runs planned, {skipped} already done, {len(todo)} to run")
    if not todo:
        return
    roots = prepare_datasets(plan, out, console)
    if executor == "submitit":
        _run_submitit(plan, todo, roots, out, console, slurm or {})
        return
    n_workers, threads = auto_workers(len(todo)) if workers <= 0 else (workers, max(1, usable_cores() // workers))
    console.print(f"local pool: {n_workers} worker(s) x {threads} thread(s)")
    failed: dict[str, str] = {}
    t0, total = time.time(), len(todo)
    with ProcessPoolExecutor(n_workers, mp_context=mp.get_context("spawn")) as pool, _bar(console, total) as bar:
        running: dict[Future, Job] = {}
        while todo or running:
            for key in [k for k, j in todo.items() if all(plan.jobs[d].done for d in j.deps)]:
                job = todo.pop(key)
                labels = job_labels(plan, job, out)
                running[pool.submit(run_job, job.config, str(job.run_dir), roots[key], threads, labels)] = job
            blocked = [k for k, j in todo.items() if any(d in failed for d in j.deps)]
            for key in blocked:
                failed[key] = f"skipped: a parent run failed ({todo.pop(key).deps})"
            if not running:
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in done:
                job = running.pop(fut)
                finished = total - len(todo) - len(running)
                _report(job, fut, failed, console, t0, finished, total, len(running))
                bar(finished, len(running))
    if failed:
        lines = "\n".join(f"  {plan.jobs[k].run_dir}: {why}" for k, why in failed.items())
        raise ExperimentError(f"{len(failed)} run(s) failed (logs in each run dir's log.txt):\n{lines}")


def _report(job: Job, fut: Future, failed: dict, console: Console, t0: float, n_done: int, total: int,
            n_running: int) -> None:
    """One line per finished run: its headline metric, then runs done / running / left and the ETA."""
    label = ", ".join(f"{a}/{s}/seed{seed}" for a, s, seed in job.uses[:3]) + (" ..." if len(job.uses) > 3 else "")
    elapsed = time.time() - t0
    left = total - n_done
    eta = f", eta {elapsed / n_done * left:.0f}s" if n_done and left else ""
    where = f"[{n_done}/{total}, {n_running} running{eta}]"
    try:
        summary = fut.result()
        metric = next((k for k in ("val/loss", "train/loss") if k in summary), None)
        shown = f"{metric} {summary[metric]:.4f}" if metric else "finished"
        console.print(f"{where} done {label}: {shown} ({elapsed:.0f}s)", highlight=False)
    except Exception as e:  # noqa: BLE001 - a failed run must not stop the others
        failed[job.key] = f"{type(e).__name__}: {e}"
        console.print(f"{where} [red]failed[/] {label}: {e} (log: {job.run_dir / 'log.txt'})", highlight=False)


@contextlib.contextmanager
def _bar(console: Console, total: int):
    """A live bar of runs done (with running count and ETA) in a terminal; a no-op otherwise (the lines suffice)."""
    if not console.is_terminal:
        yield lambda done, running: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("runs"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[running]} running"),
                  TextColumn("eta"), TimeRemainingColumn(), console=console) as progress:
        task = progress.add_task("runs", total=total, running=0)
        yield lambda done, running: progress.update(task, completed=done, running=running)


def _run_submitit(plan: Plan, todo: dict[str, Job], roots: dict[str, str], out: Path, console: Console,
                  slurm: dict) -> None:
    try:
        import submitit
    except ImportError:
        raise ExperimentError("executor: submitit needs the slurm extra: pip install 'pretrainlab[slurm]'") from None
    params = dict(slurm)
    folder = params.pop("folder", str(out / "submitit"))
    cluster = params.pop("cluster", None)
    threads = int(params.pop("threads", 1))
    ex = submitit.AutoExecutor(folder=folder, cluster=cluster)
    if params:
        ex.update_parameters(**params)
    failed = []
    while todo:
        ready = [k for k, j in todo.items() if all(plan.jobs[d].done for d in j.deps)]
        if not ready:
            raise ExperimentError(f"runs blocked by failed parents: {[str(todo[k].run_dir) for k in todo]}")
        subs = {k: ex.submit(run_job, todo[k].config, str(todo[k].run_dir), roots[k], threads,
                             job_labels(plan, todo[k], out)) for k in ready}
        for key, sub in subs.items():
            job = todo.pop(key)
            try:
                sub.result()
                console.print(f"done {job.run_dir.name} (submitit job {sub.job_id})")
            except Exception as e:  # noqa: BLE001
                failed.append(f"{job.run_dir}: {e}")
        if failed:
            raise ExperimentError("submitit run(s) failed:\n" + "\n".join(failed))
