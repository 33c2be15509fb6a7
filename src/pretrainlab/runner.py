"""Execute one run end to end: data -> model -> train (one loop) -> evaluate -> report.

The pieces every modality shares (resume, optimizer, run statistics, summary.json and the report) are
in ``run/``; this module keeps the text-specific parts. Run directory::

    config.yaml      fully resolved config
    data/            world JSONL, tokenizer.json, token store (see data/prepare.py)
    metrics.jsonl    one JSON object per log step (train) and per evaluation (val)
    checkpoints/     step_<step>/ (atomic; newest ``train.keep_last`` kept)
    summary.json     final flat metrics
    plots/*.png, report.md, report.html
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import torch
from rich.console import Console

from pretrainlab import checkpoint as ckpt
from pretrainlab.config import save_yaml
from pretrainlab.data.insertions import InsertionPlan
from pretrainlab.data.mixture import Mixture
from pretrainlab.data.prepare import PreparedData, load_prepared, prepare_data
from pretrainlab.eval import report, suite
from pretrainlab.eval.probes import knowledge_tracker, measure_probe, probe_groups, probe_insertions
from pretrainlab.models import MODELS
from pretrainlab.models.flops import flops_metrics, flops_per_token, loss_target, pipeline_flops
from pretrainlab.models.growth import load_grown
from pretrainlab.objectives import OBJECTIVES
from pretrainlab.optim import apply_lowrank, optimizer_state_bytes, trainable_params, weights_optimizer_bytes
from pretrainlab.run import build_optimizer, finish, run_stats, start_state, trim_metrics
from pretrainlab.run.resume import RunError  # re-export: moved to run/resume.py
from pretrainlab.run_config import RunConfig
from pretrainlab.runtime import pick_device, usable_cores  # pick_device: re-export, moved to runtime.py
from pretrainlab.train.callbacks import Checkpointer, MetricsLogger, MixtureLogger, PeriodicEval, ProgressBar
from pretrainlab.train.callbacks.dynamic_insertion import DynamicInsertion
from pretrainlab.train.callbacks.lowrank_restarts import LowRankRestarts
from pretrainlab.train.distributed import init_distributed, wrap_model
from pretrainlab.train.loop import Trainer, uses_bf16


def build_model(cfg: RunConfig, vocab_size: int, device: torch.device) -> torch.nn.Module:
    cfg_cls, model_cls = MODELS["decoder"]
    mcfg = replace(cfg.model, vocab_size=vocab_size, max_seq_len=cfg.data.seq_len)
    torch.manual_seed(cfg.seed)
    return apply_lowrank(model_cls(mcfg), cfg.train.lowrank, cfg.seed).to(device)


def _init_from(cfg: RunConfig, model, optimizer, console: Console) -> None:
    """A new text run's start (``start_state``'s ``fresh``): continued pretraining from ``train.init_from``,
    grown to this run's model with ``train.grow``."""
    if cfg.train.grow and not cfg.train.init_from:
        raise RunError(f"train.grow={cfg.train.grow} needs train.init_from: the small model's run or checkpoint dir")
    if cfg.train.init_from:
        src = ckpt.resolve_checkpoint(cfg.train.init_from)
        if cfg.train.grow:
            load_grown(model, src, cfg.train.grow, cfg.seed, cfg.train.grow_noise)
        else:
            ckpt.load_weights(model, src)
        if cfg.train.init_optimizer:
            ckpt.load_optimizer(optimizer, src, model)
        console.print(f"continued pretraining from {src}")


def prepare_for(cfg: RunConfig, data_root: Path, console: Console) -> PreparedData:
    """Prepare the run's data; a continued run must use its starting checkpoint's tokenizer."""
    data = prepare_data(cfg.data, data_root, console)
    if cfg.train.init_from and not cfg.data.tokenizer.path:
        ckpt_tok = ckpt.resolve_checkpoint(cfg.train.init_from) / "tokenizer.json"
        if ckpt_tok.exists() and ckpt_tok.read_bytes() != (data.root / "tokenizer.json").read_bytes():
            console.print(f"using the tokenizer of {ckpt_tok.parent} (train.init_from) for this run's data")
            dcfg = replace(cfg.data, tokenizer=replace(cfg.data.tokenizer, path=str(ckpt_tok)))
            data = prepare_data(dcfg, data_root.with_name(data_root.name + "-inherited-tokenizer"), console)
    return data


