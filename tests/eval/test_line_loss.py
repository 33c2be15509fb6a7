"""eval/line_loss.py: the val loss split into toxic and clean lines adds up to the whole loss, and
each line is classified from its whole text even when windows cut it."""

import math

import numpy as np
import pytest
import torch

from pretrainlab.data.tokenizer import Tokenizer, TokenizerConfig
from pretrainlab.eval.line_loss import line_class_losses, line_ids, marker_classifier, toxic_line_metrics
from pretrainlab.eval.loss import eval_loss
from tests.conftest import tiny_decoder

DIALOG = "Mira: Hello, Tomas.\nTomas: Go away, you grelk!\nMira: That is not nice.\nTomas: Sorry."


@pytest.fixture(scope="module")
def tok():
    return Tokenizer.train([DIALOG, "Mira: Hello there.\nTomas: Fine, thank you."] * 10,
                           TokenizerConfig(vocab_size=300, min_frequency=1))


def _windows(tok, seq_len=8):
    stream = [tok.eos_id] + (tok.encode(DIALOG) + [tok.eos_id]) * 3
    n = (len(stream) - 1) // seq_len
    return torch.tensor([stream[k * seq_len:k * seq_len + seq_len + 1] for k in range(n)])


def test_line_ids_end_at_newlines_and_eos():
    assert line_ids(["<e>", "a", "\n", "b"], 0, [1, 2, 1, 0, 3]) == [0, 0, 1, 1, 2]


def test_marker_classifier_whole_words_any_case():
    classify = marker_classifier(["grelk"])
    assert classify("Go away, you GRELK!") == "toxic"
    assert classify("grelkish is fine") == "clean"


def test_classes_add_up_to_the_whole_loss(tok):
    windows = _windows(tok)
    model = tiny_decoder(vocab_size=tok.vocab_size, seq_len=8)
    got = line_class_losses(model, tok, windows, marker_classifier(["grelk"]))
    whole = eval_loss(model, windows, tok.token_bytes())
    assert set(got) == {"toxic", "clean"}
    assert got["toxic"]["tokens"] + got["clean"]["tokens"] == whole["tokens"]
    assert got["toxic"]["bytes"] + got["clean"]["bytes"] == whole["bytes"]
    total = sum(r["loss"] * r["tokens"] for r in got.values())
    assert total / whole["tokens"] == pytest.approx(whole["loss"], rel=1e-5)
    # the toxic line's tokens: one line per dialog copy, each fully inside the stream after the first window
    line = "Tomas: Go away, you grelk!\n"
    expected_bytes = sum(len(line) for _ in range(3))
    assert got["toxic"]["bytes"] == expected_bytes
    assert got["toxic"]["bpb"] == pytest.approx(got["toxic"]["loss"] * got["toxic"]["tokens"]
                                                / (math.log(2) * got["toxic"]["bytes"]))


def test_toxic_line_metrics_names_and_missing_class(tok):
    clean = torch.tensor([[tok.eos_id] + tok.encode("Mira: Hello there.\nTomas: Fine.")[:8]])
    model = tiny_decoder(vocab_size=tok.vocab_size, seq_len=8)
    out = toxic_line_metrics(model, tok, {"dialog": clean}, ["dialog", "story"])
    assert set(out) == {f"val/{m}/dialog/{c}_lines" for m in ("loss", "bpb") for c in ("toxic", "clean")}
    assert math.isnan(out["val/bpb/dialog/toxic_lines"]) and np.isfinite(out["val/bpb/dialog/clean_lines"])
