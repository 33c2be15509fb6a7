"""Training callbacks, one concern per file."""

from pretrainlab.train.callbacks.base import Callback
from pretrainlab.train.callbacks.checkpointer import Checkpointer
from pretrainlab.train.callbacks.evaluator import PeriodicEval
from pretrainlab.train.callbacks.metrics_log import MetricsLogger
from pretrainlab.train.callbacks.mixture_log import MixtureLogger
from pretrainlab.train.callbacks.progress import ProgressBar

__all__ = ["Callback", "Checkpointer", "MetricsLogger", "MixtureLogger", "PeriodicEval", "ProgressBar"]
