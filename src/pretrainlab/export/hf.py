"""Export a run's decoder to the Hugging Face ``transformers`` Llama format (offline, no hub).

Writes ``config.json`` (``LlamaForCausalLM``), ``model.safetensors``, ``tokenizer.json``,
``tokenizer_config.json`` (``PreTrainedTokenizerFast`` with eos/bos/pad; pad falls back to end-of-text for a
tokenizer without ``<|pad|>``), ``generation_config.json`` and a ``README.md`` model card (export/model_card.py).
Facts checked on these machines (shared/design/HF-EXPORT-NOTES.md): transformers 4.x needs a top-level
``rope_theta`` and rejects 5.x's ``TokenizersBackend`` class name; lm-eval needs an ``eos_token``.
Writing the files needs no ``transformers``; loading them does (``pip install 'pretrainlab[hf]'``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from safetensors.torch import save_file

from pretrainlab.checkpoint import read_model_config, read_weights, resolve_checkpoint
from pretrainlab.data.tokenizer import EOS, PAD
from pretrainlab.export.model_card import model_card
from pretrainlab.outdir import MARKER, OutDirError, owner


DTYPES = {"fp32": ("float32", None), "bf16": ("bfloat16", "bfloat16"), "fp16": ("float16", "float16")}
"""``--dtype``: the ``torch_dtype`` written to config.json and the dtype the weights are stored in."""


def llama_config(mc: dict, eos_id: int, pad_id: int, torch_dtype: str = "float32") -> dict:
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
        "torch_dtype": torch_dtype, "use_cache": True,
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


EXPORT_KIND = "hf-export"


def export_hf(run_or_ckpt: str | Path, out_dir: str | Path, dtype: str = "fp32") -> Path:
    """Export the newest intact checkpoint of a run (or a checkpoint dir) into ``out_dir``, weights in ``dtype``
    (fp32, bf16, fp16), with a README.md model card."""
    import torch

    from pretrainlab.data.tokenizer import Tokenizer
    from pretrainlab.optim.lowrank import merge_lowrank_weights

    ckpt = resolve_checkpoint(run_or_ckpt)
    mc = read_model_config(ckpt)
    if mc.get("family", "decoder") != "decoder":
        raise ValueError(f"{ckpt}: only decoder models export to the HF Llama format")
    tok_path = ckpt / "tokenizer.json"
    tokenizer = Tokenizer.load(tok_path)
    weights = merge_lowrank_weights(read_weights(ckpt))  # low-rank runs: W = [W0 +] s B A
    if "embed_tokens.weight" not in weights and "lm_head.weight" in weights:
        weights["embed_tokens.weight"] = weights["lm_head.weight"]
    out = _export_target(Path(out_dir), ckpt)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))  # a sibling: the rename is atomic
    if dtype not in DTYPES:
        raise ValueError(f"--dtype {dtype!r}: choose one of {list(DTYPES)}")
    torch_dtype, cast = DTYPES[dtype]
    # a user tokenizer may have no <|pad|>: pad with end-of-text then (transformers would add a new id otherwise)
    pad = PAD if tokenizer.hf.token_to_id(PAD) is not None else EOS
    pad_id = tokenizer.hf.token_to_id(pad)
    (tmp / "config.json").write_text(json.dumps(llama_config(mc, tokenizer.eos_id, pad_id, torch_dtype), indent=1))
    state = hf_state_dict(weights, mc["tie_embeddings"])
    if cast:
        state = {k: v.to(getattr(torch, cast)) for k, v in state.items()}
    save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})
    shutil.copy(tok_path, tmp / "tokenizer.json")
    (tmp / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "eos_token": EOS, "bos_token": EOS, "pad_token": pad,
        "unk_token": None, "model_max_length": mc["max_seq_len"], "clean_up_tokenization_spaces": False,
    }, indent=1))
    (tmp / "special_tokens_map.json").write_text(json.dumps({"eos_token": EOS, "bos_token": EOS, "pad_token": pad}))
    (tmp / "generation_config.json").write_text(json.dumps(
        {"bos_token_id": tokenizer.eos_id, "eos_token_id": tokenizer.eos_id, "pad_token_id": pad_id}))
    (tmp / "README.md").write_text(model_card(ckpt, mc, dtype))
    (tmp / MARKER).write_text(json.dumps({"kind": EXPORT_KIND}) + "\n")
    if out.exists():  # an earlier export of ours (checked above): swap it out, then delete it
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "export")
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)
    return out


def _export_target(out: Path, ckpt: Path) -> Path:
    """``out`` if it is new, empty or an earlier export (marker ``hf-export``); never inside the run's
    directory or a folder of the user's files."""
    run_dir = ckpt.parent.parent if ckpt.parent.name == "checkpoints" else ckpt
    target = out.expanduser().resolve()
    if target == run_dir.resolve() or run_dir.resolve() in target.parents:
        what = "is the run directory" if target == run_dir.resolve() else f"is inside the run directory {run_dir}"
        raise OutDirError(f"{out} {what}; export to a directory outside it")
    if target.exists() and not target.is_dir():
        raise OutDirError(f"{out} is a file, not a directory; choose a new directory for the export")
    if target.is_dir() and any(target.iterdir()) and owner(target) != EXPORT_KIND:
        entries = sorted(e.name for e in target.iterdir())[:5]
        raise OutDirError(f"{out} is not empty and not an earlier pretrainlab export ({', '.join(entries)} …); "
                          "exports never overwrite other files: choose a new or empty directory")
    return target
