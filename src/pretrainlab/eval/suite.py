"""The evaluation suite of a language-model run: everything that goes into ``summary.json``.

* ``val/loss``, ``val/bpb`` (all validation tokens) and ``val/loss/<source>``, ``val/bpb/<source>``;
* ``baseline/unigram_loss`` on the same validation tokens (a model must beat token frequencies);
* ``eval/fact_qa/{train_people,test_people}``: 5-way multiple choice by answer log-prob (chance 0.2),
  with greedy exact match under ``eval/fact_qa_em/...``;
* ``eval/arithmetic`` (in-range held-out problems, greedy exact match) and ``eval/arithmetic_ood``;
  ``eval/arithmetic_mc``: the same in-range problems as 5-way multiple choice (chance 0.2,
  ``eval/arithmetic_mc.py``);
* ``val/{loss,bpb}/<source>/{toxic,clean}_lines`` for the sources in ``eval.toxic_lines``: the val loss
  split by line, lines with a toxicity marker vs the others (``eval/line_loss.py``);
* with synthetic languages in the world, per language ``<lang>``: ``eval/<lang>/fact_qa/{train_people,
  test_people}`` (fact QA in the language, multiple choice, with ``fact_qa``) and
  ``eval/<lang>/word_problems`` (held-out-template word problems in the language, 5-way multiple
  choice, with ``arithmetic``); ``worlds/text/langevals.py``;
* a few sampled generations (returned separately, written to the report).
"""

from __future__ import annotations

import numpy as np
import torch

from pretrainlab.data.mixture import val_windows
from pretrainlab.eval.arithmetic_mc import arithmetic_mc
from pretrainlab.eval.generate import generate
from pretrainlab.eval.line_loss import toxic_line_metric_names, toxic_line_metrics
from pretrainlab.eval.loss import eval_loss
from pretrainlab.eval.probes import probe_metric_names
from pretrainlab.eval.qa import exact_match, multiple_choice
from pretrainlab.eval.unigram import unigram_counts, unigram_loss


def val_sets(store, seq_len: int, val_tokens: int) -> dict[str, torch.Tensor]:
    out = {}
    for source in store.sources("val"):
        if store.info("val", source)["tokens"] > seq_len + 1:
            out[source] = val_windows(store, "val", source, seq_len, val_tokens)
    return out


def loss_metrics(model, windows: dict[str, torch.Tensor], token_bytes: np.ndarray, autocast=None,
                 groups: dict[str, list[str]] | None = None) -> dict:
    """Per-source loss/bpb, the token-weighted total, and ``val/loss/<group>`` for named source groups."""
    out, per = {}, {}
    for source, w in windows.items():
        r = per[source] = eval_loss(model, w, token_bytes, autocast=autocast)
        out[f"val/loss/{source}"], out[f"val/bpb/{source}"] = r["loss"], r["bpb"]
    for name, members in {"": list(per), **{f"/{g}": m for g, m in (groups or {}).items()}}.items():
        rs = [per[s] for s in members if s in per]
        tokens = sum(r["tokens"] for r in rs)
        if tokens:
            total = sum(r["loss"] * r["tokens"] for r in rs)
            out[f"val/loss{name}"] = total / tokens
            out[f"val/bpb{name}"] = total / (np.log(2) * max(sum(r["bytes"] for r in rs), 1))
    return out


def line_metrics(model, tokenizer, windows: dict[str, torch.Tensor], toxic_lines: list[str], autocast=None) -> dict:
    """``val/{loss,bpb}/<source>/{toxic,clean}_lines`` for the sources in ``eval.toxic_lines``."""
    return toxic_line_metrics(model, tokenizer, windows, toxic_lines, autocast) if toxic_lines else {}


def unigram_baseline(store, windows: dict[str, torch.Tensor], vocab_size: int, token_bytes: np.ndarray) -> dict:
    shards = [s for src in store.sources("train") for s in store.shards("train", src)]
    counts = unigram_counts(shards, vocab_size)
    targets = np.concatenate([w[:, 1:].flatten().numpy() for w in windows.values()])
    r = unigram_loss(counts, targets, token_bytes)
    return {"baseline/unigram_loss": r["loss"], "baseline/unigram_bpb": r["bpb"]}


def task_metrics(model, tokenizer, eval_sets: dict[str, list[dict]], max_items: int,
                 fact_qa: bool = True, arithmetic: bool = True) -> dict:
    out = {}
    if fact_qa and eval_sets.get("fact_qa"):
        for group in ("train_people", "test_people"):
            items = [it for it in eval_sets["fact_qa"] if it["group"] == group][:max_items]
            if items:
                out[f"eval/fact_qa/{group}"] = multiple_choice(model, tokenizer, items)
                out[f"eval/fact_qa_em/{group}"] = exact_match(model, tokenizer, items)[0]
                out["eval/fact_qa/chance"] = 1.0 / len(items[0]["choices"])
    if arithmetic and eval_sets.get("arithmetic"):
        for key, ood in (("eval/arithmetic", False), ("eval/arithmetic_ood", True)):
            items = [it for it in eval_sets["arithmetic"] if bool(it.get("ood")) == ood][:max_items]
            if items:
                out[key] = exact_match(model, tokenizer, items)[0]
        out["eval/arithmetic_mc"] = arithmetic_mc(model, tokenizer, eval_sets["arithmetic"], max_items)
    out.update(language_task_metrics(model, tokenizer, eval_sets, max_items, fact_qa, arithmetic))
    return out


