"""Tests of the text world's corpus knobs: noise, toxicity, PII, duplicates, data age, languages,
rewriters and provenance tags (issue #4). The knobs-off fingerprint is pinned in test_text_world."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

import pytest

from pretrainlab.worlds.text import TextWorld, TextWorldConfig
from pretrainlab.worlds.text.domains import PROSE_DOMAINS
from pretrainlab.worlds.text.dups import jaccard
from pretrainlab.worlds.text.languages import ORDER_RULES, reorder
from pretrainlab.worlds.text.lexicon import GOPHER_STOP_WORDS
from pretrainlab.worlds.text.noise import NOISE_TYPES
from pretrainlab.worlds.text.pii import PII_KINDS
from pretrainlab.worlds.text.rewrite import REWRITERS
from pretrainlab.worlds.text.textops import lines_of, words_of
from pretrainlab.worlds.text.toxicity import TOXIC_MARKERS
from pretrainlab.worlds.text.vocab import words_in

SMALL = dict(n_people=100, n_cities=10, n_companies=10)
POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
          "use cookies")
ALL_ON = dict(SMALL, n_docs=600, noise_rate=0.3, toxicity_rate=0.3, pii_rate=0.2, dup_rate=0.05,
              near_dup_rate=0.05, languages=("zorbish", "vellan:reverse"), provenance_tags=True,
              noise_src_tag="junk", rewriter="simplify")


def _docs(**kw) -> tuple[TextWorld, list[dict]]:
    world = TextWorld(TextWorldConfig(**kw))
    return world, list(world.documents("train"))


@pytest.fixture(scope="module")
def noisy():
    return _docs(**SMALL, n_docs=1600, noise_rate=0.3)


@pytest.fixture(scope="module")
def labelled():
    return _docs(**SMALL, n_docs=1200, toxicity_rate=0.5, pii_rate=0.3, noise_rate=0.3)


@pytest.fixture(scope="module")
def duped():
    return _docs(**SMALL, n_docs=1500, dup_rate=0.05, near_dup_rate=0.1, noise_rate=0.2,
                 pii_rate=0.2)


@pytest.fixture(scope="module")
def lang_world():
    return _docs(**SMALL, n_docs=800, languages=("zorbish", "vellan:reverse"), language_frac=0.2)


# -- knobs off ----------------------------------------------------------------------------------
def test_knobs_default_off():
    cfg = TextWorldConfig()
    rates = (cfg.noise_rate, cfg.toxicity_rate, cfg.pii_rate, cfg.dup_rate, cfg.near_dup_rate)
    assert rates == (0,) * 5
    assert cfg.languages == () and cfg.rewriter is None and not cfg.provenance_tags
    doc = TextWorld(TextWorldConfig(**SMALL, n_docs=50)).document("train", 3)
    assert set(doc["meta"]) >= {"noise", "toxic", "pii", "dup_of"}
    assert not set(doc["meta"]) & {"lang", "dup_kind", "pii_values", "toxic_markers", "rewriter"}


# -- noise --------------------------------------------------------------------------------------
def test_noise_rate_and_types(noisy):
    _, docs = noisy
    prose = [d for d in docs if d["meta"]["domain"] in PROSE_DOMAINS]
    assert len(prose) >= 1000
    kinds = Counter(d["meta"]["noise"] for d in prose)
    assert 0.2 <= 1 - kinds[None] / len(prose) <= 0.4
    assert set(kinds) == {None, *NOISE_TYPES}
    assert all(d["meta"]["noise"] is None for d in docs if d["meta"]["domain"] not in PROSE_DOMAINS)


def _dup_line_frac(text: str) -> float:
    lines = lines_of(text)
    return (len(lines) - len(set(lines))) / len(lines)


def test_noise_targets_its_rule(noisy):
    world, docs = noisy
    for doc in docs:
        kind, text = doc["meta"]["noise"], doc["text"]
        if kind is None:
            continue
        clean = world.clean_document("train", int(doc["meta"]["id"].split("-")[1]))["text"]
        n_words = len(text.split())
        if kind == "repetition":
            assert max(Counter(lines_of(text)).values()) >= 5 and _dup_line_frac(text) > 0.3
        elif kind == "short":
            assert n_words < 50
        elif kind == "foreign":
            assert not set(words_of(text)) & set(GOPHER_STOP_WORDS)
        elif kind == "symbols":
            lines = lines_of(text)
            ellipsis = sum(line.endswith("...") for line in lines) / len(lines)
            assert text.count("#") / n_words > 0.1 or ellipsis > 0.3
        elif kind == "boilerplate":
            lines = lines_of(text)
            assert any(p in text.lower() for p in POLICY)
            assert sum(len(line) <= 30 for line in lines) / len(lines) > 0.67
        elif kind == "word_salad":
            assert sorted(text.split()) == sorted(clean.split()) and text != clean
        elif kind == "typos":
            assert text != clean and n_words == len(clean.split())


# -- toxicity and PII ---------------------------------------------------------------------------
def test_toxicity_markers(labelled):
    world, docs = labelled
    markers = set(TOXIC_MARKERS)
    base_vocab = set(TextWorld(TextWorldConfig(**SMALL, n_docs=50)).vocabulary())
    assert len(markers) == 20 and not markers & base_vocab
    dialogs = [d for d in docs if d["meta"]["domain"] == "dialog"]
    assert 0.35 <= sum(d["meta"]["toxic"] for d in dialogs) / len(dialogs) <= 0.65
    for doc in docs:
        found = words_in(doc["text"]) & markers
        if doc["meta"]["toxic"]:
            assert doc["meta"]["domain"] == "dialog" and found
            assert set(doc["meta"]["toxic_markers"]) <= found
        else:
            assert not found


def test_pii_values_in_text(labelled):
    _, docs = labelled
    with_pii = [d for d in docs if d["meta"]["pii"]]
    assert with_pii and all(d["meta"]["domain"] in PROSE_DOMAINS for d in with_pii)
    for doc in with_pii:
        meta = doc["meta"]
        assert len(meta["pii_values"]) == len(meta["pii_kinds"]) >= 1
        for value, kind in zip(meta["pii_values"], meta["pii_kinds"]):
            assert kind in PII_KINDS and value in doc["text"]
            if kind == "ip":
                assert ipaddress.ip_address(value).is_global
            elif kind == "email":
                assert re.fullmatch(r"[a-z]+\.[a-z]+@[a-z]+\.(com|net|org)", value)
            else:
                assert re.fullmatch(r"\d{3}-\d{3}-\d{4}", value)
    assert not any("@" in d["text"] for d in docs if not d["meta"]["pii"])


# -- duplicates ---------------------------------------------------------------------------------
def test_duplicates(duped):
    _, docs = duped
    by_id = {d["meta"]["id"]: d for d in docs}
    kinds = Counter(d["meta"].get("dup_kind") for d in docs)
    assert kinds["exact"] > 30 and kinds["near"] > 80
    for doc in docs:
        meta = doc["meta"]
        if meta["dup_of"] is None:
            assert "dup_kind" not in meta
            continue
        root = by_id[meta["dup_of"]]
        assert meta["dup_of"] < meta["id"] and root["meta"]["dup_of"] is None
        assert meta["domain"] == root["meta"]["domain"]
        if meta["dup_kind"] == "exact":
            assert doc["text"] == root["text"]
        else:
            sim = jaccard(doc["text"], root["text"])
            assert 0.7 <= sim <= 0.97 and sim == pytest.approx(meta["dup_jaccard"], abs=1e-4)
        for value in meta.get("pii_values", []):
            assert value in doc["text"]


# -- determinism and the closed vocabulary with every knob on ------------------------------------
def test_all_knobs_deterministic():
    world, docs = _docs(**ALL_ON)
    again = TextWorld(TextWorldConfig(**ALL_ON))
    assert list(again.documents("train", 0, 200)) == docs[:200]
    dups = [i for i, d in enumerate(docs) if d["meta"]["dup_of"]][:5]
    for i in [0, 17, len(docs) - 1, *dups]:
        assert TextWorld(TextWorldConfig(**ALL_ON)).document("train", i) == docs[i]
    assert again.eval_sets() == world.eval_sets()
    vocab = set(world.vocabulary())
    for doc in docs:
        assert doc["text"].startswith("<src=") and doc["meta"]["rewriter"] == "simplify"
        if doc["meta"]["noise"] != "typos":
            assert words_in(doc["text"]) <= vocab, sorted(words_in(doc["text"]) - vocab)


def test_provenance_tags():
    world, docs = _docs(**SMALL, n_docs=200, provenance_tags=True, noise_rate=0.3,
                        noise_src_tag="junk")
    for doc in docs:
        src = "junk" if doc["meta"]["noise"] else doc["meta"]["domain"]
        assert doc["text"].startswith(f"<src={src}> ")


# -- data age -----------------------------------------------------------------------------------
def test_temporal_qa(labelled):
    world, _ = labelled
    cfg = world.cfg
    items = world.eval_sets()["temporal_qa"]
    assert len(items) == cfg.temporal_eval_n
    assert {it["year_gap"] for it in items} == set(range(6))
    for it in items:
        employer = world.fact(it["person"], "employer", it["year"])
        assert it["employer"] == employer and it["answer"] == " " + world.ents.name(employer)
        assert it["choices"][it["answer_index"]] == it["answer"] and len(set(it["choices"])) == 5
        if it["year_gap"] == 0:
            assert cfg.train_years[0] <= it["year"] <= cfg.train_years[1]
        else:
            assert it["year"] == cfg.train_years[1] + it["year_gap"]
        assert it["prompt"] == f"Q: In {it['year']}, where did " \
            f"{world.fact(it['person'], 'name')} work? A:"
    assert any(it["changed"] for it in items)


@pytest.mark.parametrize("a,op,b", [(37, "+", 48), (307, "+", 45), (85, "-", 37), (120, "-", 105),
                                    (48, "*", 37), (7, "*", 6), (999, "*", 909), (0, "+", 0)])
def test_worked_steps_are_correct_chains(a, op, b):
    from pretrainlab.worlds.text.rewrite import worked_steps

    chain = worked_steps(a, op, b).split(" = ")
    assert chain[0] == f"{a} {op} {b}"
    assert all(eval(step, {}) == eval(chain[0], {}) for step in chain)  # digits and + - * only
    assert chain[-1] == str(eval(chain[0], {}))


def test_completer_adds_steps_after_each_plain_problem():
    world = TextWorld(TextWorldConfig(**SMALL, n_docs=200, rewriter="complete"))
    plain = TextWorld(TextWorldConfig(**SMALL, n_docs=200))
    for i in range(60):
        doc, orig = world.document("train", i), plain.document("train", i)
        if orig["meta"]["domain"] != "arithmetic":
            assert doc["text"] == orig["text"]
            continue
        lines, problems = doc["text"].split("\n"), [ln for ln in orig["text"].split("\n")]
        assert [ln for ln in lines if not re.match(r"^\d+ [-+*] \d+ = ", ln)] == problems
        for k, line in enumerate(lines):
            m = re.match(r"^Q: (\d+ [-+*] \d+) = \? A: (\d+)$", line)
            if m:
                assert lines[k + 1].startswith(m[1] + " = ") and lines[k + 1].endswith(" = " + m[2]) \
                    or lines[k + 1] == f"{m[1]} = {m[2]}"


def test_val_years_stamp_val_docs_independently_of_train_years():
    old, new = (TextWorld(TextWorldConfig(**SMALL, n_docs=200, train_years=ty, val_years=(2015, 2019)))
                for ty in ((2000, 2004), (2010, 2014)))
    val_old, val_new = list(old.documents("val")), list(new.documents("val"))
    assert val_old == val_new and {d["meta"]["year"] for d in val_old} <= set(range(2015, 2020))
    assert {d["meta"]["year"] for d in old.documents("train")} <= set(range(2000, 2005))
    assert list(old.documents("train")) != list(new.documents("train"))
    with pytest.raises(ValueError, match="val_years"):
        TextWorld(TextWorldConfig(**SMALL, n_docs=50, val_years=(2015, 2030)))


# -- languages ----------------------------------------------------------------------------------
def test_language_bijection_and_round_trip(lang_world):
    world, docs = lang_world
    english = set(TextWorld(TextWorldConfig(**SMALL, n_docs=50)).vocabulary())
    for lang in world.knobs.languages.values():
        assert len(set(lang.lexicon.values())) == len(lang.lexicon)
        assert not lang.words() & english and not lang.words() & set(TOXIC_MARKERS)
        for doc in docs[:300]:
            if doc["meta"]["domain"] in PROSE_DOMAINS:
                assert lang.back(lang.translate(doc["text"])) == doc["text"]
        sentence = "Once upon a time, Mia saw a red kite near the old house in 2011."
        assert lang.back(lang.translate(sentence)) == sentence


def test_word_order_rules(lang_world):
    world, _ = lang_world
    zorbish, vellan = world.knobs.languages["zorbish"], world.knobs.languages["vellan"]
    assert (zorbish.order, vellan.order) == ("noun_adj", "reverse") and "none" in ORDER_RULES
    assert reorder("Mia saw the red kite.", "noun_adj") == "Mia saw the kite red."
    assert reorder("Mia saw the red kite. It flew.", "reverse") == "kite red the saw Mia. flew It."
    plain = "the red kite"
    words = [zorbish.lexicon[w] for w in ("the", "kite", "red")]
    assert zorbish.translate(plain) == " ".join(words)
    assert vellan.translate("the red kite") == " ".join(vellan.lexicon[w] for w in
                                                        ("kite", "red", "the"))


def test_language_docs_and_parallel(lang_world):
    world, docs = lang_world
    assert all("lang" in d["meta"] for d in docs)
    lang_docs = [d for d in docs if d["meta"]["domain"].startswith("lang_")]
    assert 0.12 <= len(lang_docs) / len(docs) <= 0.28
    for doc in lang_docs:
        meta = doc["meta"]
        lang = world.knobs.languages[meta["lang"]]
        assert meta["domain"] == f"lang_{lang.name}"
        assert meta["source_domain"] in ("story", "encyclopedia")
        if meta["parallel"]:
            lines = doc["text"].split("\n")
            for en, xx in zip(lines[::2], lines[1::2]):
                assert en.startswith("English: ") and xx.startswith(f"{lang.label}: ")
                assert lang.back(xx[len(lang.label) + 2 :]) == en[len("English: "):]
        else:
            assert not set(words_of(doc["text"])) & set(GOPHER_STOP_WORDS)
    assert any(d["meta"]["parallel"] for d in lang_docs)
    for name, lang in world.knobs.languages.items():
        items = world.eval_sets()[f"parallel_{name}"]
        assert len(items) == world.cfg.parallel_eval_n
        assert all(lang.back(it["xx"]) == it["en"] and it["answer"] == " " + it["xx"]
                   for it in items)


# -- rewriters ----------------------------------------------------------------------------------
def test_simplifier(noisy):
    world, docs = noisy
    simple = TextWorld(TextWorldConfig(**{**SMALL, "n_docs": 1600, "noise_rate": 0.3,
                                          "rewriter": "simplify"}))
    prose = [i for i, d in enumerate(docs[:800]) if d["meta"]["domain"] in PROSE_DOMAINS]
    new = {i: simple.document("train", i) for i in prose}
    before = set().union(*(words_in(docs[i]["text"]) for i in prose))
    after = set().union(*(words_in(new[i]["text"]) for i in prose))
    assert len(after) < 0.8 * len(before)
    vocab = set(world.vocabulary())
    for i in prose:
        kind, text = docs[i]["meta"]["noise"], new[i]["text"]
        if kind == "boilerplate":
            assert not any(p in text.lower() for p in POLICY)
        elif kind == "repetition":
            assert max(Counter(lines_of(text)).values()) == 1
        elif kind == "symbols":
            assert "#" not in text and "..." not in text
        elif kind == "typos":
            assert len(words_in(text) - vocab) < len(words_in(docs[i]["text"]) - vocab)


def test_custom_rewriter(monkeypatch):
    monkeypatch.setitem(REWRITERS, "upper",
                        lambda world: (lambda doc: {**doc, "text": doc["text"].upper()}))
    docs = list(TextWorld(TextWorldConfig(**SMALL, n_docs=30, rewriter="upper")).documents("train"))
    assert all(d["text"] == d["text"].upper() and d["meta"]["rewriter"] == "upper" for d in docs)


# -- config -------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, message", [
    (dict(noise_types={"gibberish": 1.0}), "valid: \\['boilerplate'"),
    (dict(noise_rate=1.5), "noise_rate"),
    (dict(noise_rate=0.1, noise_types={"typos": 0.0}), "every noise_types weight is 0"),
    (dict(dup_rate=0.6, near_dup_rate=0.6), "dup_rate \\+ near_dup_rate"),
    (dict(languages=("zorbish:sideways",)), "word-order rule"),
    (dict(languages=("Zorbish",)), "language name"),
    (dict(languages=("zorbish", "zorbish")), "repeats"),
    (dict(rewriter="nope"), "unknown rewriter"),
])
def test_validate_knob_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        TextWorldConfig(**bad).validate()


def test_generic_loader_builds_knobs():
    pytest.importorskip("yaml")
    from pretrainlab.config import from_dict

    cfg = from_dict(TextWorldConfig, {"languages": ["zorbish", "vellan:reverse"],
                                      "noise_types": {"typos": 2}, "rewriter": "simplify",
                                      "provenance_tags": True})
    assert cfg.languages == ("zorbish", "vellan:reverse") and cfg.noise_types == {"typos": 2.0}
    assert cfg.rewriter == "simplify" and cfg.provenance_tags is True


def test_val_noise_rate_gives_a_clean_val_split():
    base = dict(SMALL, n_docs=400, noise_rate=0.3)
    noisy, clean = TextWorld(TextWorldConfig(**base)), TextWorld(TextWorldConfig(**base, val_noise_rate=0.0))
    assert list(noisy.documents("train")) == list(clean.documents("train"))  # train untouched
    val_noisy, val_clean = list(noisy.documents("val")), list(clean.documents("val"))
    assert any(d["meta"]["noise"] for d in val_noisy)
    assert not any(d["meta"]["noise"] for d in val_clean)
    unchanged = [a == b for a, b in zip(val_noisy, val_clean) if not a["meta"]["noise"]]
    assert unchanged and all(unchanged)  # only the noised docs differ
    with pytest.raises(ValueError, match="val_noise_rate"):
        TextWorld(TextWorldConfig(**base, val_noise_rate=1.5))
