"""The runner: parallel shards, resume from completion markers, atomic output, corrupt shards,
global dedup phase, exclusion writer, and the report's precision/recall on labelled docs."""

from __future__ import annotations

import gzip
import json

import pytest
from curate_helpers import GOOD, labelled, read_jsonl, story, write_jsonl

from pretrainlab.data.curate import curate
from pretrainlab.data.readers import DataError

FILTERS = ["normalize", {"name": "gopher_quality"}, {"name": "gopher_repetition"}]


def corpus(n: int = 12) -> list[dict]:
    """Clean stories plus one short and one repetitive doc, each labelled."""
    docs = [labelled(story(i), i) for i in range(n)]
    docs.append(labelled("Too short to keep.", 100, noise="short"))
    docs.append(labelled(GOOD + "\nBuy now!" * 8, 101, noise="repetition"))
    return docs


def config(tmp_path, folder, steps=FILTERS, **kw) -> dict:
    return {"input": str(folder), "output": str(tmp_path / "out"), "steps": steps, "workers": 1,
            **kw}


def test_parallel_run_matches_serial_and_resumes_one_shard(tmp_path, shards):
    folder = shards(corpus(), n=3)
    serial = curate({**config(tmp_path, folder), "output": str(tmp_path / "serial")})
    report = curate(config(tmp_path, folder, workers=2))
    out = tmp_path / "out"
    names = ["shard_00", "shard_01", "shard_02"]
    assert report["runner"]["shards_run"] == names
    for name in names:
        assert read_jsonl(out / "shards" / f"{name}.jsonl") == read_jsonl(
            tmp_path / "serial" / "shards" / f"{name}.jsonl")
    assert report["steps"] == serial["steps"] and report["output"]["documents"] == 12
    assert not list(out.rglob("*.tmp"))

    (out / "completions" / "shard_01.json").unlink()
    again = curate(config(tmp_path, folder, workers=2))
    assert again["runner"]["shards_run"] == ["shard_01"]
    assert again["runner"]["shards_reused"] == 2
    assert again["steps"] == report["steps"]
    assert curate(config(tmp_path, folder))["runner"]["shards_run"] == []
    changed = config(tmp_path, folder, steps=["normalize"])  # new config: markers are stale
    assert curate(changed)["runner"]["shards_run"] == names


def test_failed_shard_leaves_no_partial_output_and_reruns(tmp_path, shards):
    folder = shards(corpus(), n=3)
    bad = folder / "shard_01.jsonl"
    good_text = bad.read_text()
    bad.write_text(good_text + "{not json\n")
    with pytest.raises(DataError, match=r"shard_01\.jsonl:\d+: invalid JSON"):
        curate(config(tmp_path, folder))
    out = tmp_path / "out"
    assert (out / "completions" / "shard_00.json").exists()
    assert not (out / "shards" / "shard_01.jsonl").exists()
    assert not (out / "completions" / "shard_01.json").exists()
    assert not list(out.rglob("*.tmp"))
    bad.write_text(good_text)
    assert curate(config(tmp_path, folder))["runner"]["shards_run"] == ["shard_01", "shard_02"]


