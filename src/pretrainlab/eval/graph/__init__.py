"""Evaluation of graph backbones: per-task ROC-AUC (roc_auc.py), fine-tuning and linear heads on the
downstream scaffold split (finetune.py), and a same-seed scratch reference for negative transfer."""

from pretrainlab.eval.graph.finetune import FinetuneSettings, finetune, transfer_vs_reference
from pretrainlab.eval.graph.roc_auc import multitask_auc

__all__ = ["FinetuneSettings", "finetune", "multitask_auc", "transfer_vs_reference"]
