"""Every key of a config tree with its type, value and documentation (``pretrainlab config RECIPE --keys``).

Field documentation is the string literal written right below a dataclass field (the convention of every
config in this project), read from the class source with ``ast``; a field without one gets "".

    >>> from pretrainlab.train.config import TrainConfig
    >>> [k for k in config_keys(TrainConfig()) if k.key == "train.steps" or k.key == "steps"][0].type
    'int'
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
import typing
from functools import lru_cache
from typing import Any, NamedTuple


class Key(NamedTuple):
    key: str
    type: str
    value: Any
    doc: str


@lru_cache(maxsize=None)
def field_docs(cls: type) -> dict[str, str]:
    """``{field: docstring}`` of a dataclass (and its dataclass bases), from the source."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, nxt in zip(body, body[1:] + [None]):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(nxt, ast.Expr)
                    and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str)):
                docs[node.target.id] = " ".join(nxt.value.value.split())
    return docs


def _type_name(tp: Any) -> str:
    text = tp.__name__ if isinstance(tp, type) else str(tp)
    return text.replace("typing.", "").replace("NoneType", "None")


def config_keys(cfg: Any, prefix: str = "") -> list[Key]:
    """The leaves of config object ``cfg`` (nested dataclasses flattened to dotted keys), in field order."""
    hints = typing.get_type_hints(type(cfg))
    docs = field_docs(type(cfg))
    out: list[Key] = []
    for f in dataclasses.fields(cfg):
        if not f.init:
            continue
        value, key = getattr(cfg, f.name), f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            out += config_keys(value, key + ".")
        else:
            out.append(Key(key, _type_name(hints.get(f.name, Any)), value, docs.get(f.name, "")))
    return out
