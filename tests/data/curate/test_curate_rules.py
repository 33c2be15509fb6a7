"""Reference examples for the rule steps: one text that passes, one per reason that fails."""

from __future__ import annotations

import pytest
from curate_helpers import GOOD, doc

from pretrainlab.data.curate.base import StepStats
from pretrainlab.data.curate.c4 import C4, C4Config
from pretrainlab.data.curate.fineweb import FineWeb
from pretrainlab.data.curate.gopher_quality import GopherQuality, GopherQualityConfig
from pretrainlab.data.curate.gopher_repetition import GopherRepetition, duplicated_ngram_chars
from pretrainlab.data.curate.normalize import Normalize, NormalizeConfig
from pretrainlab.data.curate.text import tokens, words


def reason(step, text: str):
    return step.apply(doc(text), StepStats())


def test_tokens_split_punctuation_like_spacy():
    assert tokens("Don't stop... ok?") == ["Don't", "stop", "...", "ok", "?"]
    assert words("a , b #") == ["a", "b"]


@pytest.mark.parametrize("step", [GopherQuality(), GopherRepetition(), C4(), FineWeb()])
def test_reference_prose_passes(step):
    assert reason(step, GOOD) is None


@pytest.mark.parametrize("text, expected", [
    ("The cat and the dog ran.", "gopher_short_doc"),
    (" ".join(["a an is of to"] * 20), "gopher_below_avg_threshold"),
    (" ".join(["extraordinarily"] * 60) + " the and", "gopher_above_avg_threshold"),
    (GOOD + " #tag" * 15, "gopher_too_many_hashes"),
    (GOOD + " wait..." * 15, "gopher_too_many_ellipsis"),
    ("\n".join(f"- item {i} of the list with the words" for i in range(12)),
     "gopher_too_many_bullets"),
    ("\n".join(GOOD.split(". ")[:4]) + "\nand then...\nso...\nmore...", "gopher_too_many_end_ellipsis"),
    (GOOD + " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", "gopher_below_alpha_threshold"),
    (GOOD.replace("the ", "a ").replace("The ", "A ").replace(" and ", " or ")
     .replace(" to ", " at ").replace(" of ", " for ").replace(" that ", " which ")
     .replace(" with ", " by "), "gopher_enough_stop_words"),
])
def test_gopher_quality_reasons(text, expected):
    assert reason(GopherQuality(), text) == expected


def test_gopher_quality_count_punctuation_option():
    chatty = "\n".join(f"Anna: Hello, Boris. Is it the {i}th morning? Boris: Yes, indeed, and the "
                       "sunshine is lovely!" for i in range(6))
    assert reason(GopherQuality(), chatty) == "gopher_below_alpha_threshold"
    assert reason(GopherQuality(GopherQualityConfig(count_punctuation=False)), chatty) is None


@pytest.mark.parametrize("text, expected", [
    ("\n\n".join([GOOD[:80]] * 4 + ["other text here"]), "dup_para_frac"),
    ("\n\n".join([GOOD, GOOD[:300], GOOD[:300][::-1]]) + "\n\n" + GOOD[:300], "dup_para_char_frac"),
    ("\n".join([GOOD] + ["Buy now and save big."] * 6), "dup_line_frac"),
    ("\n".join([GOOD, GOOD.upper(), GOOD[:400], GOOD[:400]]), "dup_line_char_frac"),
    (GOOD + " the cat" * 40, "top_2_gram"),
    (GOOD + " " + " ".join(f"u{i} alpha beta gamma delta" for i in range(5)), "top_4_gram"),
    (GOOD + " " + GOOD[:200], "duplicated_5_n_grams"),
])
def test_gopher_repetition_reasons(text, expected):
    assert reason(GopherRepetition(), text) == expected


def test_duplicated_ngram_chars_skips_past_repeats():
    assert duplicated_ngram_chars(list("abab"), 2) == 2  # "ab" again at index 2
    assert duplicated_ngram_chars(list("abcd"), 2) == 0


