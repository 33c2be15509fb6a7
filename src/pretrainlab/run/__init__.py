"""The run skeleton's shared pieces, one copy for every modality (issue 14, step 3).

``resume.py``: where a run starts (``start_state``: resume from its newest checkpoint, refuse a used
directory, or start fresh through the modality's hook) and ``trim_metrics``; ``RunError``.
``optimizer.py``: ``build_optimizer`` from the ``train:`` section. ``summary.py``: ``run_stats`` (the
trainer-state part of every summary) and ``finish`` (summary.json, generations, plots, report).

``execute.py``: ``execute(cfg, out, resume)``, the skeleton every modality runs through (imported as
``pretrainlab.run.execute``, not from here: it imports the modality plug-ins, which import these pieces).
Imports train, optim, checkpoint and eval/report; nothing imports ``run`` from below.
"""

import sys
import types

from pretrainlab.run.optimizer import build_optimizer
from pretrainlab.run.resume import RunError, start_state, trim_metrics
from pretrainlab.run.summary import finish, run_stats

__all__ = ["RunError", "build_optimizer", "finish", "run_stats", "start_state", "trim_metrics"]


class _CallableRun(types.ModuleType):
    """``pretrainlab.run`` is this package *and* the API's ``run``: importing a submodule of a package binds
    it as the package's attribute, which would shadow a function of the same name, so the package itself
    is callable and calls ``pretrainlab.api.run``."""

    def __call__(self, *args, **kwargs):
        from pretrainlab.api import run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableRun
