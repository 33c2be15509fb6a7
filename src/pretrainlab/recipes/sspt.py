"""sspt: "Pre-training Time Series Models with Stock Data Customization" (SSPT; code:
astudentuser/Pre-training-Time-Series-Models-with-Stock-Data-Customization), METHODS-2 #28.

Mechanism: a 2-layer transformer over 32-day windows of a stock's prices and moving averages is pretrained
on tasks built from the stock data itself, stock-code classification, sector classification and
moving-average prediction, then fine-tuned for stock selection (predict the next move, rank the stocks,
hold the top k). The paper reports cumulative return (IRR) and Sharpe ratio against no pretraining and
the market.

Here (modality ``series``): each seed is another seeded market (worlds/series/market.py: 30 stocks, 6
sectors, 5 years of 252 days; a random-walk market, sector factors, crash and sector shocks, jumps, per-stock
betas; learnable structure: a delayed reaction to the market, sector-specific momentum or mean reversion,
slow trends). Periods: train = years 1-3 (pretraining and fine-tuning windows; pretraining only adds
tasks, as in the paper), val = year 4, test = year 5; no target ever crosses into a later period. Arms:

* ``scratch``: direction fine-tuning only (no pretraining);
* ``ma``: pretrain with moving-average prediction (5/10/20-day), then fine-tune;
* ``identity``: pretrain with stock-code + sector classification, then fine-tune;
* ``both``: pretrain with all three tasks (weights 1), then fine-tune (SSPT).

Every fine-tune has the same steps, learning rate and data; a pretrained arm's heads are dropped and its
encoder initialises the fine-tune (``init_from``). Evaluation on the test year only: direction accuracy and
a daily long/short strategy (long the 5 highest-scored stocks, short the 5 lowest, 5 bp per unit traded)
with annualised return, Sharpe and max drawdown, against equal-weight buy-and-hold (the market).

Claims (declared before any run; Sharpe is the paper's headline metric, with IRR):

* primary ``SSPT beats scratch (Sharpe)``: both > scratch on test Sharpe (greater, min_effect 0);
* secondary: both > scratch on test annual return and on test direction accuracy (chance 0.5); each task
  alone > scratch on Sharpe (``ma``, ``identity``); SSPT beats the market: Sharpe minus market Sharpe and
  annual return minus market annual return above 0;
* premise ``the world is predictable``: a pooled logistic regression on the same windows (no arm trains it;
  eval/series/baseline.py) beats 0.5 test direction accuracy; every claim above requires it;
* sanity ``oracle above chance``: the generator's true conditional mean predicts the test direction above
  0.5 (a design check of the world, not a reproduction).

Deviations: prices are simulated, not CSI/SSE data; the inputs are per-series normalised returns, market
return and price-to-MA gaps (not prices divided by the window's maximum); the strategy is long/short rather
than long-only top-k; the paper's probe of the embeddings for sigma/mu is not built.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.recipes.common import seeds, size_of

NAME = "sspt"
PAPER = "Pre-training Time Series Models with Stock Data Customization (SSPT)"
CLAIMS = ["SSPT pretraining (MA + stock + sector tasks) beats no pretraining on test Sharpe (primary)",
          "each pretraining task alone beats no pretraining; SSPT beats the equal-weight market"]
STATUS = "not testable"

@dataclass(frozen=True)
class Size:
    preset: str
    """Series transformer preset (models/series_transformer.py)."""
    batch: int
    pre_steps: int
    """Pretraining steps (each pretraining arm)."""
    ft_steps: int
    """Fine-tuning steps (every arm, direction task)."""
    pre_lr: float
    ft_lr: float


SIZES = {
    "tiny": Size("tiny", 32, 300, 200, 2e-3, 1e-3),
    "full": Size("small", 64, 1000, 400, 2e-3, 1e-3),
}
CHANCE = 0.5
"""Up/down: the floor of direction accuracy."""
TASKS = {"ma": {"ma": 1.0}, "identity": {"stock": 1.0, "sector": 1.0},
         "both": {"ma": 1.0, "stock": 1.0, "sector": 1.0}}
"""Pretraining task weights per arm (objective.<task>)."""


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    preset, batch, pre_steps, ft_steps, pre_lr, ft_lr = s.preset, s.batch, s.pre_steps, s.ft_steps, s.pre_lr, s.ft_lr
    base = {
        "name": "sspt", "modality": "series",
        "data": {"world": {"kind": "market", "n_stocks": 30, "n_sectors": 6, "n_days": 1260, "train_frac": 0.6,
                           "val_frac": 0.2},
                 "window": 32, "period": "train", "ma_horizons": [5, 10, 20]},
        "model": {"preset": preset},
        "objective": {"direction": 1.0},
        "train": {"steps": ft_steps, "batch_size": batch, "lr": ft_lr, "warmup_steps": max(2, ft_steps // 20),
                  "weight_decay": 0.05, "dtype": "fp32", "log_every": max(1, ft_steps // 10), "ckpt_every": 0,
                  "eval_every": 0},
        "eval": {"top_k": 5, "cost": 0.0005},
    }
    finetune = {"name": "finetune", "init_from": "pretrain"}

    def pretrain(tasks: dict) -> dict:
        return {"name": "pretrain", "overrides": {
            "data.period": "pretrain", "objective.direction": 0.0, **{f"objective.{k}": w for k, w in tasks.items()},
            "train.steps": pre_steps, "train.lr": pre_lr, "train.warmup_steps": max(2, pre_steps // 20),
            "train.log_every": max(1, pre_steps // 10)}}

    arms = {"scratch": {"description": "direction fine-tuning only (no pretraining)",
                        "stages": [{"name": "finetune"}]}}
    for arm, tasks in TASKS.items():
        arms[arm] = {"description": f"pretrain ({' + '.join(tasks)}), then fine-tune", "stages": [pretrain(tasks),
                                                                                                 finetune]}
    sharpe, irr, acc = "eval/trading/sharpe", "eval/trading/annual_return", "eval/direction/accuracy"
    headline = "pretrained SSPT gets higher IRR and Sharpe than no pretraining and the market"
    predictable = "the world is predictable: a pooled linear model beats chance on test direction"
    req = {"requires": [predictable]}

    def greater(name: str, a: str, b: str, metric: str, paper: str, **extra) -> dict:
        return {"name": name, "kind": "greater", "metric": metric, "arms": [a, b], "paper": paper, **req, **extra}

    def above(name: str, arm: str, metric: str, value: float, paper: str, **extra) -> dict:
        return {"name": name, "kind": "above", "metric": metric, "arms": [arm], "value": value, "paper": paper,
                **extra}

    claims = [
        greater("SSPT beats scratch (Sharpe)", "both", "scratch", sharpe, headline, role="primary"),
        greater("SSPT beats scratch (annual return)", "both", "scratch", irr, headline),
        greater("SSPT beats scratch (direction accuracy)", "both", "scratch", acc,
                "pretraining improves next-move prediction", chance=CHANCE),
        greater("MA pretraining alone beats scratch (Sharpe)", "ma", "scratch", sharpe,
                "each pretraining task helps"),
        greater("identity pretraining alone beats scratch (Sharpe)", "identity", "scratch", sharpe,
                "each pretraining task helps"),
        above("SSPT beats the market (Sharpe)", "both", "eval/trading/sharpe_vs_market", 0.0, headline, **req),
        above("SSPT beats the market (annual return)", "both", "eval/trading/return_vs_market", 0.0, headline,
              **req),
        above(predictable, "scratch", "eval/baseline/linear_accuracy", CHANCE,
              "(design) stock moves are partly predictable from their history", role="premise", chance=CHANCE),
        above("oracle above chance", "scratch", "eval/baseline/oracle_accuracy", CHANCE,
              "(design) the simulator's conditional mean predicts the next move", role="sanity"),
    ]
    return {"name": f"sspt-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "stages": [{"name": "finetune"}], "claims": claims, "metrics": [sharpe, irr, acc]}
