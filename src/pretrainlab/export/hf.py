"""Export a run's decoder to the Hugging Face ``transformers`` Llama format (offline, no hub).

Writes ``config.json`` (``LlamaForCausalLM``), ``model.safetensors``, ``tokenizer.json``,
``tokenizer_config.json`` (``PreTrainedTokenizerFast`` with eos/bos/pad) and ``generation_config.json``.
Facts checked on these machines (shared/design/HF-EXPORT-NOTES.md): transformers 4.x needs a top-level
``rope_theta`` and rejects 5.x's ``TokenizersBackend`` class name; lm-eval needs an ``eos_token``.
Writing the files needs no ``transformers``; loading them does (``pip install 'pretrainlab[hf]'``).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from safetensors.torch import save_file

from pretrainlab.checkpoint import read_model_config, resolve_checkpoint
from pretrainlab.data.tokenizer import EOS, PAD


def llama_config(mc: dict, eos_id: int, pad_id: int) -> dict:
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama",
        "vocab_size": mc["vocab_size"], "hidden_size": mc["d_model"], "intermediate_size": mc["ffn_hidden"],
        "num_hidden_layers": mc["n_layers"], "num_attention_heads": mc["n_heads"],
        "num_key_value_heads": mc["n_kv_heads"], "head_dim": mc["d_model"] // mc["n_heads"],
        "max_position_embeddings": mc["max_seq_len"], "rms_norm_eps": mc["norm_eps"],
        "rope_theta": mc["rope_theta"],
        "rope_parameters": {"rope_type": "default", "rope_theta": mc["rope_theta"]},
        "hidden_act": "silu", "attention_bias": False, "mlp_bias": False, "attention_dropout": 0.0,
        "tie_word_embeddings": mc["tie_embeddings"], "initializer_range": mc["init_std"],
        "bos_token_id": eos_id, "eos_token_id": eos_id, "pad_token_id": pad_id,
        "torch_dtype": "float32", "use_cache": True,
    }


def hf_state_dict(weights: dict, tied: bool) -> dict:
    """Our parameter names are HF's without the ``model.`` prefix; tied lm_head is dropped."""
    out = {}
    for name, tensor in weights.items():
        if name == "lm_head.weight":
            if not tied:
                out[name] = tensor.contiguous()
        else:
            out[f"model.{name}"] = tensor.contiguous()
    return out


def export_hf(run_or_ckpt: str | Path, out_dir: str | Path) -> Path:
    """Export the newest checkpoint of a run (or a checkpoint dir) into ``out_dir``."""
    from safetensors.torch import load_file

    from pretrainlab.data.tokenizer import Tokenizer
    from pretrainlab.optim.lowrank import merge_lowrank_weights

    ckpt = resolve_checkpoint(run_or_ckpt)
    mc = read_model_config(ckpt)
    if mc.get("family", "decoder") != "decoder":
        raise ValueError(f"{ckpt}: only decoder models export to the HF Llama format")
    tok_path = ckpt / "tokenizer.json"
    tokenizer = Tokenizer.load(tok_path)
    weights = merge_lowrank_weights(load_file(str(ckpt / "model.safetensors")))  # low-rank runs: W = [W0 +] s B A
    if "embed_tokens.weight" not in weights and "lm_head.weight" in weights:
        weights["embed_tokens.weight"] = weights["lm_head.weight"]
    out = Path(out_dir)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    pad_id = tokenizer.hf.token_to_id(PAD)
    (tmp / "config.json").write_text(json.dumps(llama_config(mc, tokenizer.eos_id, pad_id), indent=1))
    save_file(hf_state_dict(weights, mc["tie_embeddings"]), str(tmp / "model.safetensors"),
              metadata={"format": "pt"})
    shutil.copy(tok_path, tmp / "tokenizer.json")
    (tmp / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "eos_token": EOS, "bos_token": EOS, "pad_token": PAD,
        "unk_token": None, "model_max_length": mc["max_seq_len"], "clean_up_tokenization_spaces": False,
    }, indent=1))
    (tmp / "special_tokens_map.json").write_text(json.dumps({"eos_token": EOS, "bos_token": EOS, "pad_token": PAD}))
    (tmp / "generation_config.json").write_text(json.dumps(
        {"bos_token_id": tokenizer.eos_id, "eos_token_id": tokenizer.eos_id, "pad_token_id": pad_id}))
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out
