"""Evaluation of latent runs: downstream ERM with and without the pretrained posterior (downstream.py) and
the quality of the latent-variable fit plus the Bayes risk (fit.py)."""

from pretrainlab.eval.latent.downstream import BASELINES, PIPELINES, downstream, downstream_keys
from pretrainlab.eval.latent.fit import cluster_accuracy, fit_metrics, slopes

__all__ = ["BASELINES", "PIPELINES", "cluster_accuracy", "downstream", "downstream_keys", "fit_metrics", "slopes"]
