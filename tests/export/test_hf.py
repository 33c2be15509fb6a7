"""Export parity: our decoder and transformers' LlamaForCausalLM give the same logits."""

import pytest
import torch

from pretrainlab.checkpoint import TrainState, save_checkpoint
from pretrainlab.export.hf import export_hf
from tests.conftest import tiny_decoder

transformers = pytest.importorskip("transformers")


@pytest.mark.parametrize("tied,kv", [(True, 4), (False, 2)])
def test_logits_match_transformers(tmp_path, tokenizer, tied, kv):
    model = tiny_decoder(vocab_size=tokenizer.vocab_size, seq_len=64, tie_embeddings=tied, n_kv_heads=kv,
                         rope_theta=5000.0)
    with torch.no_grad():  # non-trivial norm weights so a dropped norm would show
        for layer in model.layers:
            layer.input_layernorm.weight.uniform_(0.5, 1.5)
    tok_path = tmp_path / "tokenizer.json"
    tokenizer.save(tok_path)
    ckpt = save_checkpoint(tmp_path / "ckpts", model, None, TrainState(step=3), tok_path)
    out = export_hf(ckpt, tmp_path / "hf")

    hf = transformers.AutoModelForCausalLM.from_pretrained(out)
    hf_tok = transformers.AutoTokenizer.from_pretrained(out)
    text = "Q: 37 + 48 = ? A: 85. Once upon a time Kiralo Venn worked at Tamoru Labs."
    ids = hf_tok(text, return_tensors="pt").input_ids
    assert ids[0].tolist() == tokenizer.encode(text)
    assert hf_tok.eos_token == "<|endoftext|>"
    with torch.no_grad():
        ours = model(ids)
        theirs = hf(ids).logits
    assert torch.allclose(ours, theirs, atol=1e-4), (ours - theirs).abs().max()
