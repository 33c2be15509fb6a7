"""``normalize``: Unicode normalization and whitespace cleanup (modifies documents, never drops).

* Unicode form ``NFC`` (default; canonical composition only) or ``NFKC`` (also folds compatibility
  characters: full-width letters, ligatures, non-breaking spaces).
* Removes zero-width and other invisible format characters (U+200B..U+200D, U+2060, U+FEFF) and
  control characters other than tab and newline.
* Line endings become ``\\n``; trailing spaces of each line and of the document are stripped;
  three or more newlines collapse to two (one blank line). Leading indentation is kept, so code
  stays valid. ``collapse_spaces: true`` also squeezes runs of spaces *inside* lines.

Modification reasons: ``unicode``, ``invisible_chars``, ``whitespace``. A document that is empty
afterwards is dropped with reason ``empty_after_normalize``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pretrainlab.data.curate.base import Step, StepConfig, StepStats

_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRAILING = re.compile(r"[ \t]+(?=\n|$)")
_BLANKS = re.compile(r"\n{3,}")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")


@dataclass
class NormalizeConfig(StepConfig):
    form: Literal["NFC", "NFKC", "none"] = "NFC"
    """Unicode normalization form (``none`` to skip)."""
    remove_invisible: bool = True
    """Delete zero-width and control characters."""
    collapse_spaces: bool = False
    """Squeeze runs of spaces/tabs inside lines to one space (leading indentation is kept)."""


class Normalize(Step):
    """Normalize Unicode and whitespace.

    Examples:
        >>> doc = {"text": "ﬁne  day\\u200b \\r\\n\\n\\n\\nbye", "meta": {}}
        >>> Normalize(NormalizeConfig(form="NFKC")).apply(doc, StepStats()), doc["text"]
        (None, 'fine  day\\n\\nbye')
    """

    name = "normalize"
    Config = NormalizeConfig
    target = None

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        cfg, text = self.cfg, doc["text"]
        if cfg.form != "none":
            new = unicodedata.normalize(cfg.form, text)
            if new != text:
                stats.modify("unicode")
                text = new
        if cfg.remove_invisible:
            new = _INVISIBLE.sub("", text)
            if new != text:
                stats.modify("invisible_chars")
                text = new
        new = _clean_whitespace(text, cfg.collapse_spaces)
        if new != text:
            stats.modify("whitespace")
            text = new
        doc["text"] = text
        return None if text else "empty_after_normalize"


def _clean_whitespace(text: str, collapse_spaces: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TRAILING.sub("", text)
    if collapse_spaces:
        text = _INNER_SPACES.sub(" ", text)
    return _BLANKS.sub("\n\n", text).strip("\n").rstrip()
