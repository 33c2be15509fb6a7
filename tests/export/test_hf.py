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


def _user_tokenizer_without_pad(path):
    """A byte-level BPE a user trained elsewhere: end-of-text only, no <|pad|>."""
    from tokenizers import Tokenizer as HF, decoders, models, pre_tokenizers, trainers

    from tests.conftest import TEXTS

    hf = HF(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    hf.train_from_iterator(TEXTS, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    hf.save(str(path))
    return hf


def test_tokenizer_without_pad_exports_padded_batches(tmp_path):
    hf_tok = _user_tokenizer_without_pad(tmp_path / "tokenizer.json")
    assert hf_tok.token_to_id("<|pad|>") is None
    model = tiny_decoder(vocab_size=hf_tok.get_vocab_size(), seq_len=64)
    ckpt = save_checkpoint(tmp_path / "ckpts", model, None, TrainState(step=1), tmp_path / "tokenizer.json")
    out = export_hf(ckpt, tmp_path / "hf")
    tok = transformers.AutoTokenizer.from_pretrained(out)
    hf = transformers.AutoModelForCausalLM.from_pretrained(out)
    assert tok.pad_token == "<|endoftext|>" and len(tok) == hf_tok.get_vocab_size()  # no id added past the vocab
    tok.padding_side = "left"
    batch = tok(["Once upon a time", "Q: 1 + 2"], return_tensors="pt", padding=True)
    with torch.no_grad():
        scores = hf(**batch).logits
        gen = hf.generate(**batch, max_new_tokens=3, do_sample=False, pad_token_id=tok.pad_token_id)
    assert scores.shape[:2] == batch.input_ids.shape and gen.shape == (2, batch.input_ids.shape[1] + 3)


def test_bf16_export_and_model_card(tmp_path, tokenizer):
    model = tiny_decoder(vocab_size=tokenizer.vocab_size, seq_len=64)
    tokenizer.save(tmp_path / "tokenizer.json")
    ckpt = save_checkpoint(tmp_path / "run" / "checkpoints", model, None, TrainState(step=2), tmp_path / "tokenizer.json")
    out = export_hf(ckpt, tmp_path / "hf", dtype="bf16")
    from safetensors.torch import load_file

    assert {t.dtype for t in load_file(str(out / "model.safetensors")).values()} == {torch.bfloat16}
    hf = transformers.AutoModelForCausalLM.from_pretrained(out)
    assert hf.config.torch_dtype == torch.bfloat16 and hf.config.max_position_embeddings == 64
    card = (out / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: transformers\n") and "in bf16" in card
    with pytest.raises(ValueError, match="--dtype 'int8'"):
        export_hf(ckpt, tmp_path / "hf8", dtype="int8")