def execute(cfg: RunConfig, out: str | Path, resume: bool = False, console: Console | None = None,
            extra_callbacks: list | None = None, data_root: str | Path | None = None) -> dict:
    """Run ``cfg`` into directory ``out`` and return the summary metrics.

    ``data_root`` lets several runs share one prepared data directory (experiments do); by default the
    data goes to ``out/data``. ``train.steps=0`` with ``train.init_from`` only evaluates the checkpoint.
    """
    if getattr(cfg, "modality", "text") == "image":
        from pretrainlab.runner_image import execute_image

        return execute_image(cfg, out, resume, console, extra_callbacks, data_root)
    console = console or Console(stderr=True)
    out = Path(out)
    t_start = time.time()
    tc = cfg.train
    torch.set_num_threads(tc.threads or usable_cores())
    info, device = init_distributed(tc.device)
    if info.is_main:
        out.mkdir(parents=True, exist_ok=True)
        save_yaml(cfg, out / "config.yaml")
        data = prepare_for(cfg, Path(data_root) if data_root else out / "data", console)
    info.barrier()  # other ranks find the prepared data and only open it
    if not info.is_main:
        data = prepare_for(cfg, Path(data_root) if data_root else out / "data", console)

    model = build_model(cfg, data.tokenizer.vocab_size, device)
    model.activation_checkpointing = tc.activation_checkpointing
    wrapped = wrap_model(model, tc.distributed, info, device, bf16=uses_bf16(tc.dtype, device) and device.type == "cuda")
    optimizer = build_optimizer(wrapped, tc)
    state = start_state(out, resume, wrapped, optimizer, console,
                        fresh=lambda: _init_from(cfg, wrapped, optimizer, console))
    if info.is_main:
        trim_metrics(out / "metrics.jsonl", state.step)
    train_model = torch.compile(wrapped) if tc.compile else wrapped

    plan = None
    groups = [(p, probe_groups(p, data.eval_sets, cfg.seed, data.tokenizer)) for p in cfg.data.probes]
    insertions = list(cfg.data.insertions) + [c for p, g in groups for c in probe_insertions(p, g)]
    if insertions or groups:
        plan = InsertionPlan(insertions, data.tokenizer, cfg.seed, tc.batch_size, cfg.data.seq_len, tc.steps)
        if info.is_main:
            plan.write_log(out / "insertions.jsonl")
    mixture = Mixture(data.store, data.weights, cfg.data.seq_len, cfg.seed, stages=cfg.data.stages,
                      max_epochs=cfg.data.max_epochs, batch_size=tc.batch_size, total_steps=tc.steps,
                      insertions=plan, order=cfg.data.order)
    trackers = {p.name: knowledge_tracker(p, g, data.tokenizer, plan, cfg.seed)
                for p, g in groups if p.kind == "knowledge"}

    def get_batch(step: int, m: int) -> torch.Tensor:
        rows = mixture.batch(step, tc.batch_size, info.rank, info.world_size, micro=m, n_micro=tc.grad_accum)
        return rows.to(device, non_blocking=True)

    windows = suite.val_sets(data.store, cfg.data.seq_len, cfg.eval.val_tokens)
    token_bytes = data.tokenizer.token_bytes()
    per_token = flops_per_token(model.cfg, cfg.data.seq_len)  # train/flops: whole pipeline (models/flops.py)
    inherited = pipeline_flops(tc.init_from) if tc.init_from else 0.0
    loss_target(cfg.eval.loss_target, cfg.eval.loss_target_from)  # fail now, not after training
    logger = MetricsLogger(out / "metrics.jsonl", tc.log_every, flops=lambda tokens: inherited + per_token * tokens)
    write = logger.write if info.is_main else (lambda row: None)
    trainer = Trainer(model=train_model, objective=OBJECTIVES[cfg.objective](), optimizer=optimizer,
                      get_batch=get_batch, cfg=tc, device=device, state=state,
                      tokens_per_step=tc.batch_size * cfg.data.seq_len, dist=info)
    autocast = trainer.autocast
    trainer.callbacks = [
        PeriodicEval(tc.eval_every, lambda: suite.loss_metrics(model, windows, token_bytes, autocast,
                                                               cfg.eval.groups), write),
        Checkpointer(out / "checkpoints", tc.ckpt_every, tc.keep_last, data.root / "tokenizer.json", info.is_main),
        *(extra_callbacks or []),
        *(DynamicInsertion(t, model, out / "checkpoints", tc.ckpt_every, out / "insertions.jsonl", info.is_main,
                           state.step) for t in trackers.values()),
    ]
    if info.is_main:
        trainer.callbacks[:0] = [logger, MixtureLogger(mixture, tc.batch_size, tc.log_every, logger.write)]
        if tc.progress:
            trainer.callbacks.insert(0, ProgressBar(cfg.name))
    if tc.lowrank.restart_every:  # first: restarts land before logging and checkpointing of their step
        trainer.callbacks.insert(0, LowRankRestarts(tc.lowrank, cfg.seed))
    if tc.grow and state.step == 0:  # the grown model's step-0 loss (FPI: the small model's)
        write({"step": 0, **{f"grow/init_{k}": v for k, v in suite.loss_metrics(model, windows, token_bytes, autocast)
                              .items() if k == "val/loss"}})
    if state.step < tc.steps or tc.steps == 0:
        trainer.fit()

    summary = evaluate(cfg, model, data, windows, autocast, console)
    for probe, probe_items in groups:
        summary.update(measure_probe(probe, probe_items, model, data.tokenizer, cfg.seed, trackers.get(probe.name)))
    if info.is_main:
        summary.update(_first_eval(out / "metrics.jsonl"))
        logger.write({"step": trainer.state.step, **{k: v for k, v in summary.items() if k.startswith("val/")}})
        summary.update(flops_metrics(report.read_metrics(out / "metrics.jsonl"), inherited, per_token,
                                     trainer.tokens_per_step, trainer.state.tokens,
                                     loss_target(cfg.eval.loss_target, cfg.eval.loss_target_from, summary["val/loss"])))
    summary.update({
        "name": cfg.name, "data_dir": str(data.root), **run_stats(trainer.state, t_start, "tokens"),
        "params": model.num_params(),
        "params_non_embedding": model.num_params(non_embedding=True), "world_size": info.world_size,
        "params_trainable": trainable_params(model), "optim/state_bytes": optimizer_state_bytes(optimizer),
        "memory/weights_optim_bytes": weights_optimizer_bytes(model, optimizer),
    })
    if plan is not None:
        summary.update({"insertions/count": len(plan.placements()), "insertions/token_fraction": plan.token_fraction()})
    gens = generations(cfg, model, data)  # every rank samples; rank 0 writes
    if info.is_main:
        finish(out, summary, cfg.eval.report, gens)
    info.barrier()
    return summary