def test_c4_removes_lines_and_counts_reasons():
    text = "\n".join([GOOD, "Read our privacy policy and terms of use here.", "Menu",
                      "Enable javascript to see this page.", "Sentence with [citation needed] end."])
    d, stats = doc(text), StepStats()
    assert C4().apply(d, stats) is None
    assert d["text"] == GOOD + "\nSentence with  end."
    assert stats.modified == {"c4_policy": 1, "c4_no_terminal_punct": 1, "c4_javascript": 1,
                              "c4_citation": 1}
    assert stats.counters["line-filter-policy"] == 1 and stats.counters["line-kept"] == 2


@pytest.mark.parametrize("text, expected", [
    (GOOD + "\nLorem ipsum dolor sit amet.", "lorem_ipsum"),
    (GOOD + "\nThe value is {x} in the end.", "curly_bracket"),
    ("One sentence here. Two sentences here.", "too_few_sentences"),
])
def test_c4_document_reasons(text, expected):
    assert reason(C4(), text) == expected


def test_c4_fineweb_mode_keeps_unpunctuated_lines():
    code = "def f(x):\n    return x + 1\n" * 3 + "print(f(2))  # 3\nprint(f(3))  # 4"
    assert reason(C4(), code) == "too_few_sentences"
    d = doc(code)
    assert C4(C4Config(filter_no_terminal_punct=False, min_words_per_line=1)).apply(
        d, StepStats()) is None


@pytest.mark.parametrize("text, expected", [
    ("\n".join(["a heading line without stop"] * 2 + [f"row {i} value" for i in range(20)]),
     "line_punct_ratio"),
    ("\n".join(["Short line."] * 10 + [GOOD]), "short_line_ratio"),
    ("\n".join([GOOD, "This exact sentence repeats.", "This exact sentence repeats."]),
     "char_dup_ratio"),
    ("\n".join(f"Antidisestablishmentarianism{i} notwithstanding." for i in range(40)),
     "list_ratio"),
])
def test_fineweb_reasons(text, expected):
    assert reason(FineWeb(), text) == expected


def test_normalize_modifies_and_keeps_indentation():
    d, stats = doc("ﬁne\u00a0day\u200b  \r\n\n\n\n    indented  line \n"), StepStats()
    assert Normalize(NormalizeConfig(form="NFKC")).apply(d, stats) is None
    assert d["text"] == "fine day\n\n    indented  line"
    assert set(stats.modified) == {"unicode", "invisible_chars", "whitespace"}
    assert reason(Normalize(), " \u200b\n ") == "empty_after_normalize"


def test_domain_restriction_passes_other_domains_untouched():
    docs = [doc("Q: 1 + 1 = ? A: 2", domain="arithmetic"), doc("too short", domain="story"),
            doc("no domain at all")]
    stats = StepStats()
    step = GopherQuality(GopherQualityConfig(domains=["story"]))
    out = list(step(iter(docs), stats))
    assert [d["meta"].get("domain") for d in out] == ["arithmetic"]
    assert stats.skipped_domain == 1 and stats.dropped == {"gopher_short_doc": 2}
    assert stats.seen == 3 and stats.kept == 1


def test_hashed_ngram_rules_match_string_versions():
    import numpy as np

    from pretrainlab.data.curate.gopher_repetition import (duplicated_ngram_chars_hashed,
                                                           top_ngram_chars, top_ngram_chars_hashed,
                                                           window_hashes)
    from pretrainlab.data.curate.text import ngrams

    for text in (GOOD, GOOD + " " + GOOD[:250], "a b a b a b c a b", "the cat the cat. the dog"):
        toks = tokens(text)
        vocab: dict[str, int] = {}
        ids = np.array([vocab.setdefault(t, len(vocab) + 1) for t in toks], dtype=np.uint64)
        lengths = np.concatenate([[0], np.cumsum([len(t) for t in toks])])
        hashes = window_hashes(ids, 10)
        for n in (2, 3, 4):
            assert top_ngram_chars_hashed(hashes[n], lengths, n) == top_ngram_chars(ngrams(toks, n))
        for n in range(5, 8):
            if n in hashes:
                assert duplicated_ngram_chars_hashed(hashes[n], lengths, n) == \
                    duplicated_ngram_chars(toks, n)
