"""Run a curation pipeline over input shards, in two phases, with resume.

Phase 1 (parallel): every input ``.jsonl``/``.jsonl.gz`` file is one shard. The steps before the
first *global* step (per-document filters and modifiers) run on each shard independently, in a
``multiprocessing`` spawn pool of ``workers`` processes (one per core by default; one shard runs in
the calling process). Each shard is written to ``<out>/shards/<name>.jsonl``, or
``<out>/stage1/<name>.jsonl`` when a phase 2 follows, then its completion marker
``<out>/completions/<name>.json`` (its step stats, read stats and a fingerprint of the phase-1
config) is written. A rerun skips shards whose marker matches the current config, so deleting one
marker reruns exactly that shard (datatrove's ``completions/`` and ``skip_completed``).

Phase 2 (one process): global steps (``exact_dedup``, ``minhash_dedup``, and every step after the
first of them, to keep the configured order) need to see all documents, so they run over the
phase-1 outputs in sorted shard order, with state carried across shards; the first occurrence in
that order is kept. Output: ``<out>/shards/<name>.jsonl``; marker ``completions/_global.json``,
valid while the config and every phase-1 marker are unchanged, else phase 2 reruns whole.

Every file goes to ``<file>.tmp`` first and is moved into place with ``os.replace``, so a crash never
leaves a truncated shard that looks complete. A corrupt input shard is named by path: with
``on_error: raise`` the run stops (finished shards keep their markers); with ``skip`` bad lines are
skipped and counted (``file:line`` examples in the report), and a shard that fails outright is
listed under ``failed`` and retried on the next run.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pretrainlab.config import ConfigError, apply_overrides, from_dict, load_yaml, to_dict
from pretrainlab.data.curate.base import Step, StepStats
from pretrainlab.data.curate.pipeline import (PipelineConfig, StepSpec, build_steps, fingerprint,
                                              parse_steps, phases)
from pretrainlab.data.curate.report import build_report, write_report
from pretrainlab.data.readers import DataError, ReadStats, read_source
from pretrainlab.runtime import usable_cores

GLOBAL_MARKER = "_global"
SHARD_SUFFIXES = (".jsonl.gz", ".jsonl")


@dataclass
class Shard:
    name: str
    """Path under the input folder without its suffix, ``/`` replaced by ``__``."""
    path: str


@dataclass
class ShardTask:
    """Everything a worker process needs for one shard (picklable)."""

    shard: Shard
    specs: list[StepSpec]
    out: str
    out_dir: str
    """``shards`` or ``stage1``."""
    text_field: str
    on_error: str
    write_excluded: bool
    config_hash: str


def list_shards(input_path: str) -> list[Shard]:
    """The input shards in sorted order, or a DataError naming the path."""
    root = Path(input_path)
    if root.is_file():
        return [Shard(_strip_suffix(root.name), str(root))]
    if not root.is_dir():
        raise DataError(f"{root}: no such file or folder. Set input to a .jsonl file or a folder "
                        "of .jsonl shards.")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(SHARD_SUFFIXES)
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    if not files:
        raise DataError(f"{root}: no .jsonl or .jsonl.gz shards. Point input at the folder that "
                        "holds them (e.g. data/world/train).")
    return [Shard(_strip_suffix(p.relative_to(root).as_posix()).replace("/", "__"), str(p))
            for p in files]


def _strip_suffix(name: str) -> str:
    for suffix in SHARD_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class AtomicJsonl:
    """Write JSON lines to ``<path>.tmp``; ``commit`` moves the file into place."""

    def __init__(self, path: Path):
        self.path, self.tmp = path, path.with_name(path.name + ".tmp")
        self._f = None
        self.n = 0

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115

    def write(self, obj: dict) -> None:
        if self._f is None:
            self._open()
        self._f.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.n += 1

    def commit(self, create_empty: bool = True) -> None:
        """Move the file into place; with nothing written, an empty file, or (``create_empty``
        False) no file, removing a stale one from an earlier run."""
        if self._f is None:
            if not create_empty:
                self.path.unlink(missing_ok=True)
                return
            self._open()
        self._f.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self._f is not None:
            self._f.close()
            self.tmp.unlink(missing_ok=True)


def write_json_atomic(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def read_marker(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_chain(docs: Iterator[dict], specs: list[StepSpec], steps: list[Step],
              stats: dict[str, StepStats], excluded: dict[str, AtomicJsonl] | None,
              text_field: str, out: AtomicJsonl) -> None:
    """Pipe ``docs`` through ``steps`` into ``out`` (and dropped docs into ``excluded``)."""
    for spec, step in zip(specs, steps):
        if excluded is not None:
            step.exclusion = _exclusion_writer(excluded[spec.key], spec.key, text_field)
        docs = step(docs, stats[spec.key])
    for doc in docs:
        out.write({text_field: doc["text"], "meta": doc["meta"]})


def write_shard(docs: Iterator[dict], specs: list[StepSpec], steps: list[Step],
                stats: dict[str, StepStats], excluded: dict[str, AtomicJsonl] | None,
                text_field: str, out: AtomicJsonl) -> None:
    """``run_chain``, then commit every file, or remove the temporary files on any error."""
    sinks = [out, *(excluded or {}).values()]
    try:
        run_chain(docs, specs, steps, stats, excluded, text_field, out)
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    out.commit()
    for sink in sinks[1:]:
        sink.commit(create_empty=False)


def _exclusion_writer(sink: AtomicJsonl, key: str, text_field: str):
    def write(doc: dict, reason: str) -> None:
        sink.write({text_field: doc["text"],
                    "meta": {**doc["meta"], "curation_step": key, "curation_reason": reason}})
    return write


def _sinks(task_out: Path, specs: list[StepSpec], shard: str, on: bool) -> dict | None:
    if not on:
        return None
    return {s.key: AtomicJsonl(task_out / "excluded" / s.key / f"{shard}.jsonl") for s in specs}


def process_shard(task: ShardTask) -> dict:
    """Phase 1 for one shard: read, run the steps, write output and marker; return the marker."""
    out, shard = Path(task.out), task.shard
    started = time.time()
    try:
        steps = build_steps(task.specs)
        stats = {s.key: StepStats() for s in task.specs}
        read_stats = ReadStats()
        docs = read_source(shard.path, text_field=task.text_field, on_error=task.on_error,
                           stats=read_stats)
        sink = AtomicJsonl(out / task.out_dir / f"{shard.name}.jsonl")
        excluded = _sinks(out, task.specs, shard.name, task.write_excluded)
        write_shard(docs, task.specs, steps, stats, excluded, task.text_field, sink)
    except (DataError, ConfigError) as e:
        return _failed(task, str(e))
    except Exception as e:  # noqa: BLE001 - named by shard path, raised or listed per on_error
        return _failed(task, f"{shard.path}: {type(e).__name__}: {e}")
    marker = {"shard": shard.name, "input": shard.path, "hash": task.config_hash,
              "run_id": uuid.uuid4().hex, "seconds": round(time.time() - started, 3),
              "docs_in": read_stats.documents, "docs_out": sink.n,
              "read_stats": vars(read_stats), "steps": {k: v.to_dict() for k, v in stats.items()}}
    write_json_atomic(out / "completions" / f"{shard.name}.json", marker)
    return marker


def _failed(task: ShardTask, message: str) -> dict:
    if task.on_error == "raise":
        raise DataError(message)
    return {"shard": task.shard.name, "input": task.shard.path, "failed": message}


def run_phase1(tasks: list[ShardTask], workers: int) -> list[dict]:
    """Process ``tasks`` in a spawn pool (or in this process for one worker)."""
    if workers <= 1 or len(tasks) <= 1:
        return [process_shard(t) for t in tasks]
    # ProcessPoolExecutor (not mp.Pool): a worker that dies raises BrokenProcessPool, not a hang.
    with ProcessPoolExecutor(min(workers, len(tasks)), mp_context=mp.get_context("spawn")) as ex:
        return list(ex.map(process_shard, tasks))


def run_phase2(cfg: PipelineConfig, specs: list[StepSpec], shards: list[Shard],
               config_hash: str) -> dict:
    """Global steps over every phase-1 output in shard order, in this process."""
    out = Path(cfg.output)
    steps = build_steps(specs)
    stats = {s.key: StepStats() for s in specs}
    docs_out = 0
    for shard in shards:
        sink = AtomicJsonl(out / "shards" / f"{shard.name}.jsonl")
        excluded = _sinks(out, specs, shard.name, cfg.write_excluded)
        docs = _read_stage(out / "stage1" / f"{shard.name}.jsonl", cfg.text_field)
        write_shard(docs, specs, steps, stats, excluded, cfg.text_field, sink)
        docs_out += sink.n
    marker = {"hash": config_hash, "docs_out": docs_out,
              "steps": {k: v.to_dict() for k, v in stats.items()}}
    write_json_atomic(out / "completions" / f"{GLOBAL_MARKER}.json", marker)
    return marker


def _read_stage(path: Path, text_field: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            yield {"text": record[text_field], "meta": record.get("meta", {})}


def run_pipeline(cfg: PipelineConfig) -> dict:
    """Run both phases; return what the report needs (markers, shard lists, step specs)."""
    specs = parse_steps(cfg.steps)
    build_steps(specs)  # every step checks its resources before any data is read
    local, global_ = phases(specs)
    shards = list_shards(cfg.input)
    out = Path(cfg.output)
    hash1 = fingerprint(cfg.text_field, cfg.write_excluded, [vars(s) for s in local],
                        "stage1" if global_ else "shards")
    markers, todo = {}, []
    for shard in shards:
        marker = read_marker(out / "completions" / f"{shard.name}.json")
        if marker is not None and marker.get("hash") == hash1:
            markers[shard.name] = marker
        else:
            todo.append(ShardTask(shard, local, str(out), "stage1" if global_ else "shards",
                                  cfg.text_field, cfg.on_error, cfg.write_excluded, hash1))
    workers = cfg.workers or usable_cores()
    failed = []
    for marker in run_phase1(todo, workers):
        if "failed" in marker:
            failed.append(marker)
        else:
            markers[marker["shard"]] = marker
    done = [s for s in shards if s.name in markers]
    result = {"specs": specs, "phase1_keys": [s.key for s in local],
              "shards": [s.name for s in shards],
              "ran": sorted(t.shard.name for t in todo if t.shard.name in markers),
              "failed": failed, "markers": [markers[s.name] for s in done], "global": None}
    if global_:
        hash2 = fingerprint(hash1, [vars(s) for s in global_],
                            [(s.name, markers[s.name]["run_id"]) for s in done])
        marker = read_marker(out / "completions" / f"{GLOBAL_MARKER}.json")
        result["global_ran"] = marker is None or marker.get("hash") != hash2
        if result["global_ran"]:
            marker = run_phase2(cfg, global_, done, hash2)
        result["global"] = marker
    return result


def load_config(config: str | os.PathLike | dict | PipelineConfig,
                overrides: list[str] | None = None) -> PipelineConfig:
    """A validated PipelineConfig from a YAML path (``default``: the packaged default_pipeline.yaml), a dict
    or a config (plus ``a.b=v`` overrides)."""
    if isinstance(config, PipelineConfig):
        if not overrides:
            config.validate()
            return config
        config = to_dict(config)
    if isinstance(config, str) and config == "default":  # the packaged pipeline, also after pip install
        config = Path(__file__).with_name("default_pipeline.yaml")
    data = load_yaml(config) if isinstance(config, (str, os.PathLike)) else dict(config)
    return from_dict(PipelineConfig, apply_overrides(data, list(overrides or [])))


def curate(config: str | os.PathLike | dict | PipelineConfig,
           overrides: list[str] | None = None) -> dict:
    """Run a curation pipeline and write ``curation_report.json``/``.md``; return the report.

    Args:
        config: A pipeline YAML path, a dict with the same keys, or a :class:`PipelineConfig`
            (see ``EXAMPLE_PIPELINE``).
        overrides: ``key=value`` strings applied on top, e.g. ``["workers=1"]``.

    Raises:
        ConfigError: Bad config or step parameters, before any data is read.
        DataError: An input shard is missing or corrupt (``on_error: raise``).
    """
    cfg = load_config(config, overrides)
    report = build_report(cfg, run_pipeline(cfg))
    write_report(report, cfg.output)
    return report
