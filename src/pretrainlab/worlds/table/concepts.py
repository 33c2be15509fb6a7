"""The shared vocabulary of the table world: concepts, their column names (with synonyms) and categories.

Every table of the world draws its columns from these concepts, so knowledge transfers across tables:
``income`` may be called "income", "annual income" or "salary", but it is the same function of the
same latent row vector everywhere. A concept is

* ``numeric``: a unit (mean, scale), a shape ``f`` and an integer flag; value ``mean + scale * f(s)``,
* ``categorical``: its category words (one token each), value the argmax of prototype logits,
* ``binary`` (a categorical with words ``no``/``yes``): the downstream targets; it is also an ordinary
  column of pretraining tables (as "churned" or "defaulted" columns recur across real datasets).

The latent parameters (loadings, prototypes, interactions) are not here: ``generate.concept_params``
draws them from the world seed, so two worlds with different seeds share names but not relations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    key: str
    kind: str  # numeric | categorical | binary
    names: tuple[str, ...]
    """Column names (synonyms); tables pick one at random."""
    categories: tuple[str, ...] = ()
    mean: float = 0.0
    scale: float = 1.0
    shape: str = "linear"  # linear | exp | tanh | square
    integer: bool = False
    low: float | None = None


def _num(key, names, mean, scale, shape="linear", integer=False, low=None) -> Concept:
    return Concept(key, "numeric", tuple(names), (), mean, scale, shape, integer, low)


def _cat(key, names, categories) -> Concept:
    return Concept(key, "categorical", tuple(names), tuple(categories))


def _bin(key, names) -> Concept:
    return Concept(key, "binary", tuple(names), ("no", "yes"))


CONCEPTS: tuple[Concept, ...] = (
    _num("age", ["age", "age years", "years old"], 42, 12, integer=True, low=18),
    _num("income", ["income", "annual income", "salary", "yearly earnings"], 10.6, 0.5, "exp"),
    _num("height", ["height", "height cm", "stature"], 170, 9),
    _num("weight", ["weight", "weight kg", "body mass"], 75, 13),
    _num("blood_pressure", ["blood pressure", "systolic pressure", "bp"], 125, 15, "tanh"),
    _num("cholesterol", ["cholesterol", "serum cholesterol", "chol level"], 200, 35, "square"),
    _num("tenure", ["tenure", "years as customer", "membership years"], 5, 3, "tanh", integer=True, low=0),
    _num("hours", ["hours per week", "weekly hours", "work hours"], 38, 8, integer=True, low=0),
    _num("children", ["children", "number of children", "kids"], 1.5, 1.2, "square", integer=True, low=0),
    _num("credit_score", ["credit score", "credit rating", "fico score"], 680, 60, "tanh", integer=True),
    _num("debt", ["debt", "total debt", "outstanding balance"], 8.5, 0.8, "exp"),
    _num("savings", ["savings", "account balance", "deposits"], 8.8, 0.9, "exp"),
    _num("bmi", ["bmi", "body mass index"], 26, 4, "square"),
    _num("sleep", ["sleep hours", "hours of sleep", "nightly sleep"], 7, 1.1, "tanh"),
    _num("visits", ["visits", "number of visits", "site visits"], 1.2, 0.7, "exp", integer=True, low=0),
    _num("spend", ["spend", "monthly spend", "purchase amount"], 4.5, 0.6, "exp"),
    _num("distance", ["distance", "commute distance", "distance km"], 15, 8, "square", low=0),
    _num("rating", ["rating", "satisfaction", "review score"], 3.5, 0.9, "tanh"),
    _cat("region", ["region", "area", "district"], ["north", "south", "east", "west", "central"]),
    _cat("education", ["education", "education level", "schooling"],
         ["primary", "secondary", "bachelor", "master", "doctorate"]),
    _cat("occupation", ["occupation", "job", "profession"],
         ["clerk", "engineer", "teacher", "nurse", "farmer", "manager"]),
    _cat("marital", ["marital status", "civil status", "married"], ["single", "married", "divorced", "widowed"]),
    _cat("housing", ["housing", "home ownership", "residence type"], ["rent", "own", "mortgage"]),
    _cat("plan", ["plan", "subscription tier", "contract type"], ["basic", "standard", "premium"]),
    _cat("channel", ["channel", "sales channel", "signup source"], ["online", "store", "phone"]),
    _cat("vehicle", ["vehicle", "transport mode", "commute mode"], ["car", "bike", "bus", "walk"]),
    _bin("smoker", ["smoker", "smokes", "tobacco use"]),
    _bin("churn", ["churn", "churned", "left service"]),
    _bin("default", ["default", "loan default", "defaulted"]),
    _bin("diabetic", ["diabetes", "diabetic", "has diabetes"]),
    _bin("purchase", ["purchased", "bought product", "converted"]),
    _bin("approved", ["approved", "application approved", "accepted"]),
)
"""Every concept of the world, in a fixed order (concept ids are indices into this tuple)."""

SPECIALS = ("[PAD]", "[UNK]", "[MASK]", "[MISSING]")
PAD, UNK, MASK, MISSING = range(4)


def binary_concepts() -> list[int]:
    """Ids of the concepts a downstream table may have as its target."""
    return [i for i, c in enumerate(CONCEPTS) if c.kind == "binary"]


def world_words() -> list[str]:
    """The word-level vocabulary of the world (specials first): column-name words, then category words."""
    words: list[str] = list(SPECIALS)
    seen = set(words)
    for c in CONCEPTS:
        for w in [t for n in c.names for t in n.split()] + list(c.categories):
            if w not in seen:
                seen.add(w)
                words.append(w)
    return words
