"""Command line: a thin map from subcommands to library functions.

    pretrainlab run RECIPE_OR_YAML [--size tiny|full] [--out DIR] [--resume] [key=value ...]
    pretrainlab recipes
    pretrainlab list [models|objectives|worlds|probes|protocols|modalities|recipes|steps]
    pretrainlab reproduce RECIPE [--size tiny|full] [--seeds N] [--out DIR]
    pretrainlab sweep RECIPE_OR_YAML --grid key=v1,v2 [--grid ...] [--seeds N]
    pretrainlab compare DIR [DIR ...] [--md FILE] [--plot FILE]
    pretrainlab report EXPERIMENT_DIR
    pretrainlab eval RUN_DIR
    pretrainlab generate RUN_DIR --prompt "..."
    pretrainlab export RUN_DIR --to hf OUT_DIR
    pretrainlab export-metrics RUN_DIR --to tensorboard|mlflow|wandb
    pretrainlab data synth --out DIR [knob=value ...]
    pretrainlab data curate PIPELINE.yaml [key=value ...]
    pretrainlab data prepare RECIPE_OR_YAML --out DIR [key=value ...]
    pretrainlab data inspect DIR
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pretrainlab._version import __version__
from pretrainlab.config import ConfigError, apply_overrides, from_dict
from pretrainlab.train.interrupt import RunInterrupted

console = Console(stderr=True)
out_console = Console()


def resolve_config(target: str, size: str, overrides: list[str]):
    """Recipe name or YAML path (+ overrides) -> validated run config (``pretrainlab.api.resolve_config``)."""
    from pretrainlab.api import resolve_config as resolve

    return resolve(target, size, overrides)


def cmd_run(args) -> int:
    from pretrainlab.run.execute import execute

    cfg = resolve_config(args.target, args.size, args.overrides)
    out = Path(args.out or f"runs/{cfg.name}")
    summary = execute(cfg, out, resume=args.resume, console=console, allow_config_change=args.allow_config_change)
    _print_summary(summary, out)
    return 0


def _print_summary(summary: dict, out: Path) -> None:
    table = Table(title=f"summary ({out}/summary.json)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in summary.items():
        table.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    out_console.print(table)
    out_console.print(f"report: {out}/report.html")


def cmd_config(args) -> int:
    import yaml

    from pretrainlab.config import to_dict
    from pretrainlab.config_keys import config_keys

    cfg = resolve_config(args.target, args.size, args.overrides)
    if args.keys is None:
        out_console.print(yaml.safe_dump(to_dict(cfg), sort_keys=False), end="", highlight=False, markup=False)
        return 0
    keys = [k for k in config_keys(cfg) if k.key.startswith(args.keys)]
    if not keys:
        raise ConfigError(f"--keys {args.keys}: no config key starts with it (try --keys train.)")
    table = Table(title=f"{args.target} ({args.size}): {len(keys)} keys")
    for col in ("key", "type", "value", "meaning"):
        table.add_column(col, overflow="fold")
    for k in keys:
        table.add_row(k.key, k.type, repr(k.value), k.doc)
    out_console.print(table)
    return 0


def cmd_recipes(args) -> int:
    from pretrainlab.recipes.catalog import catalog_rows

    table = Table(title="seed papers -> recipes")
    for col in ("#", "paper", "recipe", "claim", "status"):
        table.add_column(col)
    for row in catalog_rows():
        table.add_row(*(str(row[k]) for k in ("n", "paper", "recipe", "claim", "status")))
    out_console.print(table)
    return 0


def cmd_list(args) -> int:
    import importlib

    from rich.text import Text

    from pretrainlab.registry import Registry

    lists = Registry("list")  # `pretrainlab list KIND` -> "module:attribute" of the registry it prints
    lists.add("models", "pretrainlab.models:MODELS", "model families and their size presets")
    lists.add("objectives", "pretrainlab.objectives:OBJECTIVES", "what a run trains on (objective / objective.name)")
    lists.add("worlds", "pretrainlab.worlds.registry:WORLDS", "synthetic worlds and readers of user images")
    lists.add("probes", "pretrainlab.eval.probes:PROBES", "probe kinds: experiments inside one run (probes[].kind)")
    lists.add("protocols", "pretrainlab.eval.protocols:PROTOCOLS", "transfer protocols of image runs (eval.protocols)")
    lists.add("modalities", "pretrainlab.modalities:MODALITIES", "kinds of run (modality)")
    lists.add("recipes", "pretrainlab.recipes:RECIPES", "paper recipes and quickstart (`pretrainlab recipes`: status)")
    lists.add("steps", "pretrainlab.data.curate:STEPS", "curation steps (`pretrainlab data curate`)")
    lists.add("trackers", "pretrainlab.train.trackers:TRACKERS", "where metrics rows go (train.loggers)")
    reg, title = lists, "pretrainlab list KIND"
    if args.kind is not None:
        module, _, attr = lists.get(args.kind).partition(":")
        found = getattr(importlib.import_module(module), attr)
        reg = found if isinstance(found, Registry) else Registry(args.kind, found)
        title = f"{args.kind} ({len(reg)})"
    table = Table(title=title)
    table.add_column("name", no_wrap=True)
    table.add_column("description")
    for name, description in reg.rows():
        table.add_row(Text(name), Text(description))
    out_console.print(table)
    return 0


def cmd_eval(args) -> int:
    from pretrainlab.modalities import modality_of_run

    metrics = modality_of_run(args.run_dir).evaluate_run(Path(args.run_dir), args.device, console)
    path = Path(args.run_dir) / "eval.json"
    path.write_text(json.dumps(metrics, indent=1))
    _print_summary(metrics, Path(args.run_dir))
    return 0


def cmd_generate(args) -> int:
    from pretrainlab.eval.generate import generate
    from pretrainlab.modalities.text import load_run

    if args.max_tokens < 0:
        raise ConfigError(f"--max-tokens must be >= 0, got {args.max_tokens}")
    if args.temperature < 0:
        raise ConfigError(f"--temperature must be >= 0 (0: greedy), got {args.temperature}")
    if args.top_k is not None and args.top_k < 1:
        raise ConfigError(f"--top-k must be >= 1 (or left out for no limit), got {args.top_k}")
    _, model, data = load_run(args.run_dir, args.device)
    tok = data.tokenizer
    outs = generate(model, [tok.encode(args.prompt)], args.max_tokens, eos_id=tok.eos_id,
                    temperature=args.temperature, top_k=args.top_k, seed=args.seed)
    out_console.print(args.prompt + tok.decode(outs[0]), highlight=False, markup=False)
    return 0


def cmd_export(args) -> int:
    from pretrainlab.export.hf import export_hf

    if args.to != "hf":
        raise ConfigError(f"--to {args.to}: only 'hf' (Hugging Face transformers) is supported")
    path = export_hf(args.run_dir, args.out_dir, dtype=args.dtype)
    console.print(f"exported to {path} (load with transformers.AutoModelForCausalLM.from_pretrained)")
    return 0


def cmd_export_metrics(args) -> int:
    from pretrainlab.train.trackers.export import export_metrics

    where = export_metrics(args.run_dir, args.to)
    console.print(f"exported {Path(args.run_dir) / 'metrics.jsonl'} to {args.to}: {where}", highlight=False)
    return 0


def cmd_data(args) -> int:
    from pretrainlab.outdir import claim_dir

    if args.data_cmd == "synth":
        from pretrainlab.worlds.text import TextWorldConfig, write_world

        cfg = from_dict(TextWorldConfig, apply_overrides({}, args.overrides), prefix="world")
        claim_dir(args.out, "world", legacy=lambda p: (p / "world.json").is_file())
        with console.status(f"generating {cfg.n_docs} documents"):
            summary = write_world(cfg, args.out)
        out_console.print_json(json.dumps(summary))
    elif args.data_cmd == "curate":
        from pretrainlab.data.curate import curate, load_config

        cfg = load_config(args.pipeline, args.overrides)
        claim_dir(cfg.output, "curation", legacy=lambda p: (p / "completions").is_dir())
        report = curate(cfg)
        out_console.print_json(json.dumps({"input": report["input"], "output": report["output"],
                                           "totals": report["totals"]}))
        out_console.print(f"report: {cfg.output}/curation_report.md")
    elif args.data_cmd == "prepare":
        from pretrainlab.data.prepare import prepare_data

        cfg = resolve_config(args.target, args.size, args.overrides)
        claim_dir(args.out, "data", legacy=lambda p: (p / "prepared.json").is_file())
        prepared = prepare_data(cfg.data, Path(args.out), console)
        out_console.print_json(json.dumps(prepared.store.summary()))
    else:
        _inspect(Path(args.dir))
    return 0


def _inspect(path: Path) -> None:
    from pretrainlab.data.store import TokenStore

    for candidate in (path, path / "store", path / "data" / "store"):
        if (candidate / "store.json").exists():
            path = candidate
            break
    store = TokenStore(path)
    table = Table(title=f"token store {path} ({store.dtype}, vocab {store.meta['vocab_size']})")
    for col in ("split", "source", "documents", "tokens", "bytes", "shards"):
        table.add_column(col, justify="right" if col not in ("split", "source") else "left")
    for split, sources in store.summary().items():
        for name, info in sources.items():
            table.add_row(split, name, f"{info['docs']:,}", f"{info['tokens']:,}", f"{info['bytes']:,}",
                          str(info["shards"]))
    out_console.print(table)


def cmd_reproduce(args) -> int:
    from pretrainlab.api import resolve_experiment
    from pretrainlab.experiments.run import run_experiment, verdict_table

    exp = resolve_experiment(args.target, args.size, args.overrides, args.seeds, args.workers)
    out = Path(args.out or f"runs/{exp.name}")
    _, claims = run_experiment(exp, out, console)
    if claims:
        out_console.print(verdict_table(claims, f"{exp.name}: claims over seeds {exp.seeds}"))
    out_console.print(f"claims: {out}/claims.json  report: {out}/report.html")
    return 0


def cmd_verdicts(args) -> int:
    from pretrainlab.experiments import verdicts

    if args.verdicts_cmd == "archive":
        path = verdicts.archive(Path(args.exp_dir), args.recipe, args.size, notes=args.notes,
                                wall_minutes=args.wall_minutes, dest=Path(args.dest) if args.dest else verdicts.VERDICT_DIR)
        out_console.print(f"archived: {path}")
        return 0
    text = verdicts.DOC.read_text()
    new = verdicts.render_doc(text)
    if args.check:
        if new != text:
            console.print(f"[bold red]error:[/] {verdicts.DOC} is out of date; run `pretrainlab verdicts render`")
            return 1
        out_console.print(f"{verdicts.DOC} is up to date")
        return 0
    verdicts.DOC.write_text(new)
    out_console.print(f"wrote {verdicts.DOC}")
    return 0


def cmd_sweep(args) -> int:
    import itertools

    from pretrainlab.config import parse_value, to_dict
    from pretrainlab.experiments.compare import compare_table
    from pretrainlab.experiments.config import build_experiment
    from pretrainlab.experiments.run import run_experiment

    if args.seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {args.seeds}")
    base = to_dict(resolve_config(args.target, args.size, args.overrides))
    axes = []
    for item in args.grid:
        key, _, values = item.partition("=")
        if not key or not values:
            raise ConfigError(f"--grid {item!r}: expected key=v1,v2 (e.g. train.lr=1e-3,3e-3)")
        axes.append([(key, parse_value(v)) for v in values.split(",")])
    arms = {",".join(f"{k}={v}" for k, v in combo): {"overrides": dict(combo)} for combo in itertools.product(*axes)}
    exp = build_experiment({"name": f"sweep-{base['name']}", "base": base, "arms": arms,
                            "seeds": list(range(args.seeds)), "workers": args.workers or 0})
    out = Path(args.out or f"runs/{exp.name}")
    run_experiment(exp, out, console)
    out_console.print(compare_table([out]))
    out_console.print(f"report: {out}/report.html  (compare more with `pretrainlab compare {out} ...`)")
    return 0


def cmd_compare(args) -> int:
    from pretrainlab.experiments.compare import compare_markdown, compare_table, plot_compare

    dirs = [Path(d) for d in args.dirs]
    out_console.print(compare_table(dirs, args.metric or None))
    if args.md:
        Path(args.md).write_text(compare_markdown(dirs, args.metric or None))
    if args.plot:
        plot_compare(dirs, Path(args.plot))
    return 0


def cmd_report(args) -> int:
    from pretrainlab.experiments.report import report_from_dir

    report_from_dir(Path(args.exp_dir))
    out_console.print(f"report: {args.exp_dir}/report.html")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pretrainlab", description="Controlled pretraining experiments.")
    p.add_argument("--version", action="version", version=f"pretrainlab {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="show the full traceback of an error (also: PRETRAINLAB_DEBUG=1)")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run a recipe or YAML config end to end")
    r.add_argument("target", help="recipe name (see `pretrainlab recipes`) or a YAML file")
    r.add_argument("overrides", nargs="*", help="dotted overrides, e.g. train.steps=200")
    r.add_argument("--size", default="full", choices=["tiny", "full"], help=SIZE_HELP)
    r.add_argument("--out", help="run directory (default runs/<name>)")
    r.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in --out")
    r.add_argument("--allow-config-change", action="store_true",
                   help="with --resume: accept changes to train.steps, logging, checkpointing and eval keys")
    r.set_defaults(fn=cmd_run)
    sub.add_parser("recipes", help="list seed papers and recipes").set_defaults(fn=cmd_recipes)
    cf = sub.add_parser("config", help="print a recipe's (or YAML's) resolved run config, or every key with --keys",
                        epilog="example: pretrainlab config quickstart --size tiny --keys train.")
    cf.add_argument("target", nargs="?", default="quickstart", help="recipe name or YAML file (default quickstart)")
    cf.add_argument("overrides", nargs="*", help="dotted overrides, e.g. train.steps=200")
    cf.add_argument("--size", default="full", choices=["tiny", "full"], help=SIZE_HELP)
    cf.add_argument("--keys", nargs="?", const="", default=None, metavar="PREFIX",
                    help="list every key (type, value, meaning), optionally only those starting with PREFIX")
    cf.set_defaults(fn=cmd_config)
    ls = sub.add_parser("list", help="registered models, objectives, worlds, probes, protocols, modalities, recipes")
    ls.add_argument("kind", nargs="?", help="what to list (none: the kinds)")
    ls.set_defaults(fn=cmd_list)
    rp = sub.add_parser("reproduce", help="run a paper recipe's experiment (arms x seeds) and check its claims")
    rp.add_argument("target", help="recipe name or an experiment YAML")
    rp.add_argument("overrides", nargs="*", help="experiment overrides, e.g. workers=1")
    rp.add_argument("--size", default="full", choices=["tiny", "full"], help=SIZE_HELP)
    rp.add_argument("--seeds", type=int, default=None, help="number of seeds (default: the recipe's)")
    rp.add_argument("--workers", type=int, default=None, help="parallel runs (default: auto)")
    rp.add_argument("--out", help="experiment directory (default runs/<name>)")
    rp.set_defaults(fn=cmd_reproduce)
    vd = sub.add_parser("verdicts", help="archive an experiment's verdicts in docs/verdicts and rebuild docs/recipes.md")
    vsub = vd.add_subparsers(dest="verdicts_cmd", required=True)
    va = vsub.add_parser("archive", help="copy EXP_DIR/claims.json essentials to docs/verdicts/<recipe>-<size>.json")
    va.add_argument("exp_dir", help="a finished experiment directory (its claims.json)")
    va.add_argument("--recipe", required=True, help="the recipe the experiment reproduces")
    va.add_argument("--size", required=True, choices=["tiny", "full"], help="the size it ran at")
    va.add_argument("--notes", default="", help="trust notes shown beside the verdict")
    va.add_argument("--wall-minutes", type=float, default=None, help="wall time of the experiment")
    va.add_argument("--dest", default=None, help="folder of verdict files (default: the repository's docs/verdicts)")
    vr = vsub.add_parser("render", help="rebuild the generated blocks of docs/recipes.md from docs/verdicts")
    vr.add_argument("--check", action="store_true", help="exit 1 if docs/recipes.md is out of date instead of writing")
    vd.set_defaults(fn=cmd_verdicts)
    sw = sub.add_parser("sweep", help="a grid of arms over a recipe or YAML (no claims)")
    sw.add_argument("target", help="recipe name or YAML file")
    sw.add_argument("overrides", nargs="*", help="base overrides applied to every arm")
    sw.add_argument("--grid", action="append", default=[], required=True, help="key=v1,v2 (repeatable)")
    sw.add_argument("--seeds", type=int, default=1, help="seeds per grid point")
    sw.add_argument("--size", default="full", choices=["tiny", "full"], help=SIZE_HELP)
    sw.add_argument("--workers", type=int, default=None, help="parallel runs (default: auto)")
    sw.add_argument("--out", help="sweep directory (default runs/<name>-sweep)")
    sw.set_defaults(fn=cmd_sweep)
    rr = sub.add_parser("report", help="re-render an experiment's report.md/html from its saved results")
    rr.add_argument("exp_dir", help="an experiment directory")
    rr.set_defaults(fn=cmd_report)
    cp = sub.add_parser("compare", help="final metrics of runs/experiments side by side (+ curves)")
    cp.add_argument("dirs", nargs="+", help="run or experiment directories")
    cp.add_argument("--metric", action="append", default=[], help="metrics to show (repeatable; default all)")
    cp.add_argument("--md", help="also write the table as Markdown to this file")
    cp.add_argument("--plot", help="also write overlaid val/loss curves to this PNG")
    cp.set_defaults(fn=cmd_compare)
    e = sub.add_parser("eval", help="evaluate a run's newest checkpoint")
    e.add_argument("run_dir", help="a run directory (its newest intact checkpoint)")
    e.add_argument("--device", default="auto", help=DEVICE_HELP)
    e.set_defaults(fn=cmd_eval)
    g = sub.add_parser("generate", help="sample from a run's model")
    g.add_argument("run_dir", help="a text run directory")
    g.add_argument("--prompt", required=True, help="text to continue")
    g.add_argument("--max-tokens", type=int, default=64, help="tokens to sample")
    g.add_argument("--temperature", type=float, default=0.0, help="0 = greedy")
    g.add_argument("--top-k", type=int, default=None, help="sample from the k most likely tokens")
    g.add_argument("--seed", type=int, default=0, help="sampling seed")
    g.add_argument("--device", default="auto", help=DEVICE_HELP)
    g.set_defaults(fn=cmd_generate)
    x = sub.add_parser("export", help="export a run's model")
    x.add_argument("run_dir", help="a text run directory or a checkpoint directory")
    x.add_argument("--to", default="hf", help="format: hf (transformers Llama)")
    x.add_argument("out_dir", help="a new or empty directory (or an earlier export)")
    x.add_argument("--dtype", default="fp32", choices=["fp32", "bf16", "fp16"], help="weight dtype of the export")
    x.set_defaults(fn=cmd_export)
    xm = sub.add_parser("export-metrics", help="send an old run's metrics.jsonl to TensorBoard, MLflow or W&B",
                        description="e.g. pretrainlab export-metrics runs/quickstart --to tensorboard")
    xm.add_argument("run_dir", help="a run directory (its metrics.jsonl and config.yaml)")
    xm.add_argument("--to", required=True, help="tensorboard, mlflow or wandb (offline unless WANDB_MODE is set)")
    xm.set_defaults(fn=cmd_export_metrics)
    d = sub.add_parser("data", help="synthesize, prepare or inspect data")
    dsub = d.add_subparsers(dest="data_cmd", required=True)
    s = dsub.add_parser("synth", help="write the synthetic text world as JSONL shards")
    s.add_argument("--out", required=True, help="a new or empty directory for the shards")
    s.add_argument("overrides", nargs="*", help="world knobs, e.g. n_docs=5000 seed=3")
    pr = dsub.add_parser("prepare", help="train the tokenizer and build the token store of a config")
    pr.add_argument("target", help="recipe name or YAML file")
    pr.add_argument("overrides", nargs="*", help="dotted overrides, e.g. data.seq_len=512")
    pr.add_argument("--size", default="full", choices=["tiny", "full"], help=SIZE_HELP)
    pr.add_argument("--out", required=True, help="directory for tokenizer.json and the token store")
    c = dsub.add_parser("curate", help="run a curation pipeline YAML (filters, dedup, PII, decontamination)")
    c.add_argument("pipeline", help="pipeline YAML, or default (the packaged default_pipeline.yaml)")
    c.add_argument("overrides", nargs="*", help="e.g. workers=2 output=DIR")
    i = dsub.add_parser("inspect", help="tokens per source, documents, shards of a token store")
    i.add_argument("dir", help="a store dir, a prepared data dir, or a run dir")
    d.set_defaults(fn=cmd_data)
    for parser in _leaves(p):
        name = parser.prog.removeprefix("pretrainlab ")
        parser.epilog = f"example: pretrainlab {EXAMPLES[name]}"
    return p


def _leaves(parser: argparse.ArgumentParser):
    """Every subcommand parser without subcommands of its own."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
    for action in subs:
        for child in action.choices.values():
            yield from _leaves(child)


