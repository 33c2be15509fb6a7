"""Objectives: one per file. Registry: name -> class."""

from pretrainlab.objectives.causal_lm import CausalLM, causal_lm_loss

OBJECTIVES = {"causal_lm": CausalLM}

__all__ = ["OBJECTIVES", "CausalLM", "causal_lm_loss"]
