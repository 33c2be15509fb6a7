"""Which pretraining graphs a graph run trains on (``data.source``), and their W2PGNN feasibility.

With ``data.world.sources`` the world holds one pretraining split per source family (``src_<name>``) and
the pool is their union (worlds/graph/families.py). ``data.source.pick`` turns the run's ``pool`` /
``pool_val`` into:

* ``all``: the pool as built (default; every run without sources);
* ``name``: source ``name`` (``src_<name>`` / ``src_<name>_val``);
* ``rank``: the source ranked ``rank`` by W2PGNN feasibility for the downstream data (1 = most feasible;
  eval/graph/feasibility.py) -- arms defined by the score, before anyone knows which family that is;
* ``w2pgnn``: ``size`` graphs of the pool chosen by W2PGNN's selection (``select_w2pgnn``);
* ``random``: ``size`` graphs of the pool drawn uniformly with the run's seed (the baseline).

Feasibility is always computed from training graphs: the source's (or selection's) pretraining graphs and
the downstream ``train`` split; never ``val`` or ``test``. Scores and selections are pure functions of the
world and the settings and are cached as JSON next to the world cache
(``graph_sources_<world fingerprint>_<settings hash>.json``), so the runs of an experiment compute them once.
``info`` (reported by the plug-in as ``data/...``): ``feasibility`` of the chosen pool (with
``eval.feasibility``), ``source_index`` (position of the chosen source in ``data.world.sources``; -1 for a
selection from the pool), ``n_pretrain``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from pretrainlab.config import ConfigError
from pretrainlab.eval.graph.feasibility import FeasibilitySettings, feasibility, select_random, select_w2pgnn
from pretrainlab.eval.graph.graphon import graphs_of
from pretrainlab.worlds.graph import GraphData, GraphWorldConfig

PICKS = ("all", "name", "rank", "w2pgnn", "random")


@dataclass
class GraphSourceConfig:
    pick: Literal["all", "name", "rank", "w2pgnn", "random"] = "all"
    """Pretraining graphs of the run's pool: all, a source by name, a source by feasibility rank, a W2PGNN
    selection or a random selection of ``size`` graphs of the pool (modalities/graph_sources.py)."""
    name: str = ""
    """pick name: the source family (one of data.world.sources)."""
    rank: int = 1
    """pick rank: 1 = the most feasible source for the downstream data, len(sources) = the least."""
    size: int = 0
    """pick w2pgnn/random: graphs selected (0: data.world.n_pool, one source's worth)."""
    feasibility: FeasibilitySettings = field(default_factory=FeasibilitySettings)
    """Graphon, Gromov-Wasserstein and mixture-fit settings of the score and the selection."""

    def check(self, world: GraphWorldConfig) -> None:
        """Errors that need the world config (called by GraphRunConfig.validate)."""
        if self.pick == "all":
            return
        if not world.sources:
            raise ConfigError(f"data.source.pick '{self.pick}' needs pretraining sources: set data.world.sources "
                              f"(e.g. [molecules, chains, random])")
        if self.pick == "name" and self.name not in world.sources:
            raise ConfigError(f"data.source.name {self.name!r} is not one of data.world.sources {world.sources}")
        if self.pick == "rank" and not 1 <= self.rank <= len(world.sources):
            raise ConfigError(f"data.source.rank must be in 1..{len(world.sources)} (the number of sources), "
                              f"got {self.rank}")
        if self.pick in ("w2pgnn", "random") and not 0 <= self.size <= world.n_pool * len(world.sources):
            raise ConfigError(f"data.source.size must be in 0..{world.n_pool * len(world.sources)} (the pool), "
                              f"got {self.size}")


def _cache_file(root: Path, data: GraphData, s: FeasibilitySettings) -> Path:
    tag = hashlib.blake2b(json.dumps(s.to_dict(), sort_keys=True).encode(), digest_size=6).hexdigest()
    return Path(root) / f"graph_sources_{data.fingerprint}_{tag}.json"


def _cached(path: Path | None, key: str, compute):
    """``compute()`` memoised under ``key`` in the JSON file ``path`` (atomic rewrite; None: no cache)."""
    store = json.loads(path.read_text()) if path is not None and path.exists() else {}
    if key in store:
        return store[key]
    value = compute()
    if path is not None:
        store = json.loads(path.read_text()) if path.exists() else {}
        store[key] = value
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(store))
        os.replace(tmp, path)
    return value


def source_scores(data: GraphData, sources: list[str], s: FeasibilitySettings, cache: Path | None) -> dict:
    """``{source: feasibility}`` of each source's training graphs for the downstream train graphs."""
    down = graphs_of(data.splits["train"])
    return {f: _cached(cache, f"score/{f}", lambda f=f: feasibility(graphs_of(data.splits[f"src_{f}"]), down, s)
                       ["feasibility"]) for f in sources}


def choose_pool(data: GraphData, world: GraphWorldConfig, src: GraphSourceConfig, seed: int, root: Path | None,
                report: bool) -> dict:
    """Replace ``data.splits["pool"/"pool_val"]`` by ``src.pick``'s graphs; return the ``data/...`` info."""
    if src.pick == "all":
        if not report:
            return {}
        return {"feasibility": feasibility(graphs_of(data.splits["pool"]), graphs_of(data.splits["train"]),
                                           src.feasibility)["feasibility"]}
    s, cache = src.feasibility, _cache_file(root, data, src.feasibility) if root is not None else None
    info: dict = {}
    if src.pick in ("name", "rank"):
        if src.pick == "rank":
            scores = source_scores(data, world.sources, s, cache)
            name = sorted(world.sources, key=lambda f: (-scores[f], world.sources.index(f)))[src.rank - 1]
        else:
            name = src.name
        data.splits["pool"], data.splits["pool_val"] = data.splits[f"src_{name}"], data.splits[f"src_{name}_val"]
        info["source_index"] = world.sources.index(name)
        if report:
            info["feasibility"] = source_scores(data, [name], s, cache)[name]
    else:
        n = src.size or world.n_pool
        pool = data.splits["pool"]
        if src.pick == "w2pgnn":
            down = graphs_of(data.splits["train"])
            idx = np.array(_cached(cache, f"w2pgnn/{n}",
                                   lambda: select_w2pgnn(graphs_of(pool), down, n, s).tolist()), dtype=np.int64)
        else:
            idx = select_random(len(pool), n, seed)
        data.splits["pool"] = pool.subset(idx)
        info["source_index"] = -1  # a mixture of sources
        if report:
            key = f"feasibility/w2pgnn/{n}" if src.pick == "w2pgnn" else None
            compute = lambda: feasibility(graphs_of(data.splits["pool"]), graphs_of(data.splits["train"]),  # noqa: E731
                                          s)["feasibility"]
            info["feasibility"] = _cached(cache, key, compute) if key else compute()
    info["n_pretrain"] = len(data.splits["pool"])
    return info


def info_names(src: GraphSourceConfig, report: bool) -> set[str]:
    """The ``data/...`` summary keys ``choose_pool`` yields for this config."""
    names = {"data/feasibility"} if report else set()
    if src.pick != "all":
        names |= {"data/n_pretrain", "data/source_index"}
    return names


__all__ = ["PICKS", "GraphSourceConfig", "choose_pool", "info_names", "source_scores"]
