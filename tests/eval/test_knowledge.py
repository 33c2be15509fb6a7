"""Knowledge acquisition: dynamic insertion until answered, placement rules, exposures, resume."""

import json

import pytest

from pretrainlab.data.insertions import InsertionConfig, InsertionPlan
from pretrainlab.eval import knowledge
from pretrainlab.eval.knowledge import KnowledgeTracker

B, T, STEPS, EVERY = 4, 31, 40, 5
FACTS = [{"prompt": f"Q: Where was person {i} born? A:", "answer": f" Town{i}"} for i in range(4)]


@pytest.fixture
def scripted(monkeypatch):
    """Fact i is answered once it has had >= 2*i + 1 exposures before the checked step (fact 3: never)."""
    box = {}

    def correct(model, tokenizer, items):
        tr = box["tracker"]
        idx = [FACTS.index(it) for it in items]
        return [i < 3 and tr.exposures_before(i, box["step"]) >= 2 * i + 1 for i in idx]

    monkeypatch.setattr(knowledge, "correct", correct)
    return box


def make(tokenizer, box, max_exposures=6):
    static = InsertionConfig("static", items=["alpha beta gamma"], count=30)
    plan = InsertionPlan([static], tokenizer, 0, B, T, STEPS)
    tr = KnowledgeTracker("kn", FACTS, tokenizer, plan, seed=0, check_every=EVERY, per_check=1,
                          max_exposures=max_exposures)
    box["tracker"] = tr
    return plan, tr


def run(tr, box, steps):
    for step in steps:
        box["step"] = step
        tr.check(None, step)


def test_facts_are_reinserted_until_answered(tokenizer, scripted):
    plan, tr = make(tokenizer, scripted)
    run(tr, scripted, range(0, STEPS, EVERY))
    facts = tr.state.facts
    assert [f.exposures_to_acquire for f in facts[:3]] == [1, 3, 5]
    assert facts[3].acquired_step is None and facts[3].scheduled == 6  # capped by max_exposures
    for f in facts[:3]:  # no more insertions after acquisition
        assert all(p.step < f.acquired_step for p in tr.state.placements if p.item == f.item)
    spans = {}
    for p in plan.placements():  # static + dynamic: inside one row, EOT-wrapped, no overlaps
        assert p.tokens[0] == p.tokens[-1] == tokenizer.eos_id and 0 <= p.offset <= T + 1 - len(p.tokens)
        spans.setdefault((p.step, p.row), []).append((p.offset, p.offset + len(p.tokens)))
    for row in spans.values():
        row.sort()
        assert all(a[1] <= b[0] for a, b in zip(row, row[1:]))
    assert {p.experiment for p in plan.dynamic} == {"kn"} and len(plan.dynamic) == len(tr.state.placements)


def test_a_correct_guess_before_any_exposure_is_not_acquisition(tokenizer, monkeypatch):
    """A fact answered right at every check (e.g. the model's most frequent answer) is acquired only
    after it has been inserted at least once, with exposures >= 1."""
    monkeypatch.setattr(knowledge, "correct", lambda model, tok, items: [True] * len(items))
    box = {}
    plan, tr = make(tokenizer, box)
    run(tr, box, [0])
    assert all(f.acquired_step is None and f.scheduled == 1 for f in tr.state.facts)
    run(tr, box, [EVERY])
    exposed = [tr.exposures_before(i, EVERY) for i in range(len(FACTS))]
    assert any(exposed)  # placements may be pushed past the interval by collisions, but not all of them
    assert [f.exposures_to_acquire for f in tr.state.facts] == [n if n else None for n in exposed]


def test_placements_only_in_untrained_steps(tokenizer, scripted):
    plan, tr = make(tokenizer, scripted)
    for step in range(0, STEPS, EVERY):
        before = len(tr.state.placements)
        run(tr, scripted, [step])
        assert all(p.step >= step for p in tr.state.placements[before:])


def test_state_round_trip_resumes_the_same_schedule(tokenizer, scripted, tmp_path):
    plan, tr = make(tokenizer, scripted, max_exposures=20)
    run(tr, scripted, range(0, STEPS, EVERY))
    straight = list(plan.placements())

    plan2, tr2 = make(tokenizer, scripted, max_exposures=20)
    run(tr2, scripted, range(0, 15, EVERY))
    saved = json.loads(json.dumps(tr2.state.to_json(15)))
    plan3, tr3 = make(tokenizer, scripted, max_exposures=20)
    tr3.restore(saved)
    run(tr3, scripted, range(15, STEPS, EVERY))
    assert plan3.placements() == straight
    assert tr3.state.facts == tr.state.facts
    plan3.write_log(tmp_path / "insertions.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "insertions.jsonl").read_text().splitlines()]
    assert sum(r["dynamic"] for r in rows) == len(tr.state.placements) > 0


def test_restore_rejects_a_state_from_another_plan(tokenizer, scripted):
    plan, tr = make(tokenizer, scripted)
    run(tr, scripted, [0])
    saved = tr.state.to_json(5)
    taken = [(p.step * B + p.row) * (T + 1) + p.offset for p in tr.state.placements]
    plan2 = InsertionPlan([InsertionConfig("x", items=["alpha beta gamma"], positions=taken)], tokenizer, 1, B, T,
                          STEPS)
    tr2 = KnowledgeTracker("kn", FACTS, tokenizer, plan2, 0, EVERY, 1, 6)
    with pytest.raises(ValueError, match="overlaps another placement"):
        tr2.restore(saved)
