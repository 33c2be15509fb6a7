"""The Python API: what the CLI does, as functions (``import pretrainlab``).

    import pretrainlab
    summary = pretrainlab.run("quickstart", out="runs/qs", size="tiny", overrides=["train.steps=50"])
    loaded = pretrainlab.load_run("runs/qs")          # config, model, tokenizer / preprocessing, summary
    results, claims = pretrainlab.reproduce("rewarm", size="tiny", out="runs/rewarm-tiny")

Config resolution (a recipe name or a YAML file, then ``key=value`` overrides) lives here; ``cli.py`` only
parses arguments and prints. Every function writes only into its ``out`` directory (outdir.py rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pretrainlab.config import ConfigError, apply_overrides, load_yaml, merge


def resolve_config(target: str | Path, size: str = "full", overrides: Sequence[str] = ()):
    """A recipe name or a YAML path (``recipe: NAME`` at its top starts from a recipe), then dotted
    ``overrides`` -> the validated run config of its modality."""
    from pretrainlab.recipes import recipe_config
    from pretrainlab.run_config import build_run_config

    path = Path(target)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.exists():
            raise ConfigError(f"{path}: config file not found")
        data = load_yaml(path)
        base = data.pop("recipe", None)
        data = merge(recipe_config(base, size), data) if base else data
    else:
        data = recipe_config(str(target), size)
    return build_run_config(apply_overrides(data, list(overrides)))


def resolve_experiment(target: str | Path, size: str = "full", overrides: Sequence[str] = (),
                       seeds: int | None = None, workers: int | None = None):
    """A recipe name or an experiment YAML (+ overrides, seed count, workers) -> ``ExperimentConfig``."""
    from pretrainlab.experiments.config import build_experiment
    from pretrainlab.recipes import recipe_experiment

    path = Path(target)
    if path.suffix in (".yaml", ".yml"):
        if not path.exists():
            raise ConfigError(f"{path}: experiment file not found")
        data = load_yaml(path)
        if seeds is not None:
            if seeds < 1:
                raise ValueError(f"--seeds must be at least 1, got {seeds}")
            data.setdefault("planned_seeds", len(data.get("seeds") or [0]))
            data["seeds"] = list(range(seeds))
    else:
        data = recipe_experiment(str(target), size, seeds)
    if workers is not None:
        data["workers"] = workers
    return build_experiment(apply_overrides(data, list(overrides)))


def run(target: str | Path, out: str | Path | None = None, overrides: Sequence[str] = (), size: str = "full",
        resume: bool = False, allow_config_change: bool = False, console=None) -> dict:
    """Run a recipe or YAML config end to end into ``out`` (default ``runs/<name>``); the summary metrics."""
    from pretrainlab.run.execute import execute

    cfg = resolve_config(target, size, overrides)
    return execute(cfg, Path(out or f"runs/{cfg.name}"), resume=resume, console=console,
                   allow_config_change=allow_config_change)


def reproduce(target: str | Path, out: str | Path | None = None, overrides: Sequence[str] = (), size: str = "full",
              seeds: int | None = None, workers: int | None = None, console=None):
    """Run a recipe's experiment (arms x seeds x stages) and judge its claims: ``(results, claims)``."""
    from pretrainlab.experiments.run import run_experiment

    exp = resolve_experiment(target, size, overrides, seeds, workers)
    return run_experiment(exp, Path(out or f"runs/{exp.name}"), console)


@dataclass
class LoadedRun:
    """A finished or checkpointed run, ready to use: ``model`` in eval mode on ``device``."""

    path: Path
    config: Any
    model: Any
    inputs: Any
    """What turns raw data into model inputs: a text run's ``Tokenizer``, an image run's ``Preprocessing``,
    or another modality's prepared data."""
    summary: dict


def load_run(run_dir: str | Path, device: str = "auto") -> LoadedRun:
    """The config, newest intact checkpoint's model, tokenizer/preprocessing and summary of a run directory."""
    import json

    from rich.console import Console

    from pretrainlab import checkpoint as ckpt
    from pretrainlab.modalities import modality_of
    from pretrainlab.run_config import build_run_config
    from pretrainlab.runtime import pick_device

    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").exists():
        raise FileNotFoundError(f"{run_dir}: not a run directory (no config.yaml)")
    cfg = build_run_config(load_yaml(run_dir / "config.yaml"))
    summary = json.loads((run_dir / "summary.json").read_text()) if (run_dir / "summary.json").exists() else {}
    mod = modality_of(cfg)
    if hasattr(mod, "load_run"):
        model, inputs = mod.load_run(run_dir, device)
    else:  # any plug-in: prepare its data, build the task, load the weights
        dev = pick_device(device)
        inputs = mod.prepare(cfg, Path(summary.get("data_dir") or run_dir / "data"), Console(quiet=True))
        model = mod.build(cfg, inputs, dev)
        ckpt.load_weights(model, ckpt.resolve_checkpoint(run_dir))
    model.eval()
    return LoadedRun(run_dir, cfg, model, inputs, summary)
