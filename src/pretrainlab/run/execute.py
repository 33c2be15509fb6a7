"""``execute(cfg, out, resume)``: one run end to end, for every modality. It knows no modality: the
plug-in named by the config (``modalities/``, ``MODALITIES``) answers what differs.

    prepare (rank 0 first) -> build the task -> wrap (DDP/FSDP) -> optimizer -> start state (resume or
    fresh) -> batches, callbacks -> Trainer.fit -> evaluate -> summary.json, report

Run directory::

    config.yaml      fully resolved config
    data/            the prepared data (unless ``data_root`` is given: experiments share one)
    metrics.jsonl    one JSON object per log step (train) and per evaluation (val)
    tensorboard/, mlruns/, wandb/, trackers.json   with ``train.loggers`` (train/trackers/): the same rows
    checkpoints/     step_<step>/ (atomic; newest ``train.keep_last`` kept; plus the modality's files)
    summary.json     final flat metrics
    run_info.json    per session (start, each --resume): command, git commit, machine, packages, times
    plots/*.png, report.md, report.html
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import torch
from rich.console import Console

from pretrainlab.checkpoint import list_checkpoints
from pretrainlab.config import load_yaml, save_yaml, to_dict
from pretrainlab.modalities import modality_of
from pretrainlab.modalities.base import RunContext
from pretrainlab import provenance
from pretrainlab.outdir import claim_dir, legacy_run
from pretrainlab.run.optimizer import build_optimizer
from pretrainlab.run.resume import check_config_change, start_state, trim_metrics
from pretrainlab.run.summary import finish, run_stats
from pretrainlab.runtime import usable_cores
from pretrainlab.train import trackers
from pretrainlab.train.callbacks import Checkpointer, MetricsLogger, ProgressBar
from pretrainlab.train.distributed import init_distributed, wrap_model
from pretrainlab.train.loop import Trainer, uses_bf16


def ckpt_exists(out: Path) -> bool:
    return bool(list_checkpoints(out / "checkpoints"))


def execute(cfg, out: str | Path, resume: bool = False, console: Console | None = None,
            extra_callbacks: list | None = None, data_root: str | Path | None = None,
            allow_config_change: bool = False) -> dict:
    """Run ``cfg`` into directory ``out`` and return the summary metrics.

    ``data_root`` lets several runs share one prepared data directory (experiments do); by default the
    data goes to ``out/data``. ``train.steps=0`` with ``train.init_from`` only evaluates the checkpoint.
    A resumed run's config must equal its saved config.yaml, except keys in ``run/resume.SAFE_TO_CHANGE``,
    which ``allow_config_change`` lets through (``--allow-config-change``)."""
    mod = modality_of(cfg)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        if not mod.distributed:
            raise NotImplementedError(f"{mod.name} runs are single-process for now; run without torchrun")
        strategies = getattr(mod, "strategies", ("ddp", "fsdp"))
        if cfg.train.distributed not in strategies:
            raise NotImplementedError(f"train.distributed={cfg.train.distributed}: {mod.name} runs under torchrun "
                                      f"support {' | '.join(strategies)} (why: modalities/{mod.name}.py); "
                                      f"set train.distributed={strategies[0]}")
    console = console or Console(stderr=True)
    out, t_start, tc = Path(out), time.time(), cfg.train
    trackers.check_available(tc.loggers)  # a missing extra fails now, not after the data is prepared
    torch.set_num_threads(tc.threads or usable_cores())
    info, device = init_distributed(tc.device)
    run = RunContext(cfg, out, console, device, info, Path(data_root) if data_root else out / "data")
    if info.is_main:
        claim_dir(out, "run", legacy=legacy_run)  # a new, empty or earlier run's directory; never a user's folder
        if resume and (out / "config.yaml").exists() and ckpt_exists(out):
            changed = check_config_change(load_yaml(out / "config.yaml"), to_dict(cfg), allow_config_change)
            if changed:
                console.print(f"resuming with changed {', '.join(changed)}")
        save_yaml(cfg, out / "config.yaml")
        prepared = mod.prepare(cfg, run.data_root, console)
    info.barrier()  # other ranks find the prepared data and only open it
    if not info.is_main:
        prepared = mod.prepare(cfg, run.data_root, console)

    task = mod.build(cfg, prepared, device)
    wrapped = wrap_model(task, tc.distributed, info, device, bf16=uses_bf16(tc.dtype, device) and device.type == "cuda")
    params = task.trainable_parameters() if hasattr(task, "trainable_parameters") else None  # never a teacher
    optimizer = build_optimizer(wrapped, tc, params)
    run.state = start_state(out, resume, wrapped, optimizer, console,
                            fresh=lambda: mod.start(cfg, prepared, wrapped, optimizer, console))
    if info.is_main:
        trim_metrics(out / "metrics.jsonl", run.state.step)
        session = provenance.session(run.state.step)
        provenance.write_run_info(out, session)  # command, git, machine, packages; one entry per (re)start
    train_model = torch.compile(wrapped) if tc.compile else wrapped

    get_batch = mod.batches(cfg, prepared, task, run)
    tracked = trackers.build(tc.loggers, out, to_dict(cfg), run.state.step) if info.is_main else []
    logger = MetricsLogger(out / "metrics.jsonl", tc.log_every, flops=mod.flops(cfg, prepared, task), trackers=tracked)
    run.write = logger.write if info.is_main else run.write
    run.trainer = trainer = Trainer(model=train_model, objective=mod.loss(cfg, task), optimizer=optimizer,
                                    get_batch=get_batch, cfg=tc, device=device, state=run.state,
                                    tokens_per_step=mod.units_per_step(cfg), dist=info)
    own = mod.callbacks(cfg, prepared, task, run)
    at = {where: [c for c in own if getattr(c, "position", None) == where] for where in ("first", "last")}
    head = ([ProgressBar(cfg.name)] if tc.progress else []) + [logger] if info.is_main else []
    trainer.callbacks = [
        *at["first"], *head, *(c for c in own if getattr(c, "position", None) not in ("first", "last")),
        Checkpointer(out / "checkpoints", tc.ckpt_every, tc.keep_last, None, info.is_main,
                     extra_files=mod.checkpoint_files(cfg, prepared, task)),
        *(extra_callbacks or []), *at["last"],
    ]
    try:
        if run.state.step < tc.steps or tc.steps == 0:
            trainer.fit()
        summary = mod.evaluate(cfg, prepared, task, run)
    except BaseException as e:  # a run stopped by a signal closed them in on_interrupt already
        logger.close("interrupted" if isinstance(e, KeyboardInterrupt) else "failed")
        raise
    logger.close()  # every row is written: the trackers' runs end here
    summary.update({"name": cfg.name, **mod.provenance(cfg, prepared, run),
                    **run_stats(trainer.state, t_start, mod.unit), **mod.facts(cfg, prepared, task, optimizer, run)})
    samples = mod.samples(cfg, prepared, task)  # every rank samples; rank 0 writes
    if info.is_main:
        finish(out, summary, cfg.eval.report, samples)
        provenance.write_run_info(out, {**session, "end": provenance.now()})
    info.barrier()
    return summary
