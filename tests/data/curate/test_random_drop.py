"""random_drop: the size-matched random control of a filter drops exactly as many documents as the
filter would, chosen at random, and only inside its domains."""

from __future__ import annotations

import pytest
from curate_helpers import labelled

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import StepStats
from pretrainlab.data.curate.pipeline import build_steps, parse_steps
from pretrainlab.data.curate.random_drop import RandomDrop, RandomDropConfig
from pretrainlab.data.curate.toxicity import Toxicity


def _docs():
    out = []
    for i in range(40):
        toxic = i % 4 == 0
        text = f"Mira: Hello number {i}." + ("\nTomas: Go away, you grelk!" if toxic else "")
        out.append(labelled(text, i, toxic=int(toxic), domain="dialog"))
    return out + [labelled(f"A story {i}.", 100 + i, domain="story") for i in range(10)]


def run(step, docs):
    stats = StepStats()
    return list(step(iter(docs), stats)), stats


def test_matches_the_filter_count_at_random_inside_its_domains():
    docs = _docs()
    filtered, tox_stats = run(Toxicity(), [dict(d, meta=dict(d["meta"])) for d in docs])
    step = build_steps(parse_steps([{"name": "random_drop", "match": {"name": "toxicity"}, "domains": ["dialog"]}]))[0]
    kept, stats = run(step, docs)
    assert tox_stats.n_dropped == 10 and stats.dropped == {"random_drop": 10} and stats.counters["matched"] == 10
    assert len(kept) == len(filtered) == 40 and stats.seen == 50 and stats.kept == 40
    assert sum(d["meta"]["domain"] == "story" for d in kept) == 10  # other domains untouched
    assert sum(d["meta"]["toxic"] for d in kept) > 0  # not the filter: toxic documents survive at random
    assert [d["meta"]["id"] for d in kept] == [d["meta"]["id"] for d in docs if d in kept]  # order kept
    again, _ = run(step, _docs())
    assert [d["meta"]["id"] for d in again] == [d["meta"]["id"] for d in kept]  # deterministic


def test_fraction_and_config_errors():
    kept, stats = run(RandomDrop(RandomDropConfig(fraction=0.25)), _docs())
    assert stats.dropped == {"random_drop": round(0.25 * 50)} and len(kept) == 50 - 12
    with pytest.raises(ConfigError, match="exactly one"):
        RandomDrop(RandomDropConfig())
    with pytest.raises(ConfigError, match="exactly one"):
        RandomDrop(RandomDropConfig(fraction=0.1, match={"name": "toxicity"}))
    with pytest.raises(ConfigError, match="unknown step"):
        RandomDrop(RandomDropConfig(match={"name": "toxicty"}))
