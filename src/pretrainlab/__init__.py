"""pretrainlab: controlled pretraining experiments — synthetic worlds, curation, pretraining, evaluation and
claims judged over seeds.

    import pretrainlab
    summary = pretrainlab.run("quickstart", out="runs/qs", size="tiny")
    loaded = pretrainlab.load_run("runs/qs")
    results, claims = pretrainlab.reproduce("rewarm", size="tiny")

``run``, ``reproduce``, ``load_run``, ``resolve_config`` (api.py) and ``Trainer`` (train/loop.py, for custom
loops) are imported on first use, so ``import pretrainlab`` stays light.
"""

from __future__ import annotations

from pretrainlab._version import __version__

_LAZY = {"run": "pretrainlab.run",  # the run/ package is callable: pretrainlab.run(...) is api.run(...)
         "reproduce": "pretrainlab.api", "load_run": "pretrainlab.api",
         "resolve_config": "pretrainlab.api", "resolve_experiment": "pretrainlab.api", "LoadedRun": "pretrainlab.api",
         "Trainer": "pretrainlab.train.loop", "TrainConfig": "pretrainlab.train.config"}
__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        return module if name == "run" else getattr(module, name)
    raise AttributeError(f"module 'pretrainlab' has no attribute {name!r}")
