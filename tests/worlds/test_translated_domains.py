"""``TextWorldConfig.translated``: English domains rendered in a synthetic language as their own sources."""

from __future__ import annotations

import pytest

from pretrainlab.run_config import build_run_config
from pretrainlab.worlds.text import TextWorldConfig
from pretrainlab.worlds.text.world import TextWorld


def _cfg(**kw) -> TextWorldConfig:
    base = dict(n_docs=600, n_people=30, n_cities=10, n_companies=10, languages=("zorbish",),
                language_frac=0.2, translated={"qa": 0.1, "arithmetic": 0.1})
    return TextWorldConfig(**{**base, **kw})


def test_translated_docs_are_exact_translations_of_their_source_domain():
    world = TextWorld(_cfg())
    lang = world.knobs.languages["zorbish"]
    seen = set()
    for doc in world.documents("train"):
        meta = doc["meta"]
        if meta["domain"] in ("qa_zorbish", "arithmetic_zorbish"):
            seen.add(meta["domain"])
            assert meta["lang"] == "zorbish" and meta["source_domain"] == meta["domain"].split("_")[0]
            back = lang.back(doc["text"])
            assert back != doc["text"] and "A:" in back and "A:" not in doc["text"]
            if meta["domain"] == "qa_zorbish":
                lines = back.splitlines()
                assert meta["facts"] and len(lines) == len(meta["facts"]) and lines[0].startswith("Q: ")
    assert seen == {"qa_zorbish", "arithmetic_zorbish"}


def test_source_weights_match_the_worlds_domain_weights():
    cfg = _cfg()
    world = TextWorld(cfg)
    got = cfg.source_weights()
    assert set(got) == {d for d, w in world.weights.items() if w > 0}
    for d, w in got.items():
        assert w == pytest.approx(world.weights[d])
    assert got["qa_zorbish"] == pytest.approx(0.1) and sum(got.values()) == pytest.approx(1.0)


def test_translated_off_adds_no_domain():
    world = TextWorld(_cfg(translated={}))
    assert world.domain_names[-1] == "lang_zorbish"
    assert set(_cfg(translated={}).source_weights()) == {d for d, w in world.weights.items() if w > 0}


@pytest.mark.parametrize("bad, match", [
    (dict(translated={"poetry": 0.1}), "unknown domains"),
    (dict(translated={"qa": 0.1}, languages=()), "languages is empty"),
    (dict(translated={"qa": 0.6}, language_frac=0.5), "must be <= 1"),
])
def test_bad_translated_config_names_the_problem(bad, match):
    with pytest.raises(ValueError, match=match):
        _cfg(**bad).validate()


def test_run_config_accepts_language_sources_in_weights_and_groups():
    data = {"data": {"world": {"n_docs": 600, "n_people": 30, "n_cities": 10, "n_companies": 10,
                               "languages": ["zorbish"], "translated": {"qa": 0.1}},
                     "weights": {"lang_zorbish": 1.0, "qa_zorbish": 0.5}},
            "eval": {"groups": {"zorbish": ["lang_zorbish", "qa_zorbish"]}}}
    cfg = build_run_config(data)
    assert cfg.data.weights["qa_zorbish"] == 0.5
    data["data"]["weights"] = {"qa_vellan": 1.0}
    with pytest.raises(Exception, match="qa_vellan"):
        build_run_config(data)
