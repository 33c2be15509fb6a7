"""The ``README.md`` model card of an HF export: YAML front matter the Hub and serving tools read
(``library_name``, ``license``, ``tags``, ``pipeline_tag``) and what a user needs to trust the weights:
the training config, the data (sources and fingerprint), the run's final metrics and how it was exported.

Everything comes from the run directory behind the checkpoint (config.yaml, summary.json, run_info.json);
a checkpoint outside a run directory gets a card with the model config only.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

KEY_METRICS = ("val/loss", "val/bpb", "baseline/unigram_loss", "eval/fact_qa/train_people", "eval/fact_qa/test_people",
               "eval/arithmetic", "step", "tokens", "wall_s")


def _read(path: Path):
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text()) if path.suffix == ".yaml" else json.loads(path.read_text())


def model_card(ckpt: Path, model_config: dict, dtype: str, license: str = "other") -> str:
    run_dir = ckpt.parent.parent if ckpt.parent.name == "checkpoints" else None
    cfg = _read(run_dir / "config.yaml") if run_dir else None
    summary = _read(run_dir / "summary.json") if run_dir else None
    info = _read(run_dir / "run_info.json") if run_dir else None
    front = {"library_name": "transformers", "license": license, "pipeline_tag": "text-generation",
             "tags": ["pretrainlab", "llama", "synthetic-data" if (cfg or {}).get("data", {}).get("world") else "custom-data"]}
    lines = ["---", yaml.safe_dump(front, sort_keys=False).strip(), "---", "",
             f"# {(cfg or {}).get('name', ckpt.name)}", "",
             f"A Llama-architecture decoder trained with pretrainlab "
             f"({model_config.get('n_layers')} layers, d_model {model_config.get('d_model')}, "
             f"{model_config.get('n_heads')} heads, vocabulary {model_config.get('vocab_size')}, trained on sequences "
             f"of {model_config.get('max_seq_len')} tokens: `max_position_embeddings`). Exported from `{ckpt}` "
             f"in {dtype}.", ""]
    if cfg:
        data = cfg.get("data", {})
        sources = [s.get("name") for s in data.get("sources", [])] + (["synthetic world"] if data.get("world") else [])
        train = cfg.get("train", {})
        lines += ["## Training", "", f"- data: {', '.join(map(str, sources)) or 'unknown'}"
                  + (f" (prepared data: `{summary.get('data_dir')}`)" if summary and summary.get("data_dir") else ""),
                  f"- steps {train.get('steps')}, batch {train.get('batch_size')} x {data.get('seq_len')} tokens, "
                  f"lr {train.get('lr')} ({train.get('schedule', '')}), seed {cfg.get('seed')}", ""]
    if summary:
        lines += ["## Metrics (held-out data of the run)", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {summary[k]:.4g} |" if isinstance(summary[k], float) else f"| {k} | {summary[k]} |"
                  for k in KEY_METRICS if k in summary]
        lines.append("")
    if info and info.get("sessions"):
        last = info["sessions"][-1]
        git = last.get("git") or {}
        lines += ["## Provenance", "", f"- code: git {git.get('commit') or 'unknown'}"
                  + (" (uncommitted changes)" if git.get("dirty") else ""),
                  f"- trained on: {last.get('machine', {}).get('cpu', '?')}; torch {last.get('packages', {}).get('torch', '?')}",
                  ""]
    lines += ["## Use", "", "```python", "from transformers import AutoModelForCausalLM, AutoTokenizer",
              "model = AutoModelForCausalLM.from_pretrained(PATH)", "tokenizer = AutoTokenizer.from_pretrained(PATH)",
              "```", ""]
    return "\n".join(lines)
