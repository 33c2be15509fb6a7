"""The text modality: language models on token stores (the synthetic text world or your files).

Data: world JSONL, curation, tokenizer.json and the token store (data/prepare.py) under ``data_root``;
batches from the ``Mixture`` (a pure function of seed, step, rank, micro). Task: the decoder
(``models/decoder.py``; low-rank factors with ``train.lowrank``), trained with ``CausalLM``. Checkpoints
carry tokenizer.json. Evaluation: eval/suite.py (val loss and bpb per source and group, unigram baseline,
fact QA, arithmetic, toxic lines), probes, sampled generations.

Features are components the plug-in composes, each in its own file: continued pretraining and model
growth (``models/growth.py``, in ``start``), low-rank factors and their restarts (``optim/lowrank.py``, a
model transform and the ``LowRankRestarts`` callback; GaLore is an optimizer, ``run/optimizer.py``),
insertions and probes (``eval/probe_set.py``: ``ProbeSet``), FLOPs counting and loss targets
(``models/flops.py``: ``FlopsAccount``), the first periodic evaluation (``first_eval``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import torch
from rich.console import Console

from pretrainlab import checkpoint as ckpt
from pretrainlab.data.mixture import Mixture
from pretrainlab.data.prepare import PreparedData, load_prepared, prepare_data
from pretrainlab.eval import report, suite
from pretrainlab.eval.probe_set import ProbeSet
from pretrainlab.models import MODELS
from pretrainlab.models.flops import FlopsAccount
from pretrainlab.models.growth import load_grown
from pretrainlab.objectives import OBJECTIVES
from pretrainlab.optim import apply_lowrank, optimizer_state_bytes, trainable_params, weights_optimizer_bytes
from pretrainlab.run.resume import RunError
from pretrainlab.run_config import RunConfig
from pretrainlab.runtime import pick_device
from pretrainlab.train.callbacks import MixtureLogger, PeriodicEval
from pretrainlab.train.callbacks.lowrank_restarts import LowRankRestarts


def build_model(cfg: RunConfig, vocab_size: int, device: torch.device) -> torch.nn.Module:
    cfg_cls, model_cls = MODELS["decoder"]
    mcfg = replace(cfg.model, vocab_size=vocab_size, max_seq_len=cfg.data.seq_len)
    torch.manual_seed(cfg.seed)
    return apply_lowrank(model_cls(mcfg), cfg.train.lowrank, cfg.seed).to(device)


def init_from(cfg: RunConfig, model, optimizer, console: Console) -> None:
    """A new text run's start: continued pretraining from ``train.init_from``, grown to this run's model
    with ``train.grow``."""
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


def first_eval(path: Path) -> dict:
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
    prompts = gen_prompts(data)[: cfg.eval.generations]
    return suite.sample_generations(model, data.tokenizer, prompts, cfg.eval.gen_tokens, cfg.seed) if prompts else []


def gen_prompts(data: PreparedData) -> list[str]:
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


class TextModality:
    """Language models on token stores: the synthetic text world or your files, curated, tokenized and mixed;
    causal LM (the default modality)."""

    name: ClassVar[str] = "text"
    Config: ClassVar[type] = RunConfig
    unit: ClassVar[str] = "tokens"
    distributed: ClassVar[bool] = True

    def prepare(self, cfg: RunConfig, root: Path, console: Console) -> PreparedData:
        return prepare_for(cfg, root, console)

    def build(self, cfg: RunConfig, data: PreparedData, device: torch.device) -> torch.nn.Module:
        model = build_model(cfg, data.tokenizer.vocab_size, device)
        model.activation_checkpointing = cfg.train.activation_checkpointing
        return model

    def start(self, cfg: RunConfig, data, model, optimizer, console: Console) -> None:
        init_from(cfg, model, optimizer, console)

    def batches(self, cfg: RunConfig, data: PreparedData, model, run):
        tc, info = cfg.train, run.info
        self.probes = ProbeSet.build(cfg, data)
        if info.is_main:
            self.probes.write_log(run.out / "insertions.jsonl")
        self.mixture = Mixture(data.store, data.weights, cfg.data.seq_len, cfg.seed, stages=cfg.data.stages,
                               max_epochs=cfg.data.max_epochs, batch_size=tc.batch_size, total_steps=tc.steps,
                               insertions=self.probes.plan, order=cfg.data.order)
        mixture, device = self.mixture, run.device

        def get_batch(step: int, m: int) -> torch.Tensor:
            rows = mixture.batch(step, tc.batch_size, info.rank, info.world_size, micro=m, n_micro=tc.grad_accum)
            return rows.to(device, non_blocking=True)

        self.windows = suite.val_sets(data.store, cfg.data.seq_len, cfg.eval.val_tokens)
        return get_batch

    def flops(self, cfg: RunConfig, data: PreparedData, model):
        self.flops_account = FlopsAccount(model.cfg, cfg.data.seq_len, cfg.train.init_from, cfg.eval.loss_target,
                                          cfg.eval.loss_target_from)  # train/flops: the whole pipeline
        return self.flops_account

    def loss(self, cfg: RunConfig, model):
        return OBJECTIVES[cfg.objective]()

    def units_per_step(self, cfg: RunConfig) -> int:
        return cfg.train.batch_size * cfg.data.seq_len

    def callbacks(self, cfg: RunConfig, data: PreparedData, model, run) -> list:
        tc, info, write = cfg.train, run.info, run.write
        windows, token_bytes, autocast = self.windows, data.tokenizer.token_bytes(), run.trainer.autocast
        cbs = [MixtureLogger(self.mixture, tc.batch_size, tc.log_every, write)] if info.is_main else []
        cbs.append(PeriodicEval(tc.eval_every, lambda: suite.loss_metrics(model, windows, token_bytes, autocast,
                                                                          cfg.eval.groups), write))
        cbs += self.probes.callbacks(model, run)
        if tc.lowrank.restart_every:
            cbs.append(LowRankRestarts(tc.lowrank, cfg.seed))
        if tc.grow and run.state.step == 0:  # the grown model's step-0 loss (FPI: the small model's)
            write({"step": 0, **{f"grow/init_{k}": v for k, v in suite.loss_metrics(model, windows, token_bytes,
                                                                                   autocast).items()
                                 if k == "val/loss"}})
        return cbs

    def checkpoint_files(self, cfg: RunConfig, data: PreparedData, model) -> dict:
        return {"tokenizer.json": data.root / "tokenizer.json"}

    def evaluate(self, cfg: RunConfig, data: PreparedData, model, run) -> dict:
        trainer = run.trainer
        summary = evaluate(cfg, model, data, self.windows, trainer.autocast, run.console)
        summary.update(self.probes.measure(model))
        if run.info.is_main:
            metrics = run.out / "metrics.jsonl"
            summary.update(first_eval(metrics))
            run.write({"step": trainer.state.step, **{k: v for k, v in summary.items() if k.startswith("val/")}})
            summary.update(self.flops_account.summary(report.read_metrics(metrics), trainer.tokens_per_step,
                                                      trainer.state.tokens, summary["val/loss"]))
        return summary

    def provenance(self, cfg: RunConfig, data: PreparedData, run) -> dict:
        return {"data_dir": str(data.root)}

    def facts(self, cfg: RunConfig, data: PreparedData, model, optimizer, run) -> dict:
        facts = {"params": model.num_params(), "params_non_embedding": model.num_params(non_embedding=True),
                 "world_size": run.info.world_size, "params_trainable": trainable_params(model),
                 "optim/state_bytes": optimizer_state_bytes(optimizer),
                 "memory/weights_optim_bytes": weights_optimizer_bytes(model, optimizer)}
        return {**facts, **self.probes.facts()}

    def samples(self, cfg: RunConfig, data: PreparedData, model) -> list:
        return generations(cfg, model, data)  # every rank samples; rank 0 writes

    def metric_names(self, cfg: RunConfig) -> set[str]:
        return suite.text_metric_names(cfg)

    def shared_data(self, cfg: RunConfig, root: Path, console: Console) -> str:
        from pretrainlab.data.prepare import data_fingerprint

        data_root = root / data_fingerprint(cfg.data)
        if not (data_root / "prepared.json").exists():
            console.print(f"preparing data {data_root.name}")
        prepare_data(cfg.data, data_root, console)
        return str(data_root)

    def load_run(self, run_dir: Path, device: str = "auto"):
        """(model, tokenizer) of a run's newest intact checkpoint (``pretrainlab.load_run``)."""
        _, model, data = load_run(run_dir, device)
        return model, data.tokenizer

    def evaluate_run(self, run_dir: Path, device: str, console: Console) -> dict:
        cfg, model, data = load_run(run_dir, device)
        windows = suite.val_sets(data.store, cfg.data.seq_len, cfg.eval.val_tokens)
        return evaluate(cfg, model, data, windows, None, console)