def _first_eval(path: Path) -> dict:
    """``first_eval/val/...``: the first periodic evaluation of this run (e.g. right after re-warming)."""
    for row in report.read_metrics(path):
        if "val/loss" in row:
            return {f"first_eval/{k}": v for k, v in row.items() if k.startswith("val/")}
    return {}


def evaluate(cfg: RunConfig, model, data: PreparedData, windows, autocast, console: Console) -> dict:
    with console.status("evaluating"):
        metrics = suite.loss_metrics(model, windows, data.tokenizer.token_bytes(), autocast, cfg.eval.groups)
        metrics.update(suite.line_metrics(model, data.tokenizer, windows, cfg.eval.toxic_lines, autocast))
        metrics.update(suite.unigram_baseline(data.store, windows, data.tokenizer.vocab_size,
                                              data.tokenizer.token_bytes()))
        metrics.update(suite.task_metrics(model, data.tokenizer, data.eval_sets, cfg.eval.max_items,
                                          cfg.eval.fact_qa, cfg.eval.arithmetic))
    return metrics


def generations(cfg: RunConfig, model, data: PreparedData) -> list:
    """Sampled continuations of the first ``eval.generations`` prompts (generations.json and the report)."""
    prompts = _gen_prompts(data)[: cfg.eval.generations]
    return suite.sample_generations(model, data.tokenizer, prompts, cfg.eval.gen_tokens, cfg.seed) if prompts else []


def _gen_prompts(data: PreparedData) -> list[str]:
    prompts = ["Once upon a time", "Q: 12 + 7 = ? A:", "def add_"]
    qa = data.eval_sets.get("fact_qa") or []
    if qa:
        prompts.insert(1, qa[0]["prompt"])
    return prompts if data.eval_sets else ["The"]


def load_run(run_dir: str | Path, device: str = "auto"):
    """(config, model, prepared data) of a finished or checkpointed run, for eval/generate/export."""
    from pretrainlab.config import load_yaml
    from pretrainlab.run_config import build_run_config

    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").exists():
        raise RunError(f"{run_dir}: not a run directory (no config.yaml)")
    cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
    summary_path = run_dir / "summary.json"
    data_dir = json.loads(summary_path.read_text()).get("data_dir") if summary_path.exists() else None
    data = load_prepared(Path(data_dir), cfg.data) if data_dir else prepare_data(cfg.data, run_dir / "data")
    model = build_model(cfg, data.tokenizer.vocab_size, pick_device(device))
    ckpt.load_weights(model, ckpt.resolve_checkpoint(run_dir))
    model.eval()
    return cfg, model, data

