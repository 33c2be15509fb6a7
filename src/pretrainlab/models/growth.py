"""Model growth for the decoder: bert2BERT (Chen et al., ACL 2022, arXiv 2110.07143), METHODS-1 #14.

Pure functions: (small state dict, small config, large config, method, seed) -> large state dict.
Methods: ``fpi`` / ``aki`` (width), ``stack`` (depth), ``fpi+stack`` / ``aki+stack`` (width, then depth).

**Width by function-preserving initialization (FPI).** Every widened dimension (residual stream
``d -> D``, FFN hidden ``f -> F``, attention heads ``h -> H``) keeps its first units and fills the new
ones with copies: unit ``i`` copies ``g(i)`` (``g(i) = i`` for old units; new units draw sources as random
permutations of the old ones, so copy counts ``C_j`` differ by at most one). The layer that *reads* a
copied unit splits its weight among the ``C_j`` copies (bert2BERT: divide by ``C_{g(i)}``), so sums are
unchanged. Heads are copied whole (q, k, v rows of a head; GQA copies whole kv groups), so the head
width ``Dh`` -- and with it RoPE and the ``1/sqrt(Dh)`` scale -- must stay the same.

**RMSNorm.** Copying residual units changes ``mean(x^2)`` unless all ``C_j`` are equal. Exact treatment,
for any copy counts: residual unit ``i`` carries ``mu_i * x_{g(i)}`` with ``mu_i = sqrt(D / (d C_{g(i)}))``
(every writer -- embedding, ``o_proj``, ``down_proj`` rows -- is scaled by ``mu_i``). Then
``sum_i x'_i^2 = (D/d) sum_j x_j^2``: the mean square over ``D`` equals the small model's over ``d``,
``eps`` included, so ``rms(x') = rms(x)`` exactly. Block norms get gains ``w_{g(i)} / mu_i`` (their output
is the small model's normalized vector, copied); the final norm gets ``w_{g(i)} * d / D`` so that the
LM head ``mu_i * W[:, g(i)]`` -- the same matrix as the embedding, so tied embeddings stay tied -- sums to
the small model's logits (``sum_{i in g^-1(j)} mu_i^2 = D/d``). When ``D = k d`` all ``mu_i = 1``.
The grown model computes the small model's function up to float rounding (tests: step-0 loss equal
within 1e-4 in float32, measured ~1e-6).

**Symmetry.** Copies with equal split weights get equal gradients, and AdamW keeps them equal forever,
so the grown model would never use its extra width (BERT's dropout breaks this; the decoder has none).
``noise`` splits each read weight among the copies by random fractions ``(1 + z_i - mean_copies(z)) / C``,
``z ~ N(0, noise^2)``, which still sum to 1: function preserved exactly, symmetry broken. ``noise=0`` is
the paper's split.

**AKI (advanced knowledge initialization).** As FPI, but the *new* FFN hidden units and heads of layer
``l`` take their weights (in and out) from layer ``l+1``'s units ``g(i)``; old and new units' out weights
are divided by ``C``. This breaks symmetry with knowledge from the next layer but is *not* function
preserving. The top layer has no ``l+1`` and uses FPI. The residual stream is widened as in FPI.

**Depth by stacking** (StackBERT / bert2BERT): layer ``i`` of the deep model copies layer ``i mod L``.
Not function preserving: every block adds its residual update again.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import torch

from pretrainlab.models.decoder import DecoderConfig

GROW_METHODS = ("fpi", "aki", "stack", "fpi+stack", "aki+stack")
READERS = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "mlp.gate_proj", "mlp.up_proj")
WRITERS = ("self_attn.o_proj", "mlp.down_proj")


def unit_map(n_small: int, n_large: int, gen: torch.Generator) -> torch.Tensor:
    """``g``: large unit -> small unit it copies; identity first, then random permutations of the old units."""
    if n_large < n_small:
        raise ValueError(f"growth cannot shrink a dimension ({n_small} -> {n_large})")
    extra = n_large - n_small
    rounds = [torch.randperm(n_small, generator=gen) for _ in range(math.ceil(extra / n_small))]
    return torch.cat([torch.arange(n_small), *rounds])[:n_large]


def split_fractions(g: torch.Tensor, n_small: int, rows: int, noise: float, gen: torch.Generator) -> torch.Tensor:
    """(rows, n_large) fractions that sum to 1 over the copies of each small unit (per row)."""
    counts = torch.bincount(g, minlength=n_small).float()
    frac = (1.0 / counts[g]).expand(rows, -1).clone()
    if noise > 0:
        z = torch.randn(rows, len(g), generator=gen) * noise
        mean = torch.zeros(rows, n_small).index_add_(1, g, z) / counts
        frac = frac * (1 + z - mean[:, g])
    return frac


def _head_rows(g_heads: torch.Tensor, dh: int) -> torch.Tensor:
    return (g_heads[:, None] * dh + torch.arange(dh)).flatten()


def check_growable(small: DecoderConfig, large: DecoderConfig, method: str) -> None:
    """Raise ValueError naming the field when ``small`` cannot grow into ``large`` by ``method``."""
    s, t = small.resolved(), large.resolved()
    if method not in GROW_METHODS:
        raise ValueError(f"train.grow: unknown method '{method}'; choose one of {list(GROW_METHODS)}")
    if s.vocab_size != t.vocab_size:
        raise ValueError(f"growth needs the same vocabulary (small {s.vocab_size}, large {t.vocab_size})")
    if s.d_model // s.n_heads != t.d_model // t.n_heads:
        raise ValueError(f"growth keeps the head width: small d_model/n_heads = {s.d_model // s.n_heads}, "
                         f"large {t.d_model // t.n_heads}; set model.n_heads = {t.d_model * s.n_heads // s.d_model}")
    if s.n_heads // s.n_kv_heads != t.n_heads // t.n_kv_heads:
        raise ValueError("growth keeps the GQA group size n_heads/n_kv_heads "
                         f"(small {s.n_heads // s.n_kv_heads}, large {t.n_heads // t.n_kv_heads})")
    if s.tie_embeddings != t.tie_embeddings:
        raise ValueError("growth keeps model.tie_embeddings as in the small model")
    widen = (s.d_model, s.n_heads, s.ffn_hidden) != (t.d_model, t.n_heads, t.ffn_hidden)
    deepen = s.n_layers != t.n_layers
    if min(t.d_model - s.d_model, t.n_heads - s.n_heads, t.ffn_hidden - s.ffn_hidden, t.n_layers - s.n_layers) < 0:
        raise ValueError(f"growth cannot shrink: small {s.d_model}d/{s.n_heads}h/{s.ffn_hidden}f/{s.n_layers}L, "
                         f"large {t.d_model}d/{t.n_heads}h/{t.ffn_hidden}f/{t.n_layers}L")
    if deepen and "stack" not in method:
        raise ValueError(f"train.grow={method} keeps n_layers ({s.n_layers} -> {t.n_layers}); use '{method}+stack'")
    if widen and method == "stack":
        raise ValueError("train.grow=stack keeps the width; use fpi+stack or aki+stack to widen too")


def _widen(sd: dict, s: DecoderConfig, t: DecoderConfig, aki: bool, noise: float, gen: torch.Generator) -> dict:
    d, D, L, dh = s.d_model, t.d_model, s.n_layers, s.d_model // s.n_heads
    g = unit_map(d, D, gen)
    mu = torch.sqrt(D / (d * torch.bincount(g, minlength=d).float()[g]))  # (D,)
    out = {"embed_tokens.weight": sd["embed_tokens.weight"][:, g] * mu,
           "norm.weight": sd["norm.weight"][g] * d / D}
    if not s.tie_embeddings:
        out["lm_head.weight"] = sd["lm_head.weight"][:, g] * mu
    res = []  # per layer: residual-widened tensors (reader columns split, writer rows scaled)
    for i in range(L):
        p = f"layers.{i}."
        layer = {n: sd[p + n + ".weight"][g] / mu for n in ("input_layernorm", "post_attention_layernorm")}
        for n in READERS:
            w = sd[p + n + ".weight"]
            layer[n] = w[:, g] * split_fractions(g, d, w.shape[0], noise, gen)
        for n in WRITERS:
            layer[n] = sd[p + n + ".weight"][g] * mu[:, None]
        res.append(layer)

    rep = s.n_heads // s.n_kv_heads
    g_kv = unit_map(s.n_kv_heads, t.n_kv_heads, gen)
    g_q = (g_kv[:, None] * rep + torch.arange(rep)).flatten()  # whole GQA groups are copied
    g_f = unit_map(s.ffn_hidden, t.ffn_hidden, gen)
    rows_q, rows_kv = _head_rows(g_q, dh), _head_rows(g_kv, dh)
    for i, layer in enumerate(res):
        src = res[i + 1] if aki and i + 1 < L else layer
        new = {}
        for names, rows, n_small in ((("self_attn.q_proj",), rows_q, s.n_heads * dh),
                                     (("self_attn.k_proj", "self_attn.v_proj"), rows_kv, s.n_kv_heads * dh),
                                     (("mlp.gate_proj", "mlp.up_proj"), g_f, s.ffn_hidden)):
            for n in names:
                new[n] = torch.cat([layer[n], src[n][rows[n_small:]]])
        for n, cols, n_small in (("self_attn.o_proj", rows_q, s.n_heads * dh), ("mlp.down_proj", g_f, s.ffn_hidden)):
            w = torch.cat([layer[n], src[n][:, cols[n_small:]]], dim=1)
            if src is layer:  # FPI: copies, split with symmetry-breaking fractions
                new[n] = w * split_fractions(cols, n_small, w.shape[0], noise, gen)
            else:  # AKI: old and next-layer units both divided by the copy count
                new[n] = w / torch.bincount(cols, minlength=n_small).float()[cols]
        for n in ("input_layernorm", "post_attention_layernorm"):
            new[n] = layer[n]
        out.update({f"layers.{i}.{n}.weight": w for n, w in new.items()})
    return out


def _stack(sd: dict, n_small: int, n_large: int) -> dict:
    out = {k: v for k, v in sd.items() if not k.startswith("layers.")}
    for k, v in sd.items():
        if k.startswith("layers."):
            _, i, rest = k.split(".", 2)
            for j in range(int(i), n_large, n_small):
                out[f"layers.{j}.{rest}"] = v.clone()
    return out


def grow_state_dict(sd: dict[str, torch.Tensor], small: DecoderConfig, large: DecoderConfig, method: str,
                    seed: int = 0, noise: float = 0.0) -> dict[str, torch.Tensor]:
    """The large model's state dict grown from the small one's (float32; tied head named as well)."""
    check_growable(small, large, method)
    s, t = small.resolved(), large.resolved()
    sd = {k: v.detach().float().cpu() for k, v in sd.items()}
    if s.tie_embeddings:
        sd.pop("lm_head.weight", None)
    gen = torch.Generator().manual_seed(seed)
    if method in ("fpi", "aki", "fpi+stack", "aki+stack"):
        sd = _widen(sd, s, t, method.startswith("aki"), noise, gen)
    if "stack" in method:
        sd = _stack(sd, s.n_layers, t.n_layers)
    if t.tie_embeddings:
        sd["lm_head.weight"] = sd["embed_tokens.weight"]
    return sd


def grow_model(small: torch.nn.Module, large_cfg: DecoderConfig, method: str, seed: int = 0,
               noise: float = 0.0) -> torch.nn.Module:
    """A new :class:`Decoder` with ``large_cfg`` (vocab and context from ``small``), grown from ``small``."""
    from pretrainlab.models.decoder import Decoder

    cfg = replace(large_cfg, vocab_size=small.cfg.vocab_size, max_seq_len=small.cfg.max_seq_len)
    model = Decoder(cfg)
    model.load_state_dict(grow_state_dict(small.state_dict(), small.cfg, cfg, method, seed, noise))
    return model


def load_grown(model: torch.nn.Module, ckpt: Path, method: str, seed: int = 0, noise: float = 0.0) -> None:
    """Load into ``model`` (plain, compiled, DDP or FSDP2) the weights grown from checkpoint ``ckpt``."""
    from safetensors.torch import load_file
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

    from pretrainlab.checkpoint import read_model_config

    fields = DecoderConfig.__dataclass_fields__
    small = DecoderConfig(**{k: v for k, v in read_model_config(ckpt).items() if k in fields})
    bare = getattr(model, "_orig_mod", model)
    large = getattr(bare, "module", bare).cfg
    try:
        sd = grow_state_dict(load_file(str(Path(ckpt) / "model.safetensors")), small, large, method, seed, noise)
    except ValueError as e:
        raise ValueError(f"train.grow from {ckpt}: {e}") from None
    set_model_state_dict(bare, sd, options=StateDictOptions(full_state_dict=True))