def test_corrupt_shards_are_skipped_and_reported_by_path(tmp_path, shards):
    folder = shards(corpus(), n=2)
    (folder / "shard_00.jsonl").write_text((folder / "shard_00.jsonl").read_text() + "{oops\n")
    (folder / "broken.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n' * 50)[:40])
    report = curate(config(tmp_path, folder, on_error="skip"))
    skipped = report["input"]
    assert skipped["skipped_reasons"] == {"invalid_json": 1, "corrupt_gzip": 1}
    assert any("shard_00.jsonl:" in e for e in skipped["examples"])
    assert any("broken.jsonl.gz" in e for e in skipped["examples"])
    assert report["output"]["documents"] == 12
    md = (tmp_path / "out" / "curation_report.md").read_text()
    assert "## Input problems" in md and "broken.jsonl.gz" in md


def test_global_dedup_phase_across_shards(tmp_path, shards):
    pytest.importorskip("datasketch")
    docs = corpus()
    docs += [labelled(docs[0]["text"], 200, dup_of="d0", dup_kind="exact"),
             labelled(docs[1]["text"].replace("The ", "A ", 1), 201, dup_of="d1", dup_kind="near")]
    folder = shards(docs, n=3)
    steps = FILTERS + ["exact_dedup", "minhash_dedup", "pii"]
    report = curate(config(tmp_path, folder, steps=steps, write_excluded=True))
    out = tmp_path / "out"
    assert report["output"]["documents"] == 12 and report["runner"]["global_ran"]
    assert [s["phase"] for s in report["steps"]] == [1, 1, 1, 2, 2, 2]
    dedup = {s["key"]: s for s in report["steps"]}
    assert dedup["exact_dedup"]["dropped"] == {"exact_duplicate": 1}
    assert dedup["minhash_dedup"]["dropped"] == {"minhash_duplicate": 1}
    assert (out / "stage1" / "shard_00.jsonl").exists() and (out / "completions" / "_global.json").exists()
    kept = [d["meta"]["id"] for k in range(3)
            for d in read_jsonl(out / "shards" / f"shard_{k:02d}.jsonl")]
    # d201 (a near copy of d1) sits in shard_00, before d1 in shard_01: first in shard order wins
    assert sorted(kept) == sorted({f"d{i}" for i in range(12)} - {"d1"} | {"d201"})
    excluded = read_jsonl(out / "excluded" / "minhash_dedup" / "shard_01.jsonl")
    assert [(d["meta"]["id"], d["meta"]["curation_reason"]) for d in excluded] == [
        ("d1", "minhash_duplicate")]
    scores = dedup["minhash_dedup"]["scores"]
    assert (scores["precision"], scores["cluster_precision"], scores["cluster_recall"]) == (0.0, 1.0, 1.0)
    assert curate(config(tmp_path, folder, steps=steps, write_excluded=True))["runner"][
        "global_ran"] is False
    (out / "completions" / "shard_02.json").unlink()
    again = curate(config(tmp_path, folder, steps=steps, write_excluded=True))
    assert again["runner"]["shards_run"] == ["shard_02"] and again["runner"]["global_ran"]
    assert again["steps"] == report["steps"]


def test_report_precision_recall_against_labels(tmp_path, shards):
    docs = [labelled(story(i), i) for i in range(10)]
    docs += [labelled("Too short.", 20, noise="short"), labelled("Also short here.", 21, noise="short"),
             labelled(story(22) + " with a typo", 22, noise="typos"),           # not caught
             labelled("Q: 1 + 2 = ? A: 3", 23, domain="arithmetic"),            # clean, dropped
             labelled(story(24) + " You grelk!", 24, toxic=1),
             labelled(story(25) + " Mail ann@ex.com now.", 25, pii=1, pii_values=["ann@ex.com"])]
    folder = shards(docs, n=2)
    steps = ["gopher_quality", {"name": "toxicity", "markers": ["grelk"]}, "pii"]
    report = curate(config(tmp_path, folder, steps=steps))
    gq, tox, pii = (s["scores"] for s in report["steps"])
    assert (gq["tp"], gq["fp"], gq["fn"]) == (2, 1, 1)
    assert gq["precision"] == pytest.approx(2 / 3, abs=1e-4) and gq["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert gq["recall_by_noise"] == {"short": 1.0, "typos": 0.0}
    assert gq["drop_rate_clean"] == {"arithmetic": 1.0, "story": 0.0}
    assert (tox["precision"], tox["recall"]) == (1.0, 1.0)
    assert (pii["value_recall"], pii["doc_recall"], pii["doc_precision"]) == (1.0, 1.0, 1.0)
    gt = report["ground_truth"]
    assert gt["recall"] == {"noisy": pytest.approx(2 / 3, abs=1e-4), "toxic": 1.0, "dup": None}
    assert gt["caught_by"]["noise:short"] == {"gopher_quality": 2}
    assert gt["drop_rate_clean"]["arithmetic"] == 1.0
    saved = json.loads((tmp_path / "out" / "curation_report.json").read_text())
    assert saved["steps"] == report["steps"]
    md = (tmp_path / "out" / "curation_report.md").read_text()
    assert "| gopher_quality | noisy | 66.7% | 66.7% | short 100.0% | arithmetic 100.0% | - |" in md


def test_unlabelled_docs_get_no_ground_truth(tmp_path):
    write_jsonl(tmp_path / "in" / "a.jsonl", [{"text": GOOD}, {"text": "short"}])
    report = curate(config(tmp_path, tmp_path / "in"))
    assert report["ground_truth"] == {} and report["steps"][1]["scores"] == {}
    assert report["totals"]["dropped_by_reason"] == {"gopher_short_doc": 1}
