"""``pii``: mask e-mail addresses, phone numbers and IPv4 addresses with fixed tokens.

Regex masking in the spirit of datatrove's ``PIIFormatter`` and dolma's ``pii_regex``: matches are
replaced by ``email_replacement`` / ``phone_replacement`` / ``ip_replacement``. IPv4 addresses in
private, loopback, link-local, multicast or reserved ranges are left alone when ``only_public_ips``
(datatrove does the same). Phone numbers: an optional ``+CC``, then ``(555) 123-4567``,
``555-123-4567``, ``555.123.4567`` or ``555 123 4567``, or a local ``123-4567``.

Never drops. Modification reasons: ``email``, ``phone``, ``ip`` (once per document). Counters:
``masked_<kind>`` (matches), and, for documents carrying the world's ``meta.pii_values``,
``pii_values_total`` and ``pii_values_masked`` (values no longer in the text), from which the
report computes masking recall.

Examples:
    >>> doc = {"text": "Mail ann.lee@mail.com or call (555) 123-4567 from 8.8.8.8.", "meta": {}}
    >>> Pii().apply(doc, StepStats()), doc["text"]
    (None, 'Mail <EMAIL> or call <PHONE> from <IP>.')
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from pretrainlab.data.curate.base import Step, StepConfig, StepStats

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}|\d{3}-\d{4})(?!\w)"
)
IPV4_RE = re.compile(r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
                     r"(?![\w]|\.\d)")


@dataclass
class PiiConfig(StepConfig):
    email: bool = True
    phone: bool = True
    ip: bool = True
    email_replacement: str = "<EMAIL>"
    phone_replacement: str = "<PHONE>"
    ip_replacement: str = "<IP>"
    only_public_ips: bool = True
    """Leave private/loopback/reserved IPv4 addresses alone."""


class Pii(Step):
    """Mask PII with fixed replacement tokens (see the module docstring)."""

    name = "pii"
    Config = PiiConfig
    target = "pii"

    def apply(self, doc: dict, stats: StepStats) -> str | None:
        cfg, text = self.cfg, doc["text"]
        for kind, enabled, regex, token in (
                ("email", cfg.email, EMAIL_RE, cfg.email_replacement),
                ("ip", cfg.ip, IPV4_RE, cfg.ip_replacement),
                ("phone", cfg.phone, PHONE_RE, cfg.phone_replacement)):
            if not enabled:
                continue
            keep = _is_private_ip if kind == "ip" and cfg.only_public_ips else None
            text, n = _mask(regex, text, token, keep)
            if n:
                stats.modify(kind)
                stats.count(f"masked_{kind}", n)
        doc["text"] = text
        values = doc["meta"].get("pii_values")
        if values:
            stats.count("pii_values_total", len(values))
            stats.count("pii_values_masked", sum(str(v) not in text for v in values))
        return None


def _mask(regex: re.Pattern, text: str, token: str, keep) -> tuple[str, int]:
    """Replace matches of ``regex`` by ``token`` (except those ``keep`` accepts); count them."""
    n = 0

    def sub(match: re.Match) -> str:
        nonlocal n
        if keep is not None and keep(match.group(0)):
            return match.group(0)
        n += 1
        return token

    return regex.sub(sub, text), n


def _is_private_ip(address: str) -> bool:
    return not ipaddress.IPv4Address(address).is_global
