"""provable-unsup: "On the Provable Advantage of Unsupervised Pretraining" (Ge, Tang, Fan, Jin; ICLR 2024,
arXiv 2303.01566), METHODS-2 #35.

Mechanism: fit a latent-variable model Phi by maximum likelihood on m unlabeled points, use the posterior
phi(x) = p(z | x) as the representation, then run ERM of a simple class Psi on n labeled points. Theory:
excess risk O(C_Phi / m + C_Psi / n) for the pipeline versus O(C_{Phi o Psi} / n) for supervised learning
alone, so when m >> n the pretrained pipeline wins, most at small n.

Here (modality ``latent``): the world is a Gaussian mixture in d = 20 with K = 8 diagonal components and a
binary label y = g(z) flipped with probability 0.1 (worlds/latent/gmm.py); each seed draws a *new* world
(means, variances, label map) and its samples. Phi is a diagonal GMM with K = 8 fitted by minimising the
mean NLL with Adam in the one training loop after k-means++ seeding (MLE; objectives/gmm_nll.py). The
downstream evaluation (eval/latent/downstream.py) fits, for each n, logistic regression on phi(x)
(``pretrained``) and two supervised-only baselines on raw x (logistic regression, a one-hidden-layer MLP),
averaged over independent labeled draws, and scores all of them on a held-out test set that no fit saw.

Arms = the unlabeled pool size m (``data.world.n_unlabeled``): ``m100`` (m comparable to n), ``m1000``,
``m10000`` (and ``m100000`` at full size). The pools are nested (the m = 100 pool is the first 100 points
of the larger ones) and, within a seed, every arm sees the same world, labeled draws and test set, so arms
are paired by seed. The n sweep lives inside each run, so that every n shares one fitted Phi and one test set.

Claims (pre-registered; risks are 0-1 test errors; ``gap`` = supervised-only minus pretrained, where
supervised-only is the better of the two raw baselines *picked on the test set*, an oracle choice that
favours the baseline side, so the gap is conservative):

* premise ``the MLE fit recovers the components``: the posterior's clustering accuracy on the test set
  (best one-to-one matching to the true components) is above 0.8 at the largest m (chance about 1/8; the
  true model's own accuracy is about 0.95 at separation 5). The primary and the gap claim require it: they
  are about a pipeline whose Phi is (close to) the true model.
* primary ``with m >> n the pretrained pipeline beats supervised-only at n = 10``: ``eval/gap/n10/error``
  above 0.05 (five error points, "much lower") at the largest m;
* secondary ``the gap closes as n grows``: ``eval/gap/closing/error`` = gap(n = 10) - gap(n = 1000) above 0
  at the largest m (the same run, the same test set);
* secondary ``more unlabeled data lowers the pretrained risk``: ``eval/pretrained/n1000/error`` lower at
  the largest m than at m = 100 (at large n the C_Phi / m term dominates), min_effect 0.

Reported, not judged: every pipeline's error and logistic risk at each n, the Bayes risk of the true model,
the held-out NLL excess of the fit over the true model, and the log-log slopes of the excess logistic risk
against n (``eval/<pipeline>/slope_n``; the paper's slope plots). The factor-model variant is not built.
"""

from __future__ import annotations

from dataclasses import dataclass

from pretrainlab.recipes.common import seeds, size_of

NAME = "provable-unsup"
PAPER = "On the Provable Advantage of Unsupervised Pretraining (Ge, Tang, Fan, Jin; ICLR 2024, arXiv 2303.01566)"
CLAIMS = ["with m >> n the MLE-pretrained pipeline beats supervised-only at small n (primary)",
          "the gap closes as n grows", "more unlabeled data lowers the pretrained risk"]
STATUS = "inconclusive"


@dataclass(frozen=True)
class Size:
    ms: tuple[int, ...]
    """Unlabeled pool sizes, one arm each (the first is the small-m arm, the last the large-m arm)."""
    n_labeled: tuple[int, ...]
    """Downstream sizes n swept inside each run."""
    label_draws: int
    """Independent labeled draws averaged per n."""
    n_test: int
    steps: int
    batch_size: int


SIZES = {
    "tiny": Size(ms=(100, 1000, 10000), n_labeled=(10, 100, 1000), label_draws=3, n_test=10000, steps=300,
                 batch_size=512),
    "full": Size(ms=(100, 1000, 10000, 100000), n_labeled=(10, 30, 100, 300, 1000), label_draws=10, n_test=20000,
                 steps=600, batch_size=1024),
}
COMPONENTS = 8
PREMISE = "the MLE fit recovers the components"


def arm(m: int) -> str:
    return f"m{m}"


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    world = {"kind": "gmm", "dim": 20, "components": COMPONENTS, "classes": 2, "separation": 5.0,
             "label_noise": 0.1, "n_unlabeled": s.ms[-1], "n_labeled": max(s.n_labeled),
             "label_draws": s.label_draws, "n_test": s.n_test}
    base = {
        "name": "provable-unsup", "modality": "latent",
        "data": {"world": world},
        "model": {"components": COMPONENTS, "min_var": 1e-2, "init": "kmeans++"},
        "objective": {"name": "gmm_nll"},
        "train": {"steps": s.steps, "batch_size": s.batch_size, "lr": 2e-2, "weight_decay": 0.0,
                  "warmup_steps": 10, "schedule": "cosine", "log_every": max(1, s.steps // 10), "ckpt_every": 0,
                  "eval_every": 0, "dtype": "fp32"},
        "eval": {"n_labeled": list(s.n_labeled), "c": 1.0, "mlp_hidden": 64},
    }
    arms = {arm(m): {"description": f"MLE GMM on m={m} unlabeled points, then ERM at n in {list(s.n_labeled)}",
                     "overrides": {"data.world.n_unlabeled": m}} for m in s.ms}
    small, large = arm(s.ms[0]), arm(s.ms[-1])
    n_lo, n_hi = min(s.n_labeled), max(s.n_labeled)
    claims = [
        {"name": PREMISE, "kind": "above", "metric": "eval/gmm/cluster_acc", "arms": [large], "value": 0.8,
         "chance": 1.0 / COMPONENTS, "role": "premise",
         "paper": "the analysis assumes the MLE recovers the latent-variable model (Phi)"},
        {"name": f"with m >> n the pretrained pipeline beats supervised-only at n={n_lo}", "kind": "above",
         "metric": f"eval/gap/n{n_lo}/error", "arms": [large], "value": 0.05, "role": "primary",
         "requires": [PREMISE],
         "paper": "when m >> n, the pretrained pipeline's test risk is much lower than supervised learning's"},
        {"name": "the gap closes as n grows", "kind": "above", "metric": "eval/gap/closing/error", "arms": [large],
         "value": 0.0, "requires": [PREMISE],
         "paper": f"the gap closes as n grows (here gap at n={n_lo} minus gap at n={n_hi})"},
        {"name": "more unlabeled data lowers the pretrained risk", "kind": "less",
         "metric": f"eval/pretrained/n{n_hi}/error", "arms": [large, small],
         "paper": "excess risk O(C_Phi/m + C_Psi/n): at large n the m term dominates"},
    ]
    metrics = [f"eval/{p}/n{n}/error" for p in ("pretrained", "raw_logreg", "raw_mlp") for n in s.n_labeled]
    metrics += ["eval/bayes/error", "eval/gmm/nll_excess", "eval/pretrained/slope_n", "eval/supervised/slope_n"]
    return {"name": f"provable-unsup-{size}", "paper": PAPER, "base": base, "arms": arms, "seeds": seeds(size),
            "claims": claims, "metrics": metrics}
