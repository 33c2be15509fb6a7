"""Offline data preparation for a run: world -> JSONL, sources -> tokenizer -> token store.

Everything lands in ``<run>/data/``::

    world/           synthetic world as JSONL shards + eval sets (when data.world is set)
    tokenizer.json   byte-level BPE trained on a sample of the training documents
    store/           token store with splits train/val, one source per world domain or user source
    prepared.json    fingerprint of the data config; a matching one means "already prepared, skip"

User sources hold out ``val_docs`` documents, picked by a seeded hash of the document index, so the
split is stable however the files are streamed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from pretrainlab.config import to_dict
from pretrainlab.data.readers import ReadStats, read_source
from pretrainlab.data.store import TokenStore, build_store
from pretrainlab.data.tokenizer import Tokenizer, sample_texts
from pretrainlab.worlds.text import write_world

DocStream = Callable[[], Iterator[dict]]


@dataclass
class PreparedData:
    root: Path
    tokenizer: Tokenizer
    store: TokenStore
    weights: dict[str, float]
    eval_sets: dict[str, list[dict]]
    read_stats: dict[str, dict]


def data_fingerprint(dcfg) -> str:
    """Hash of what the prepared data depends on (mixture weights and sequence length excluded)."""
    data = {k: v for k, v in to_dict(dcfg).items()
            if k not in ("weights", "seq_len", "stages", "max_epochs", "insertions", "probes", "order")}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _is_val(name: str, i: int) -> bool:
    digest = hashlib.blake2b(f"{name}:{i}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") % 10 == 0


def _user_stream(src, split: str, stats: dict[str, ReadStats]) -> DocStream:
    def stream() -> Iterator[dict]:
        n_val = 0
        # A source is read more than once (tokenizer sample, then the store); count the last full pass.
        counter = None
        if split == "train":
            counter = stats[src.name] = ReadStats()
        for i, doc in enumerate(read_source(src.path, text_field=src.text_field, on_error=src.on_error,
                                            stats=counter, limit=src.limit)):
            is_val = n_val < src.val_docs and _is_val(src.name, i)
            n_val += is_val
            if is_val == (split == "val"):
                yield doc
    return stream


def _world_streams(world_dir: Path, split: str, domains: list[str]) -> dict[str, DocStream]:
    by_domain: dict[str, list[dict]] = {d: [] for d in domains}
    for doc in read_source(world_dir / split, fmt="jsonl"):
        by_domain.setdefault(doc["meta"]["domain"], []).append(doc)
    return {d: (lambda docs=docs: iter(docs)) for d, docs in by_domain.items() if docs}


def _curated(streams: dict[str, DocStream], specs: list[dict], stats: dict[str, dict]) -> dict[str, DocStream]:
    """Wrap each training stream in fresh curation steps; keep each source's counts of the last pass."""
    from pretrainlab.data.curate.base import StepStats
    from pretrainlab.data.curate.pipeline import build_steps, parse_steps

    parsed = parse_steps(specs)

    def wrap(name: str, factory: DocStream) -> DocStream:
        def stream() -> Iterator[dict]:
            docs = factory()
            per_step = stats[name] = {}
            for spec, step in zip(parsed, build_steps(parsed)):
                per_step[spec.key] = st = StepStats()
                docs = step(docs, st)
            yield from docs
        return stream

    return {name: wrap(name, f) for name, f in streams.items()}


def tokenizer_world_config(dcfg):
    """The world config of the tokenizer's training texts: ``data.world`` with ``data.tokenizer.world``."""
    from pretrainlab.config import ConfigError, from_dict, merge
    from pretrainlab.worlds.text import TextWorldConfig

    if dcfg.world is None:
        raise ConfigError("data.tokenizer.world overrides data.world, which is not set")
    return from_dict(TextWorldConfig, merge(to_dict(dcfg.world), dcfg.tokenizer.world), prefix="data.tokenizer.world")


def tokenizer_world_streams(dcfg) -> dict[str, Iterator[dict]]:
    """Training documents of the tokenizer's world rendering, per domain in the order of ``_world_streams``."""
    from pretrainlab.worlds.text import TextWorld

    cfg = tokenizer_world_config(dcfg)
    by_domain: dict[str, list[dict]] = {d: [] for d in cfg.source_weights()}
    for doc in TextWorld(cfg).documents("train"):
        by_domain.setdefault(doc["meta"]["domain"], []).append(doc)
    return {d: iter(docs) for d, docs in by_domain.items() if docs}


