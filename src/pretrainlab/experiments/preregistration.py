"""Pre-registration evidence: which code and which claim definitions judged which runs.

``claims.json`` records the project's git commit (and whether the tree was dirty), a hash of every claim
definition (``ClaimConfig.definition_hash``), a hash of the run configs the claims were judged on, the
machine and the date. When an experiment directory already holds a judgement of the *same* run configs
and a claim's definition hash differs from the one it was first judged with, that claim is flagged
*post hoc*: its test, margin or role changed after results existed. The first registration of each claim
is carried forward in ``claims.json`` so the flag survives later re-judgements.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json

from pretrainlab.config import to_dict
from pretrainlab.experiments.config import ExperimentConfig
from pretrainlab.provenance import git_state, machine

def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:12]


def claims_hash(exp: ExperimentConfig) -> str:
    return _hash([[c.definition(), _selections(exp, c)] for c in exp.claims])


def _selections(exp: ExperimentConfig, claim) -> dict:
    """The definitions of the tuned arms (``selections``) a claim names: part of what it pre-registers."""
    return {a: to_dict(exp.selections[a]) for a in claim.arms if a in exp.selections}


def claim_hash(exp: ExperimentConfig, claim) -> str:
    sel = _selections(exp, claim)
    return _hash([claim.definition_hash(), sel]) if sel else claim.definition_hash()


def runs_hash(exp: ExperimentConfig) -> str:
    """Hash of everything that decides the runs' metrics (base, arms, stages), not seeds or claims."""
    data = to_dict(exp)
    return _hash({k: data[k] for k in ("base", "arms", "stages")})


def registrations(exp: ExperimentConfig, previous: dict | None) -> dict[str, dict]:
    """{claim name: {hash, first_judged, post_hoc}}: each claim's first judged definition on these runs."""
    prev = previous or {}
    same_runs = prev.get("runs_hash") == runs_hash(exp) and prev.get("results_exist", True)
    old = prev.get("registrations", {}) if same_runs else {}
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    out = {}
    for c in exp.claims:
        h = claim_hash(exp, c)
        first = old.get(c.name)
        if first is None:
            out[c.name] = {"hash": h, "first_judged": now, "post_hoc": False}
        else:
            out[c.name] = {**first, "post_hoc": bool(first.get("post_hoc")) or first["hash"] != h}
    return out


def provenance(exp: ExperimentConfig) -> dict:
    return {"git": git_state(), "machine": machine(), "claims_hash": claims_hash(exp), "runs_hash": runs_hash(exp),
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