SIZE_HELP = "recipe size: tiny (minutes on a laptop CPU, CI) or full (the real small reproduction)"
DEVICE_HELP = "auto (CUDA if available), cpu or cuda"
EXAMPLES = {
    "run": "run quickstart --size tiny --out runs/qs train.steps=200",
    "recipes": "recipes",
    "config": "config quickstart --size tiny --keys train.",
    "list": "list models",
    "reproduce": "reproduce rewarm --size tiny --out runs/rewarm-tiny",
    "verdicts archive": "verdicts archive runs/rewarm-tiny --recipe rewarm --size tiny",
    "verdicts render": "verdicts render --check",
    "sweep": "sweep quickstart --size tiny --grid train.lr=1e-3,3e-3 --seeds 2",
    "report": "report runs/rewarm-tiny",
    "compare": "compare runs/a runs/b --metric val/loss --plot curves.png",
    "eval": "eval runs/qs",
    "generate": 'generate runs/qs --prompt "Once upon a time" --max-tokens 32',
    "export": "export runs/qs --to hf runs/qs-hf --dtype bf16",
    "export-metrics": "export-metrics runs/qs --to tensorboard",
    "data synth": "data synth --out data/world n_docs=5000 seed=3",
    "data prepare": "data prepare quickstart --size tiny --out data/prepared",
    "data curate": "data curate default input=data/world/train output=data/curated",
    "data inspect": "data inspect runs/qs",
}
"""One runnable example per subcommand, shown under its --help."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Overrides may come before or after options (`run quickstart --size tiny train.steps=5`).
    args, extra = parser.parse_known_args(argv)
    bad = [a for a in extra if "=" not in a or a.startswith("-") or not hasattr(args, "overrides")]
    if bad:
        hint = ""
        if hasattr(args, "overrides") and not any(a.startswith("-") for a in bad):
            hint = " (overrides look like key=value, e.g. train.steps=100)"
        parser.error(f"unrecognized arguments: {' '.join(bad)}{hint}")
    if extra:
        args.overrides = list(args.overrides) + extra
    debug = args.debug or os.environ.get("PRETRAINLAB_DEBUG", "") not in ("", "0")
    try:
        return args.fn(args)
    except RunInterrupted as e:
        if debug:
            raise
        console.print(f"[bold yellow]interrupted:[/] {escape(str(e))}", highlight=False)
        if e.checkpoint is not None:
            again = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--resume"]
            console.print(f"resume with: pretrainlab {' '.join(again)} --resume", highlight=False)
        return 130
    except KeyboardInterrupt:
        if debug:
            raise
        console.print("[bold yellow]interrupted[/] (finished runs and written checkpoints are kept)", highlight=False)
        return 130
    except (ConfigError, KeyError, ValueError, FileNotFoundError, RuntimeError) as e:
        from pretrainlab.data.readers import DataError

        if debug:
            raise
        kind = "data error" if isinstance(e, DataError) else "error"
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        console.print(f"[bold red]{kind}:[/] {escape(str(msg))}", highlight=False)  # keys like sources[docs]
        console.print("(run with --debug or PRETRAINLAB_DEBUG=1 for the traceback)", style="dim", highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