def _load_eval_sets(world_dir: Path) -> dict[str, list[dict]]:
    out = {}
    for path in sorted((world_dir / "eval").glob("*.jsonl")):
        out[path.stem] = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return out


def load_prepared(root: Path, dcfg) -> PreparedData:
    """Open an already prepared data directory (no fingerprint check)."""
    marker = root / "prepared.json"
    if not marker.exists():
        raise FileNotFoundError(f"{root}: no prepared data (prepared.json missing); run `pretrainlab data prepare`")
    info = json.loads(marker.read_text())
    eval_sets = _load_eval_sets(root / "world") if (root / "world").exists() else {}
    return PreparedData(root, Tokenizer.load(root / "tokenizer.json"), TokenStore(root / "store"),
                        _weights(dcfg, info["weights"]), eval_sets, info["read_stats"])


def prepare_data(dcfg, root: Path, console: Console | None = None) -> PreparedData:
    """Build (or reuse) the run's data directory for data config ``dcfg``."""
    console = console or Console(stderr=True)
    root.mkdir(parents=True, exist_ok=True)
    fp = data_fingerprint(dcfg)
    marker = root / "prepared.json"
    world_dir = root / "world"
    if marker.exists() and json.loads(marker.read_text()).get("fingerprint") == fp:
        return load_prepared(root, dcfg)
    weights: dict[str, float] = {}
    splits: dict[str, dict[str, DocStream]] = {"train": {}, "val": {}}
    eval_sets: dict[str, list[dict]] = {}
    if dcfg.world is not None:
        with console.status("generating the synthetic world"):
            write_world(dcfg.world, world_dir)
        mix = dcfg.world.source_weights()
        total = sum(mix.values())
        for split in splits:
            splits[split].update(_world_streams(world_dir, split, list(mix)))
        weights.update({d: dcfg.world_weight * w / total for d, w in mix.items() if d in splits["train"]})
        eval_sets = _load_eval_sets(world_dir)
    stats: dict[str, ReadStats] = {}
    for src in dcfg.sources:
        for split in splits:
            splits[split][src.name] = _user_stream(src, split, stats)
        weights[src.name] = src.weight
    curation: dict[str, dict] = {}
    if dcfg.curate:
        splits["train"] = _curated(splits["train"], dcfg.curate, curation)
    tok_cfg = dcfg.tokenizer
    if tok_cfg.path:
        tokenizer = Tokenizer.load(tok_cfg.path)
    else:
        with console.status(f"training a byte-level BPE tokenizer (vocab {tok_cfg.vocab_size})"):
            streams = {n: f() for n, f in splits["train"].items()}
            if tok_cfg.world:  # the world's domains come from another rendering; user sources stay
                streams = {**tokenizer_world_streams(dcfg), **{s.name: streams[s.name] for s in dcfg.sources}}
            texts = sample_texts(streams, tok_cfg.train_docs)
            tokenizer = Tokenizer.train(texts, tok_cfg)
    tokenizer.save(root / "tokenizer.json")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("tokenizing", total=None)
        store = build_store(root / "store", {s: {n: f() for n, f in srcs.items()} for s, srcs in splits.items()},
                            tokenizer, progress=lambda name, n: progress.update(task, advance=n, description=name))
    read_stats = {n: to_dict(s) for n, s in stats.items()}
    curation_stats = {src: {step: st.to_dict() for step, st in steps.items()} for src, steps in curation.items()}
    marker.write_text(json.dumps({"fingerprint": fp, "weights": weights, "read_stats": read_stats,
                                  "curation": curation_stats}, indent=1))
    return PreparedData(root, tokenizer, store, _weights(dcfg, weights), eval_sets, read_stats)


def _weights(dcfg, derived: dict[str, float]) -> dict[str, float]:
    """``data.weights`` when given (unnamed sources 0), else the weights derived from the world mix."""
    if dcfg.weights is None:
        return derived
    return {name: float(dcfg.weights.get(name, 0.0)) for name in derived}
