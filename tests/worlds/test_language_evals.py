"""``langevals``: fact QA and held-out-template word problems in the world's synthetic languages."""

from __future__ import annotations

import re

import pytest

from pretrainlab.eval.suite import language_metric_names, language_task_metrics
from pretrainlab.worlds.text import TextWorldConfig
from pretrainlab.worlds.text.domains import arithmetic
from pretrainlab.worlds.text.langevals import HELD_OUT_TEMPLATES
from pretrainlab.worlds.text.vocab import fixed_words, words_in
from pretrainlab.worlds.text.world import TextWorld


@pytest.fixture(scope="module")
def world():
    return TextWorld(TextWorldConfig(n_docs=400, n_people=30, n_cities=10, n_companies=10, arith_eval_n=60,
                                     languages=("zorbish", "vellan:reverse"), language_frac=0.2,
                                     translated={"qa": 0.1, "arithmetic": 0.1}))


def test_held_out_templates_use_fixed_words_and_no_training_phrasing():
    for op, template in HELD_OUT_TEMPLATES.items():
        assert words_in(re.sub(r"\{\w+\}", " ", template)) <= fixed_words()
        assert template not in arithmetic.TEMPLATES and arithmetic.WORD_PROBLEMS[op].split(".")[0] not in template


def test_word_problems_are_reserved_translated_and_answerable(world):
    sets = world.eval_sets()
    lang = world.knobs.languages["zorbish"]
    items = sets["word_problems_zorbish"]
    assert len(items) == world.cfg.arith_eval_n
    for it in items:
        assert arithmetic.reserved(world.cfg.seed, it["a"], it["op"], it["b"])  # never in training
        assert it["answer"] == f" {arithmetic.solve(it['a'], it['op'], it['b'])}"
        assert len(set(it["choices"])) == 5 and it["choices"][it["answer_index"]] == it["answer"]
        assert lang.back(it["prompt"]) == it["english_prompt"] and it["prompt"] != it["english_prompt"]
    assert sets["word_problems_vellan"] == [] and sets["fact_qa_vellan"] == []  # reverse: answer precedes cue


def test_fact_qa_in_the_language_keeps_groups_and_answers(world):
    sets = world.eval_sets()
    lang = world.knobs.languages["zorbish"]
    english = {it["id"]: it for it in sets["fact_qa"]}
    items = sets["fact_qa_zorbish"]
    assert len(items) == len(english) and {it["group"] for it in items} == {"train_people", "test_people"}
    for it in items:
        src = english[it["id"].removeprefix("fact_qa_zorbish-")]
        assert it["answer_index"] == src["answer_index"] and it["choices"][it["answer_index"]] == it["answer"]
        assert lang.back(it["prompt"] + it["answer"]) == src["prompt"] + src["answer"]


def test_metrics_named_up_front_and_stale_worlds_fail(world):
    class Cfg:
        languages = ("zorbish", "vellan:reverse")

    assert language_metric_names(Cfg, True, True) == {
        "eval/zorbish/fact_qa/train_people", "eval/zorbish/fact_qa/test_people", "eval/zorbish/word_problems"}
    assert language_metric_names(Cfg, False, False) == set()
    stale = {"parallel_zorbish": world.eval_sets()["parallel_zorbish"]}
    with pytest.raises(RuntimeError, match="older version"):
        language_task_metrics(None, None, stale, 10)
    assert language_task_metrics(None, None, stale, 10, fact_qa=False, arithmetic=False) == {}
