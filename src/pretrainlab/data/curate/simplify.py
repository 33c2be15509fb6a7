"""``simplify``: re-render each document with one of the synthetic world's rewriters.

Wraps ``pretrainlab.worlds.text.rewrite.REWRITERS[rewriter]``, a factory called with a
``TextWorld`` (and ``params``) that returns a ``doc -> doc`` rewriter; "simplify" removes noise
lines, repairs typos and maps rare words to a small core lexicon in prose docs (see that module).
The world is rebuilt from ``world``: a ``world.json`` written by ``pretrainlab data synth`` (or the
folder holding it), so the rewriter sees the same vocabulary as the corpus; without it the default
``TextWorldConfig`` is used. A changed text counts as modified with reason ``simplified``.

Versions of the world without ``rewrite.REWRITERS`` make building the step fail with a clear error,
before any data is read.
"""

from __future__ import annotations

import difflib
import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pretrainlab.config import ConfigError, from_dict
from pretrainlab.data.curate.base import Step, StepConfig, StepStats

REWRITE_MODULE = "pretrainlab.worlds.text.rewrite"


@dataclass
class SimplifyConfig(StepConfig):
    rewriter: str = "simplify"
    """Name of a factory in ``REWRITERS``."""
    world: str | None = None
    """``world.json`` of the corpus (or its folder); None: the default world config."""
    params: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments for the factory (e.g. ``core_size: 30``)."""

    def validate(self) -> None:
        if self.world is not None and not _manifest(self.world).is_file():
            raise ConfigError(f"simplify.world: no world.json at {self.world!r} (write one with "
                              "pretrainlab data synth --out DIR)")


def _manifest(path: str) -> Path:
    p = Path(path)
    return p / "world.json" if p.is_dir() else p


def load_factory(name: str):
    try:
        rewriters = importlib.import_module(REWRITE_MODULE).REWRITERS
    except (ImportError, AttributeError):
        raise ConfigError(f"simplify needs {REWRITE_MODULE}.REWRITERS, which this version of the "
                          "synthetic world does not have; remove the step") from None
    if name not in rewriters:
        close = difflib.get_close_matches(name, list(rewriters), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"valid: {', '.join(sorted(rewriters))}"
        raise ConfigError(f"simplify.rewriter: unknown rewriter {name!r} ({hint})")
    return rewriters[name]


def load_world(path: str | None):
    from pretrainlab.worlds.text import TextWorld, TextWorldConfig

    if path is None:
        return TextWorld(TextWorldConfig())
    data = json.loads(_manifest(path).read_text(encoding="utf-8"))
    return TextWorld(from_dict(TextWorldConfig, data["config"], prefix="world"))


class Simplify(Step):
    """Apply a world rewriter to every document."""

    name = "simplify"
    Config = SimplifyConfig
    target = None

    def __init__(self, cfg: SimplifyConfig | None = None):
        super().__init__(cfg)
        factory = load_factory(self.cfg.rewriter)
        self.cfg.validate()
        self.fn = factory(load_world(self.cfg.world), **self.cfg.params)

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        new = self.fn({"text": doc["text"], "meta": doc["meta"]})["text"]
        if new != doc["text"]:
            stats.modify("simplified")
            doc["text"] = new
        return None if new.strip() else "empty_after_simplify"
