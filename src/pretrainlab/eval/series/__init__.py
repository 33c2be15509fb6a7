"""Evaluation of series runs: direction accuracy and the long/short trading evaluation (direction.py,
trading.py), baselines no arm trains (baseline.py), and the pretraining tasks' own held-out scores
(pretext.py)."""
