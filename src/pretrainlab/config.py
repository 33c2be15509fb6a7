"""Typed configs: plain dataclasses, loaded from dicts/YAML with validation and dotted overrides.

Every component config is a dataclass with defaults. Only configs are serialized; runtime objects
(tokenizer, device) are passed to ``build(...)`` functions. Errors name the offending key and, for an
unknown key, the closest valid one::

    ConfigError: unknown key 'train.setps' (did you mean 'train.steps'?)
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


class ConfigError(ValueError):
    """A config value or key is invalid; the message names the key and the fix."""


def _closest(key: str, valid: list[str]) -> str:
    match = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    return f" (did you mean '{match[0]}'?)" if match else f" (valid keys: {', '.join(sorted(valid))})"


def _coerce(tp: Any, value: Any, where: str) -> Any:
    """Convert ``value`` to type ``tp`` or raise a ConfigError naming ``where``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(arg, value, where)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0] if errors else f"{where}: invalid value {value!r}")
    if dataclasses.is_dataclass(tp):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return from_dict(tp, value, prefix=where)
    if origin in (list, tuple):
        if isinstance(value, str) and args and args[0] is not str:
            value = [v for v in value.split(",") if v]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                raise ConfigError(f"{where}: expected {len(args)} items, got {len(value)}")
            return tuple(_coerce(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value)))
        item = args[0] if args else Any
        out = [_coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value)]
        return tuple(out) if origin is tuple else out
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        vt = args[1] if args else Any
        return {str(k): _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{where}: {value!r} is not one of {list(args)}")
        return value
    if tp is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ConfigError(f"{where}: expected true/false, got {value!r}")
    if tp in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        try:
            num = float(value) if isinstance(value, str) else value
            if tp is int:
                if float(num) != int(float(num)):
                    raise ValueError
                return int(float(num))
            return float(num)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected {tp.__name__}, got {value!r}") from None
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return str(value)
    return value


def _over_default(f: dataclasses.Field, value: Any) -> Any:
    """A mapping given for a field whose default is a config object: the default's values with the mapping on
    top, so ``train: {steps: 5}`` keeps the other defaults a config chose for its ``train`` section (e.g. a
    modality's weight decay), not only the class defaults."""
    if not isinstance(value, dict) or f.default_factory is dataclasses.MISSING:
        return value
    default = f.default_factory()
    if not dataclasses.is_dataclass(default) or isinstance(default, type):
        return value
    base = {g.name: to_dict(getattr(default, g.name)) for g in dataclasses.fields(default) if g.init}
    return merge(base, value)


def from_dict(cls: type[T], data: dict, prefix: str = "") -> T:
    """Build dataclass ``cls`` from ``data``, validating keys and types recursively."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    kwargs = {}
    for key, value in data.items():
        where = f"{prefix}.{key}" if prefix else str(key)
        if key not in fields:
            valid = [f"{prefix}.{k}" if prefix else k for k in fields]
            raise ConfigError(f"unknown key '{where}'{_closest(where, valid)}")
        kwargs[key] = _coerce(hints[key], _over_default(fields[key], value), where)
    try:
        obj = cls(**kwargs)
    except TypeError as e:
        raise ConfigError(f"{prefix or cls.__name__}: {e}") from None
    if hasattr(obj, "validate"):
        try:
            obj.validate()
        except ConfigError:
            raise
        except ValueError as e:  # a section's own check ("n_docs must be >= 2"): say which section
            if prefix and not str(e).startswith(prefix.split(".")[0]):
                raise ConfigError(f"{prefix}: {e}") from None
            raise
    return obj


def to_dict(cfg: Any) -> Any:
    """Plain-Python (YAML-safe) view of a config."""
    if dataclasses.is_dataclass(cfg):
        return {f.name: to_dict(getattr(cfg, f.name)) for f in dataclasses.fields(cfg)}
    if isinstance(cfg, (list, tuple)):
        return [to_dict(v) for v in cfg]
    if isinstance(cfg, dict):
        return {k: to_dict(v) for k, v in cfg.items()}
    return cfg


YAML11_WORDS = {"yes", "no", "on", "off", "y", "n"}
"""Words YAML 1.1 reads as booleans; here (as in YAML 1.2) they stay strings: ``true``/``false`` are the booleans."""


def parse_value(text: str) -> Any:
    """Parse a command-line value with YAML rules (``3`` -> int, ``1e-3`` -> float, ``[a, b]`` -> list);
    ``yes``/``no``/``on``/``off`` stay strings (YAML 1.2)."""
    if text.strip().lower() in YAML11_WORDS:
        return text.strip()
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, str):
        try:
            return float(value) if any(c in value for c in "eE.") and value[0] in "0123456789-." else value
        except ValueError:
            return value
    return value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """Apply ``a.b.c=value`` strings to a nested dict (in place) and return it.

    A number indexes a list (``data.sources.0.weight=0.5``); a missing or null section is created
    (``data.world.n_docs=100``); a key below a plain value is an error naming both.
    """
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"override '{item}' must look like key=value (e.g. train.steps=100)")
        key, _, text = item.partition("=")
        node: Any = data
        parts = key.strip().split(".")
        for i, part in enumerate(parts):
            where = ".".join(parts[: i + 1])
            last = i == len(parts) - 1
            if isinstance(node, list):
                if not part.lstrip("-").isdigit() or not -len(node) <= int(part) < len(node):
                    raise ConfigError(f"override '{item}': {'.'.join(parts[:i])} is a list of {len(node)} items; "
                                      f"index it with 0..{len(node) - 1}, e.g. {'.'.join(parts[:i])}.0")
                part = int(part)
            elif last or node.get(part) is None:
                if not last:
                    node[part] = {}
            elif not isinstance(node[part], (dict, list)):
                raise ConfigError(f"override '{item}': {where} is {node[part]!r}, not a section with keys; "
                                  f"set {where}=... itself")
            if last:
                node[part] = parse_value(text)
            else:
                node = node[part]
    return data


def merge(base: dict, update: dict) -> dict:
    """Recursive dict merge (``update`` wins); returns a new dict."""
    out = dict(base)
    for k, v in update.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML silently keeps the last one)."""


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.setdefault(key, key_node.start_mark.line)
        except TypeError:  # an unhashable key: let the constructor report it
            continue
        if first != key_node.start_mark.line:
            raise _DuplicateKey(problem=f"duplicate key '{key}' (first given on line {first + 1}); keep one of them",
                                problem_mark=key_node.start_mark)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load_yaml(path: str | Path) -> dict:
    """A YAML file's top-level mapping. A missing, unreadable, empty or invalid file, a key given twice or
    a top level that is not a mapping raise ``ConfigError`` naming the file (and ``file:line``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a YAML file") from None
    except UnicodeDecodeError as e:
        line = path.read_bytes()[: e.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte 0x{e.object[e.start]:02x}); save the file as "
                          "UTF-8") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it ({e.strerror})") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        if isinstance(e, _DuplicateKey):
            raise ConfigError(f"{where}: {e.problem}") from None
        problem = e.problem or e.context
        if e.context and e.problem:
            started = f" on line {e.context_mark.line + 1}" if e.context_mark is not None else ""
            problem = f"{e.problem} ({e.context}{started})"
        raise ConfigError(f"{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: invalid YAML: {e}") from None
    if data is None:
        raise ConfigError(f"{path}: empty (no keys); write the config as `key: value` lines")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values, got a {type(data).__name__}")
    return data


def save_yaml(cfg: Any, path: str | Path) -> None:
    Path(path).write_text(yaml.safe_dump(to_dict(cfg), sort_keys=False), encoding="utf-8")
