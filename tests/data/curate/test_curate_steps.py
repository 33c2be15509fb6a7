"""PII masking, dedup, decontamination, classifiers and the toxicity/simplify steps."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from curate_helpers import GOOD, doc, labelled, story

from pretrainlab.config import ConfigError
from pretrainlab.data.curate.base import StepStats
from pretrainlab.data.curate.classifier import HashedLogReg
from pretrainlab.data.curate.decontaminate import Decontaminate, DecontaminateConfig
from pretrainlab.data.curate.exact_dedup import ExactDedup
from pretrainlab.data.curate.pii import Pii, PiiConfig
from pretrainlab.data.curate.quality_classifier import QualityClassifier, QualityClassifierConfig
from pretrainlab.data.curate.simplify import Simplify, SimplifyConfig
from pretrainlab.data.curate.toxicity import Toxicity, ToxicityConfig


def run(step, docs):
    stats = StepStats()
    return list(step(iter(docs), stats)), stats


# -- PII ----------------------------------------------------------------------------------------
def test_pii_masks_and_measures_recall():
    text = ("Mail kira.venn@tamoru-labs.com or call +1 555-123-4567 or (555) 987 6543; "
            "server 52.14.3.9, router 192.168.0.1. Q: 944 - 477 = ? A: 467. Version 1.2.3.4.5.")
    d = doc(text, pii=1, pii_values=["kira.venn@tamoru-labs.com", "555-123-4567", "52.14.3.9"])
    (out,), stats = run(Pii(), [d])
    assert out["text"] == ("Mail <EMAIL> or call <PHONE> or <PHONE>; server <IP>, router "
                           "192.168.0.1. Q: 944 - 477 = ? A: 467. Version 1.2.3.4.5.")
    assert stats.modified == {"email": 1, "phone": 1, "ip": 1} and stats.docs_modified == 1
    assert stats.counters["masked_phone"] == 2
    assert stats.counters["pii_values_total"] == stats.counters["pii_values_masked"] == 3


def test_pii_options():
    d = doc("a@b.io at 10.0.0.1")
    Pii(PiiConfig(email=False, only_public_ips=False, ip_replacement="0.0.0.0")).apply(d, StepStats())
    assert d["text"] == "a@b.io at 0.0.0.0"


# -- dedup --------------------------------------------------------------------------------------
def test_exact_dedup_keeps_first_and_ignores_case_and_spacing():
    docs = [labelled(GOOD, 0), labelled(story(1), 1), labelled("  " + GOOD.upper(), 2, dup_of="d0"),
            labelled(GOOD, 3, dup_of="d0")]
    out, stats = run(ExactDedup(), docs)
    assert [d["meta"]["id"] for d in out] == ["d0", "d1"]
    assert stats.dropped == {"exact_duplicate": 2}
    assert stats.counters["gt_dropped_redundant"] == 2 and stats.counters["gt_redundant"] == 2


def near_copy(text: str, k: int, seed: int) -> str:
    """``text`` with ``k`` words replaced (a near duplicate)."""
    rng = random.Random(seed)
    ws = text.split()
    for i in rng.sample(range(len(ws)), k):
        ws[i] = "zebra"
    return " ".join(ws)


def test_minhash_dedup_finds_near_duplicates_not_distinct_docs():
    pytest.importorskip("datasketch")
    from pretrainlab.data.curate.minhash_dedup import MinHashDedup, MinHashDedupConfig

    long_text = " ".join(story(i) for i in range(3))  # ~320 words
    others = [labelled(" ".join(story(100 + 3 * j + i) for i in range(3)), 10 + j) for j in range(5)]
    docs = [labelled(long_text, 0), *others,
            labelled(near_copy(long_text, 3, 1), 1, dup_of="d0", dup_kind="near"),
            labelled(near_copy(long_text, 5, 2), 2, dup_of="d0", dup_kind="near")]
    out, stats = run(MinHashDedup(), docs)
    assert [d["meta"]["id"] for d in out] == ["d0"] + [f"d{10 + j}" for j in range(5)]
    assert stats.dropped == {"minhash_duplicate": 2}
    step = MinHashDedup(MinHashDedupConfig(num_buckets=20, hashes_per_bucket=5, jaccard_threshold=0.99))
    assert run(step, docs)[1].n_dropped == 0  # near copies are below Jaccard 0.99


def test_minhash_needs_datasketch_hint(monkeypatch):
    import builtins

    from pretrainlab.data.curate import minhash_dedup

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "datasketch":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ConfigError, match=r"pip install 'pretrainlab\[dedup\]'"):
        minhash_dedup.MinHashDedup()


# -- decontamination ----------------------------------------------------------------------------
def test_decontaminate_drops_overlaps_with_eval_items(tmp_path):
    items = [{"prompt": "Q: What is the birth city of Kiralo Venn? A:", "answer": " Tamoton"},
             {"prompt": "Q: 37 + 48 = ? A:", "answer": " 85"},
             {"prompt": "Hi", "answer": " yo"}]
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "qa.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))
    step = Decontaminate(DecontaminateConfig(eval_paths=[str(tmp_path / "eval")], n=13))
    docs = [doc(GOOD + " Q: What is the birth city of Kiralo Venn? A: Tamoton"),
            doc("Q: 37 + 48 = ? A: 85\nQ: 1 + 1 = ? A: 2"),
            doc("Q: 37 + 48 = ? A: 86 is wrong."),  # differs in the answer: kept
            doc(GOOD)]
    out, stats = run(step, docs)
    assert [d["text"] for d in out] == [docs[2]["text"], GOOD]
    assert stats.dropped == {"contaminated": 2}
    assert stats.info == {"eval_items": 3, "eval_items_too_short": 1}
    assert docs[1]["meta"]["contaminated_ngram"] == "q : 37 + 48 = ? a : 85"


def test_decontaminate_checks_paths_before_reading():
    with pytest.raises(ConfigError, match="no such file"):
        DecontaminateConfig(eval_paths=["/nonexistent/eval"]).validate()


# -- classifiers --------------------------------------------------------------------------------
def toy_task(n: int = 60, seed: int = 0):
    rng = random.Random(seed)
    good = "the river the farmer walked with friends and slept by the fire".split()
    bad = "click buy cheap deal now free offer win prize best price".split()
    texts, labels = [], []
    for i in range(n):
        vocab, label = (good, 1) if i % 2 == 0 else (bad, 0)
        texts.append(" ".join(rng.choice(vocab) for _ in range(20)))
        labels.append(label)
    return texts, labels


def test_classifier_learns_separable_task_and_round_trips(tmp_path):
    texts, labels = toy_task()
    clf = HashedLogReg(n_features=2**14).fit(texts, labels, epochs=100)
    test_texts, test_labels = toy_task(40, seed=1)
    acc = ((clf.predict_proba(test_texts) > 0.5) == np.array(test_labels)).mean()
    assert acc == 1.0
    clf.save(tmp_path / "m.npz")
    loaded = HashedLogReg.load(tmp_path / "m.npz")
    np.testing.assert_allclose(loaded.predict_proba(test_texts), clf.predict_proba(test_texts))


def test_quality_classifier_step(tmp_path):
    texts, labels = toy_task()
    HashedLogReg(n_features=2**14).fit(texts, labels, epochs=100).save(tmp_path / "q.npz")
    step = QualityClassifier(QualityClassifierConfig(model=str(tmp_path / "q.npz")))
    out, stats = run(step, [doc(texts[0]), doc(texts[1])])
    assert len(out) == 1 and out[0]["meta"]["quality_score"] > 0.5
    assert stats.dropped == {"quality_classifier": 1}
    with pytest.raises(ConfigError, match="no such model file"):
        QualityClassifierConfig(model=str(tmp_path / "missing.npz")).validate()


def test_toxicity_lexicon_and_classifier(tmp_path):
    docs = [labelled(GOOD, 0), labelled(GOOD + " You GRELK vozzard!", 1, toxic=1)]
    out, stats = run(Toxicity(ToxicityConfig(markers=["grelk", "vozzard"])), docs)
    assert [d["meta"]["id"] for d in out] == ["d0"]
    assert stats.dropped == {"toxic_lexicon": 1} and stats.counters["marker_hits"] == 2
    dense = Toxicity(ToxicityConfig(markers=["grelk"], max_density=0.05))
    assert run(dense, docs)[1].n_dropped == 0  # 1 marker in ~100 words is below 5%
    texts, labels = toy_task()
    HashedLogReg(n_features=2**14).fit(texts, [1 - y for y in labels], epochs=100).save(tmp_path / "t.npz")
    clf = Toxicity(ToxicityConfig(use_lexicon=False, model=str(tmp_path / "t.npz")))
    assert run(clf, [doc(texts[0]), doc(texts[1])])[1].dropped == {"toxic_classifier": 1}


def test_inverse_toxicity_keeps_only_toxic_docs_of_its_domains():
    docs = [labelled(GOOD, 0, domain="dialog"), labelled(GOOD + " You grelk!", 1, toxic=1, domain="dialog"),
            labelled(GOOD, 2, domain="story")]
    out, stats = run(Toxicity(ToxicityConfig(markers=["grelk"], invert=True, domains=["dialog"])), docs)
    assert [d["meta"]["id"] for d in out] == ["d1", "d2"]
    assert stats.dropped == {"inverse_toxicity": 1} and stats.skipped_domain == 1


def test_toxicity_without_markers_explains(monkeypatch):
    from pretrainlab.data.curate import toxicity

    monkeypatch.setattr(toxicity, "WORLD_MARKERS", "pretrainlab.no_such_module")
    with pytest.raises(ConfigError, match="Pass markers"):
        Toxicity()


def test_simplify_without_rewriters_explains(monkeypatch):
    from pretrainlab.data.curate import simplify

    monkeypatch.setattr(simplify, "REWRITE_MODULE", "pretrainlab.no_such_module")
    with pytest.raises(ConfigError, match="REWRITERS"):
        Simplify(SimplifyConfig(rewriter="short_sentences"))
