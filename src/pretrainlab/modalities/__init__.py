"""Modalities: ``MODALITIES``, a ``Registry("modality")`` of the plug-ins the run skeleton runs.

A run config picks its modality with the top-level ``modality`` key (default ``text``);
``run_config.build_run_config`` builds the plug-in's ``Config`` and run/execute.py asks the plug-in
(``modality_of(cfg)``) everything that differs between kinds of run. The protocol is in base.py
(``Modality``); docs/architecture.md, "How to add a modality", walks through a new one.
"""

from __future__ import annotations

from pretrainlab.modalities.base import Modality, RunContext
from pretrainlab.modalities.graph import GraphModality
from pretrainlab.modalities.image import ImageModality
from pretrainlab.modalities.latent import LatentModality
from pretrainlab.modalities.series import SeriesModality
from pretrainlab.modalities.table import TableModality
from pretrainlab.modalities.text import TextModality
from pretrainlab.registry import Registry

MODALITIES: Registry[type] = Registry("modality")
MODALITIES.add("text", TextModality)
MODALITIES.add("image", ImageModality)
MODALITIES.add("graph", GraphModality)
MODALITIES.add("latent", LatentModality)
MODALITIES.add("series", SeriesModality)
MODALITIES.add("table", TableModality)


def modality_of(cfg) -> Modality:
    """A fresh plug-in instance for a run config (the modality whose ``Config`` built it)."""
    for cls in MODALITIES.values():
        if type(cfg) is cls.Config:
            return cls()
    raise TypeError(f"{type(cfg).__name__} is no modality's config; registered: {MODALITIES.names()}")


def modality_of_run(run_dir) -> Modality:
    """The plug-in of a run directory (its config.yaml's ``modality``, default ``text``)."""
    from pathlib import Path

    from pretrainlab.config import load_yaml

    path = Path(run_dir) / "config.yaml"
    name = load_yaml(path).get("modality", "text") if path.exists() else "text"
    return MODALITIES.get(name)()


def metric_names(cfg) -> set[str]:
    """Every key a run with config ``cfg`` writes to summary.json (claims are checked before anything runs)."""
    return modality_of(cfg).metric_names(cfg)


__all__ = ["MODALITIES", "Modality", "RunContext", "metric_names", "modality_of", "modality_of_run"]
