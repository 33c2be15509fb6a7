"""syne-cpt: "Towards Effective and Efficient Continual Pre-training of Large Language Models"
(Llama-3-SynE; Chen et al., ACL 2025, arXiv 2407.18743).

Mechanism: continued pretraining (CPT) of an English-centric base model on a second language. Stage 1
(bilingual adaptation) mixes new-language : English replay = 2 : 8; stage 2 (synthetic enhancement)
adds synthesised QA data, new : English : synthetic = 1 : 7 : 2.

Here: language A = the world's English prose (story, encyclopedia, dialog); language B = Zorbish,
the world's synthetic language (lexicon bijection + noun-adjective order, ``worlds/text/languages``)
over the same facts (``lang_zorbish``: stories and bios translated). Synthetic QA = the world's fact
QA lines in English (``qa``) and in Zorbish (``qa_zorbish``, ``TextWorldConfig.translated``). The base
model is pretrained on A only, without QA (run once per seed, shared by every arm); every CPT arm then
runs the same number of steps from it with a re-warmed cosine schedule, only ``data.weights`` (or
``data.stages``) differ:

* ``base``: no CPT (0 steps; evaluates the base checkpoint);
* ``b-only``: B only (no replay); ``replay-5:5`` and ``replay-2:8``: B : A replay;
* ``syne-2stage``: the paper's recipe: first half 2 : 8, second half B : A : QA = 1 : 7 : 2 (QA split
  evenly between English and Zorbish).

Claims (METHODS-1 #9; abstract: CPT "significantly enhances the Chinese language ability and
scientific reasoning ability ... without hurting the original capacities"):

* primary **2:8 replay keeps A near base** -- non-inferiority (TOST, alpha 0.05) of the val loss on
  language A (``val/loss/lang_a``, the val split of English prose): ``replay-2:8`` at most
  ``MARGIN_A`` nats above ``base``. Requires the premise **2:8 replay lowers B loss**
  (``val/loss/lang_zorbish`` below base): keeping A is only informative when CPT actually moved the
  model to B (an arm that learned nothing would keep A trivially).
* primary **synthetic QA raises QA in A** -- English fact QA on *held-out people*
  (``eval/fact_qa/test_people``, 5-way multiple choice, chance 0.2): ``syne-2stage`` > ``replay-2:8``.
  Not true by construction: the QA documents ``syne-2stage`` trains on are about train people only;
  a test person's facts appear in no QA line in any language, only in bios (English and Zorbish), which
  every arm (and the base) sees alike. What QA training can add is the *ability* to answer questions
  from knowledge read in bios, which is the paper's point (its benchmarks are not its synthetic QA).
* secondary **synthetic QA raises QA in B** -- the same on held-out people in Zorbish
  (``eval/zorbish/fact_qa/test_people``: the ``fact_qa`` items translated, ``worlds/text/langevals``;
  chance 0.2).
* secondary **B-only CPT forgets language A** (A val loss of ``b-only`` above ``base``) and **more
  replay forgets less** (A val loss decreasing over b-only, 5:5, 2:8).

An earlier version judged QA on ``eval/fact_qa/train_people`` (exactly the facts whose QA lines
``syne-2stage`` trains on) and ``val/loss/qa_zorbish`` (val QA documents about the same train-people
facts): true by construction, replaced by the held-out-people sets above. It also compared "B-only
forgets A" with ``replay-2:8``; forgetting is now measured against ``base``, as the paper states it.
Held-out-people QA needs a model that extracts knowledge from bios; the archived tiny runs were near
chance even on trained facts (0.26-0.28), so a tiny verdict of *no signal* (no arm above chance + 2 SE)
is expected; full size is the real test.

Margin of "keeps A near base" (pre-registered here, before the runs this version is judged on):
``MARGIN_A = ln(1.05)`` = 0.049 nats, i.e. A perplexity at most 5% above the base's. A 5% perplexity
rise is a small, scale-free degradation (the paper counts small benchmark drops as "without hurting");
it is about 2-6 seed SDs at full size (archived 2-seed runs: SD 0.01-0.03 nats) so 5 seeds can show it,
and below the tiny seed SD (0.07-0.08), where the claim relies on the difference being far from the
margin. History, stated so a reader can weigh it: the claim was first an *equivalence* test
(|diff| < 0.15); on the first tiny run A loss *fell* 0.91 below base (a small base is not converged and
80% of CPT is A), the equivalence failed, and an earlier session switched it to non-inferiority with
the same 0.15 margin and re-judged the same runs -- that switch and margin were chosen post hoc. The
non-inferiority form is kept (the paper's claim is "not hurting", one-sided) but its margin is now the
5% rule above. The archived runs (seeds 0 and 1) already showed 2:8 below base at both sizes, so at
these sizes this claim is not a blind test; a stricter reference (an A-only continuation of the same
length instead of the unconverged base) is not coded.

The paper measures QA exact match; a tiny model's greedy EM is ~0, so QA is multiple choice by answer
log-prob. The paper's topic-dynamic mixture and perplexity curriculum are not reproduced (no topic
classifier in the world).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pretrainlab.experiments.claims import claim, greater, less
from pretrainlab.recipes import quickstart
from pretrainlab.recipes.common import seeds, size_of

NAME = "syne-cpt"
PAPER = ("Towards Effective and Efficient Continual Pre-training of Large Language Models "
         "(Llama-3-SynE, arXiv 2407.18743)")
CLAIMS = ["2:8 replay keeps A near base", "synthetic QA raises QA in A", "synthetic QA raises QA in B",
          "B-only CPT forgets language A", "more replay forgets less", "2:8 replay lowers B loss"]
STATUS = "partly holds"

LANG = "zorbish"
A = ["story", "encyclopedia", "dialog"]
B = f"lang_{LANG}"
QA = ["qa", f"qa_{LANG}"]

MARGIN_A = math.log(1.05)  # A loss at most 5% perplexity above base (see the module docstring)
CHANCE = 0.2  # 5-way multiple choice



@dataclass(frozen=True)
class Size:
    pt_steps: int
    """Pretraining steps (language A only)."""
    cpt_steps: int
    """Continued-pretraining steps of each arm."""
    lr: float
    qa_items: int
    """QA items per group (held-out people), generated and scored."""


SIZES = {
    "tiny": Size(pt_steps=80, cpt_steps=60, lr=3e-3, qa_items=100),
    "full": Size(pt_steps=300, cpt_steps=120, lr=3e-3, qa_items=150),
}


def mix(b: float, a: float, qa: float = 0.0) -> dict[str, float]:
    """``data.weights`` for new language : English replay : synthetic QA = b : a : qa."""
    out = {B: b} | {d: a / len(A) for d in A}
    return out | ({d: qa / len(QA) for d in QA} if qa > 0 else {})


def experiment(size: str = "full") -> dict:
    s = size_of(SIZES, size, NAME)
    pt_steps, cpt_steps, lr = s.pt_steps, s.cpt_steps, s.lr
    base = quickstart.config(size)
    base["name"] = "syne-cpt"
    base["data"]["world"].update({
        "mix": {"story": 0.3, "encyclopedia": 0.35, "dialog": 0.15, "qa": 0.2},
        "languages": [LANG], "language_frac": 0.3, "translated": {"qa": 0.1}, "qa_eval_per_group": s.qa_items})
    base["eval"].update({"groups": {"lang_a": A}, "arithmetic": False, "generations": 0, "max_items": s.qa_items})
    pretrain = {"name": "pretrain", "overrides": {
        "data.weights": {d: 1.0 for d in A}, "train.steps": pt_steps, "train.lr": lr,
        "train.schedule": "cosine", "train.warmup_steps": max(2, pt_steps // 20), "train.eval_every": 0}}

    def cpt(weights: dict | None = None, stages: list | None = None, steps: int = cpt_steps) -> dict:
        data = {"data.weights": weights} if weights else {"data.stages": stages}
        return {"stages": [pretrain, {"name": "cpt", "init_from": "pretrain", "overrides": {
            **data, "train.steps": steps, "train.lr": lr, "train.schedule": "cosine",
            "train.warmup_steps": max(1, steps // 20), "train.eval_every": 0}}]}

    half = cpt_steps // 2
    arms = {
        "base": {"description": "no continued pretraining (evaluates the base model)",
                 **cpt(mix(0.2, 0.8), steps=0)},
        "b-only": {"description": "CPT on language B only", **cpt(mix(1.0, 0.0))},
        "replay-5:5": {"description": "B : A replay = 5 : 5", **cpt(mix(0.5, 0.5))},
        "replay-2:8": {"description": "B : A replay = 2 : 8 (SynE stage 1)", **cpt(mix(0.2, 0.8))},
        "syne-2stage": {"description": "2 : 8, then B : A : synthetic QA = 1 : 7 : 2 (SynE stages 1+2)",
                        **cpt(stages=[{"weights": mix(0.2, 0.8), "until_step": half},
                                      {"weights": mix(0.1, 0.7, 0.2)}])},
    }
    lang_qa = f"eval/{LANG}/fact_qa/test_people"
    claims = [
        claim("2:8 replay keeps A near base", "noninferior", "val/loss/lang_a", ["replay-2:8", "base"],
              "with zh:en = 2:8 the English ability is kept (here: A perplexity at most 5% above base)",
              better="lower", margin=MARGIN_A, role="primary", requires=["2:8 replay lowers B loss"]),
        greater("synthetic QA raises QA in A", "syne-2stage", "replay-2:8", "eval/fact_qa/test_people",
                "synthetic QA data (stage 2) raises QA / scientific reasoning (English; held-out people)",
                chance=CHANCE, role="primary"),
        greater("synthetic QA raises QA in B", "syne-2stage", "replay-2:8", lang_qa,
                "synthetic QA data (stage 2) raises QA performance (new language; held-out people)", chance=CHANCE),
        greater("B-only CPT forgets language A", "b-only", "base", "val/loss/lang_a",
                "CPT on the new language alone degrades the original language"),
        claim("more replay forgets less", "monotonic_decreasing", "val/loss/lang_a",
              ["b-only", "replay-5:5", "replay-2:8"], "replaying the original corpus counters catastrophic forgetting"),
        less("2:8 replay lowers B loss", "replay-2:8", "base", f"val/loss/{B}",
             "bilingual CPT improves the new language (premise of 'keeps A near base')", role="premise"),
    ]
    return {"name": f"syne-cpt-{size}", "paper": PAPER, "base": base, "arms": arms,
            "seeds": seeds(size), "stages": [pretrain], "claims": claims,
            "metrics": ["val/loss/lang_a", f"val/loss/{B}", "eval/fact_qa/test_people", lang_qa,
                        "eval/fact_qa/train_people", f"eval/{LANG}/fact_qa/train_people"]}
