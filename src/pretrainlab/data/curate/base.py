"""The curation step interface: iterator of documents in, iterator of documents out.

A document is ``{"text": str, "meta": {...}}``. A :class:`Step` subclass implements one method,
``apply(doc, stats) -> reason | None``: return a reason string to drop the document, or ``None``
to keep it (after editing ``doc["text"]`` in place and calling ``stats.modify(reason)`` if it
changed it). ``Step.__call__`` does the rest, as datatrove's ``BaseFilter`` does: it counts every
document in a :class:`StepStats`, passes documents of other domains through untouched when the
step is restricted with ``domains: [...]`` (counted ``skipped_domain``), hands dropped documents
to the optional exclusion writer, and tallies the world's ground-truth labels (``label_keys``) so
the report can score each step's precision and recall.

Reason strings follow datatrove (``gopher_short_doc``, ``dup_line_frac``, ``top_2_gram``,
``duplicated_5_n_grams``, ``line_punct_ratio``...) so results can be compared with the literature.

Examples:
    >>> class Short(Step):
    ...     name = "short"
    ...     def apply(self, doc, stats):
    ...         return "too_short" if len(doc["text"]) < 5 else None
    >>> stats = StepStats()
    >>> [d["text"] for d in Short()(iter([{"text": "hi", "meta": {}},
    ...                                    {"text": "hello there", "meta": {}}]), stats)]
    ['hello there']
    >>> stats.kept, stats.dropped
    (1, {'too_short': 1})
"""

from __future__ import annotations

import abc

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

ExclusionWriter = Callable[[dict, str], None]
"""Called with each dropped document and its reason."""


@dataclass
class StepConfig:
    """Parameters every step accepts."""

    domains: list[str] | None = None
    """Apply the step only to documents whose ``meta.domain`` is listed; documents of other
    domains pass through untouched (counted ``skipped_domain``). Documents without a domain are
    always processed."""


@dataclass
class StepStats:
    """Counters of one step (per shard, or merged over shards)."""

    seen: int = 0
    """Documents that entered the step."""
    kept: int = 0
    """Documents that left it (including ``skipped_domain`` ones)."""
    skipped_domain: int = 0
    """Documents passed through because their domain is not in ``domains``."""
    docs_modified: int = 0
    """Kept documents whose text the step changed."""
    dropped: dict[str, int] = field(default_factory=dict)
    """Dropped documents by reason."""
    modified: dict[str, int] = field(default_factory=dict)
    """Modifications by reason (a document can count under several reasons)."""
    counters: dict[str, int] = field(default_factory=dict)
    """Free-form counters, e.g. C4's line-level ``line-filter-policy`` or PII values found."""
    labels: dict[str, dict[str, int]] = field(default_factory=dict)
    """Ground-truth tallies: ``{"in" | "dropped" | "modified": {label_key: n}}``."""
    info: dict[str, Any] = field(default_factory=dict)
    """Facts that are the same in every shard (e.g. eval items indexed); merged by overwriting."""

    def drop(self, reason: str) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def modify(self, reason: str, n: int = 1) -> None:
        self.modified[reason] = self.modified.get(reason, 0) + n

    def count(self, key: str, n: int = 1) -> None:
        self.counters[key] = self.counters.get(key, 0) + n

    def tally(self, group: str, keys: tuple[str, ...]) -> None:
        bucket = self.labels.setdefault(group, {})
        for key in keys:
            bucket[key] = bucket.get(key, 0) + 1

    @property
    def n_dropped(self) -> int:
        return sum(self.dropped.values())

    def merge(self, other: StepStats) -> StepStats:
        """Add ``other``'s counts to this one (in place) and return self."""
        self.seen += other.seen
        self.kept += other.kept
        self.skipped_domain += other.skipped_domain
        self.docs_modified += other.docs_modified
        for mine, theirs in ((self.dropped, other.dropped), (self.modified, other.modified),
                             (self.counters, other.counters)):
            _add(mine, theirs)
        for group, counts in other.labels.items():
            _add(self.labels.setdefault(group, {}), counts)
        self.info.update(other.info)
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> StepStats:
        return cls(**data)


def _add(into: dict[str, int], other: dict[str, int]) -> None:
    for key, n in other.items():
        into[key] = into.get(key, 0) + n


def label_keys(meta: dict) -> tuple[str, ...]:
    """Ground-truth categories of a document from the synthetic world's labels (empty if none).

    ``noisy`` and ``noise:<type>`` (``meta.noise``), ``toxic``, ``dup`` and ``dup:<kind>``
    (``meta.dup_of``), ``pii``, ``domain:<d>``, and ``clean``/``clean:<d>`` for documents that are
    neither noisy, toxic nor duplicates.

    Examples:
        >>> label_keys({"noise": "short", "toxic": 0, "dup_of": None, "domain": "story"})
        ('all', 'noisy', 'noise:short', 'domain:story')
        >>> label_keys({"file": "a.jsonl"})
        ()
    """
    if not any(k in meta for k in ("noise", "toxic", "dup_of")):
        return ()
    noise, toxic, dup = meta.get("noise"), bool(meta.get("toxic")), meta.get("dup_of") is not None
    domain = meta.get("domain")
    keys = ["all"]
    if noise:
        keys += ["noisy", f"noise:{noise}"]
    if toxic:
        keys.append("toxic")
    if dup:
        keys += ["dup", f"dup:{meta.get('dup_kind') or 'unknown'}"]
    if meta.get("pii"):
        keys.append("pii")
    if domain:
        keys.append(f"domain:{domain}")
    if not (noise or toxic or dup):
        keys += ["clean"] + ([f"clean:{domain}"] if domain else [])
    return tuple(keys)


class Step(abc.ABC):
    """Base class of curation steps; subclasses set ``name`` and implement :meth:`apply`."""

    name: ClassVar[str] = "step"
    """Registry name, used in pipeline configs and stats."""
    Config: ClassVar[type[StepConfig]] = StepConfig
    """Dataclass of the step's parameters."""
    target: ClassVar[str | None] = "noisy"
    """Ground-truth label key the report scores this step's drops against (None: not scored)."""
    scope: ClassVar[str] = "local"
    """``"local"``: one shard at a time, in parallel. ``"global"``: must see every document in one
    process (dedup); runs in the runner's second phase."""

    def __init__(self, cfg: StepConfig | None = None):
        self.cfg = cfg if cfg is not None else self.Config()
        self.exclusion: ExclusionWriter | None = None

    @abc.abstractmethod
    def apply(self, doc: dict, stats: StepStats) -> str | None:
        """Return a drop reason, or None to keep ``doc`` (possibly modified in place)."""

    def __call__(self, docs: Iterator[dict], stats: StepStats) -> Iterator[dict]:
        domains = self.cfg.domains
        for doc in docs:
            meta = doc.setdefault("meta", {})
            keys = label_keys(meta)
            stats.seen += 1
            stats.tally("in", keys)
            if domains is not None and meta.get("domain") is not None and meta["domain"] not in domains:
                stats.skipped_domain += 1
                stats.kept += 1
                yield doc
                continue
            before = sum(stats.modified.values())
            reason = self.apply(doc, stats)
            if reason is not None:
                stats.drop(reason)
                stats.tally("dropped", keys)
                if self.exclusion is not None:
                    self.exclusion(doc, reason)
                continue
            if sum(stats.modified.values()) != before:
                stats.docs_modified += 1
                stats.tally("modified", keys)
            stats.kept += 1
            yield doc

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.cfg})"