def language_task_metrics(model, tokenizer, eval_sets: dict[str, list[dict]], max_items: int,
                          fact_qa: bool = True, arithmetic: bool = True) -> dict:
    """``eval/<lang>/fact_qa/<group>`` and ``eval/<lang>/word_problems`` (multiple choice) for every
    language with a ``parallel_<lang>`` set; a prepared world written before these sets existed is an
    error, not a silently missing metric."""
    out = {}
    for lang in sorted(k[len("parallel_"):] for k in eval_sets if k.startswith("parallel_")):
        wanted = ([f"fact_qa_{lang}"] if fact_qa else []) + ([f"word_problems_{lang}"] if arithmetic else [])
        missing = [k for k in wanted if k not in eval_sets]
        if missing:
            raise RuntimeError(f"the prepared world has no eval sets {missing} (written by an older version); "
                               "delete the prepared data directory so it is generated again")
        if fact_qa:
            for group in ("train_people", "test_people"):
                items = [it for it in eval_sets[f"fact_qa_{lang}"] if it["group"] == group][:max_items]
                if items:
                    out[f"eval/{lang}/fact_qa/{group}"] = multiple_choice(model, tokenizer, items)
        if arithmetic and eval_sets[f"word_problems_{lang}"]:
            out[f"eval/{lang}/word_problems"] = multiple_choice(model, tokenizer,
                                                                eval_sets[f"word_problems_{lang}"][:max_items])
    return out


def sample_generations(model, tokenizer, prompts: list[str], n_tokens: int, seed: int) -> list[dict]:
    ids = [tokenizer.encode(p) for p in prompts]
    outs = generate(model, ids, n_tokens, eos_id=tokenizer.eos_id, temperature=0.8, top_k=50, seed=seed)
    return [{"prompt": p, "completion": tokenizer.decode(o)} for p, o in zip(prompts, outs)]


def metric_names(cfg) -> set[str]:
    """Old path (one more release) of ``pretrainlab.modalities.metric_names``: the run's modality answers."""
    from pretrainlab.modalities import metric_names as names

    return names(cfg)


def text_metric_names(cfg) -> set[str]:
    """Every key a text run with RunConfig ``cfg`` writes to summary.json (to validate claims up front)."""
    sources = [s.name for s in cfg.data.sources]
    if cfg.data.world is not None:
        sources += list(cfg.data.world.source_weights())
    names = {"val/loss", "val/bpb", "baseline/unigram_loss", "baseline/unigram_bpb", "step", "tokens",
             "train/loss", "train/tokens_per_s", "train/skipped_steps", "wall_s", "params", "params_non_embedding",
             "params_trainable", "optim/state_bytes", "memory/weights_optim_bytes"}
    names |= {f"val/{m}/{s}" for s in sources + list(cfg.eval.groups) for m in ("loss", "bpb")}
    if cfg.train.eval_every and cfg.train.eval_every < cfg.train.steps:
        names |= {f"first_eval/{n}" for n in names if n.startswith("val/")}
    names |= {"train/flops", "train/flops_inherited"} | ({"grow/init_val/loss"} if cfg.train.grow else set())
    if cfg.eval.loss_target is not None or cfg.eval.loss_target_from:
        names |= {"val_loss_target", "flops_to/val_loss_target"}
        names |= {"grow/init_gap_to_target"} if cfg.train.grow else set()
    names |= toxic_line_metric_names(cfg.eval.toxic_lines)
    for probe in cfg.data.probes:
        names |= probe_metric_names(probe)
    if cfg.data.insertions or cfg.data.probes:
        names |= {"insertions/count", "insertions/token_fraction"}
    if cfg.data.world is not None:
        if cfg.eval.fact_qa:
            names |= {f"eval/{k}/{g}" for k in ("fact_qa", "fact_qa_em") for g in ("train_people", "test_people")}
            names.add("eval/fact_qa/chance")
        if cfg.eval.arithmetic:
            names |= {"eval/arithmetic", "eval/arithmetic_ood", "eval/arithmetic_mc"}
        names |= language_metric_names(cfg.data.world, cfg.eval.fact_qa, cfg.eval.arithmetic)
    return names


def language_metric_names(world, fact_qa: bool, arithmetic: bool) -> set[str]:
    """The keys ``language_task_metrics`` writes for a world config (languages whose order rule keeps
    answers after prompts, ``langevals.supported``)."""
    from pretrainlab.worlds.text.langevals import supported
    from pretrainlab.worlds.text.languages import parse_spec

    names = set()
    for name, order in (parse_spec(s) for s in world.languages):
        if not supported(order):
            continue
        if fact_qa:
            names |= {f"eval/{name}/fact_qa/{g}" for g in ("train_people", "test_people")}
        if arithmetic:
            names.add(f"eval/{name}/word_problems")
    return names
