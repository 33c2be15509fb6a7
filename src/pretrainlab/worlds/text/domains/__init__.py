"""Domain generators of the text world, one module per domain, in a fixed order.

Each module has ``generate(world, rng, ctx) -> Draft`` and ``TEMPLATES`` (every literal string it
can emit words from; ``vocab.py`` scans them, so the vocabulary has no out-of-vocabulary words).
``DOMAIN_NAMES`` fixes the order used to draw a domain from ``mix``; append new domains at the end
so existing worlds keep their documents.
"""

from __future__ import annotations

from . import arithmetic, code, dialog, encyclopedia, qa, story
from .bio import TEMPLATES as _BIO_TEMPLATES
from .common import DocContext, Draft

DOMAINS = {
    "story": story,
    "encyclopedia": encyclopedia,
    "dialog": dialog,
    "arithmetic": arithmetic,
    "code": code,
    "qa": qa,
}
DOMAIN_NAMES: tuple[str, ...] = tuple(DOMAINS)
PROSE_DOMAINS: tuple[str, ...] = ("story", "encyclopedia", "dialog")
TEMPLATE_TEXTS: tuple[str, ...] = tuple(
    t for module in DOMAINS.values() for t in module.TEMPLATES) + _BIO_TEMPLATES

__all__ = ["DOMAINS", "DOMAIN_NAMES", "PROSE_DOMAINS", "TEMPLATE_TEXTS", "DocContext", "Draft"]
