"""Named choices: one ``Registry(kind)`` for every "pick one of N" in the project.

A registry maps names to objects (classes, functions, modules, config/module pairs) and a one-line
description each. It is filled explicitly, beside what it lists, by ``add`` or the ``register``
decorator; nothing is discovered at import time. Looking up an unknown name raises a
:class:`~pretrainlab.config.ConfigError` that names the kind, the closest valid name and every valid
choice, so the CLI prints it as a one-line error::

    ConfigError: unknown model 'vti' (did you mean 'vit'?); choose one of: decoder, vit, resnet

A registry reads like a dict of its entries (``REG[name]``, ``name in REG``, ``list(REG)``,
``REG.items()``), which is how the curation ``STEPS`` registry was used before it became one.
``pretrainlab list KIND`` prints a registry as a table of names and descriptions.

Examples:
    >>> SHAPES = Registry("shape")
    >>> @SHAPES.register("circle")
    ... class Circle:
    ...     '''A round shape.'''
    >>> SHAPES.add("square", object(), description="Four equal sides.")  # doctest: +ELLIPSIS
    <object object at ...>
    >>> SHAPES.names(), SHAPES.description("circle")
    (['circle', 'square'], 'A round shape.')
    >>> SHAPES.get("cirle")
    Traceback (most recent call last):
    ...
    pretrainlab.config.ConfigError: unknown shape 'cirle' (did you mean 'circle'?); choose one of: circle, square
"""

from __future__ import annotations

import difflib
import inspect
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from pretrainlab.config import ConfigError

T = TypeVar("T")
_MISSING: Any = object()


def describe(obj: Any) -> str:
    """The summary of ``obj``'s docstring (its first paragraph, on one line, without RST double
    backquotes), or of its module's.

    Classes, functions and modules use their own docstring (a class does not inherit one); a class
    or function without one falls back to the docstring of the module that defines it. An instance is
    described by its class; instances of built-in types (tuples, strings …) by nothing: ``""``.
    """
    if inspect.ismodule(obj):
        doc = obj.__doc__
    elif inspect.isclass(obj) or inspect.isroutine(obj):
        module = getattr(obj, "__module__", None)
        defined_in = None if module in (None, "builtins") else sys.modules.get(module)
        doc = obj.__doc__ or getattr(defined_in, "__doc__", None)
    elif type(obj).__module__ != "builtins":
        return describe(type(obj))
    else:
        doc = None
    para = []
    for line in inspect.cleandoc(doc or "").splitlines():
        if not line.strip():
            break
        para.append(line.strip())
    return " ".join(para).replace("``", "")


def unknown(name: Any, valid: list[str], kind: str, where: str = "") -> ConfigError:
    """The error for a name that is not one of ``valid``: the closest match and every choice."""
    text = str(name)
    lowered = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=1, cutoff=0.5)
    hint = f" (did you mean '{lowered[close[0]]}'?)" if close else ""
    choices = f"choose one of: {', '.join(valid)}" if valid else f"no {kind} is registered"
    prefix = f"{where}: " if where else ""
    return ConfigError(f"{prefix}unknown {kind} '{text}'{hint}; {choices}")


def check_params(obj: Any, params: Mapping[str, Any], where: str, skip: tuple[str, ...] = ()) -> Any:
    """``params`` checked against what ``obj`` takes: its ``Config`` dataclass if it has one (returns the built
    config), else its constructor's keyword parameters less ``skip`` (returns ``params`` as a dict). An
    unknown key names ``<where>.<key>``, the closest valid one and every valid choice."""
    from pretrainlab.config import from_dict

    config = getattr(obj, "Config", None)
    if config is not None and inspect.isclass(config):
        return from_dict(config, dict(params), prefix=where)
    target = obj.__init__ if inspect.isclass(obj) else obj
    sig = inspect.signature(target)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return dict(params)
    valid = [n for n, p in sig.parameters.items() if n not in ("self", *skip)
             and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for key in params:
        if key not in valid:
            close = difflib.get_close_matches(str(key), valid, n=1)
            hint = f" (did you mean '{where}.{close[0]}'?)" if close else ""
            raise ConfigError(f"unknown key '{where}.{key}'{hint}; valid: {', '.join(valid) or 'none'}")
    return dict(params)


class Registry(Mapping[str, T], Generic[T]):
    """Names -> objects of one ``kind`` (e.g. ``"model"``), each with a one-line description.

    ``entries`` (a mapping) fills it in order, describing each object by :func:`describe`.
    """

    def __init__(self, kind: str, entries: Mapping[str, T] | None = None):
        self.kind = kind
        self._objects: dict[str, T] = {}
        self._descriptions: dict[str, str] = {}
        for name, obj in (entries or {}).items():
            self.add(name, obj)

    def add(self, name: str, obj: T, description: str | None = None) -> T:
        """Register ``obj`` as ``name`` (a duplicate name is refused); returns ``obj``.

        ``description`` defaults to :func:`describe` of ``obj`` (its docstring's summary), less a
        leading ``"<name>: "`` (recipe modules start so).
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"{self.kind} registry: a name must be a non-empty string, got {name!r}")
        if name in self._objects:
            raise ValueError(f"{self.kind} {name!r} is already registered ({self._objects[name]!r}); "
                             f"names must be unique")
        if description is None:
            description = describe(obj)
            description = description[len(name) + 2:] if description.startswith(f"{name}: ") else description
        self._objects[name] = obj
        self._descriptions[name] = " ".join(description.split())
        return obj

    def register(self, name: str, description: str | None = None) -> Callable[[T], T]:
        """Decorator form of :meth:`add`: ``@REG.register("name")`` returns the object unchanged."""
        def deco(obj: T) -> T:
            return self.add(name, obj, description)
        return deco

    def get(self, name: str, default: Any = _MISSING, *, where: str = "") -> T:
        """The object registered as ``name``.

        Unknown names raise ConfigError (did-you-mean + the valid choices; ``where`` prefixes the
        config key), unless a ``default`` is given, which is then returned as ``dict.get`` would.
        """
        if name in self:
            return self._objects[name]
        if default is not _MISSING:
            return default
        raise unknown(name, self.names(), self.kind, where)

    def choose(self, spec: Mapping[str, Any] | str, where: str, key: str = "name",
               skip: tuple[str, ...] = ()) -> tuple[T, Any]:
        """A tagged-union config section: ``{<key>: X, **params}`` (or just ``"X"``) -> (the object registered as
        X, its params checked by :func:`check_params`). The curation ``STEPS`` pattern, for every registry::

            cls, params = OBJECTIVES.choose({"name": "mae", "mask_ratio": 0.75}, where="objective")
        """
        if isinstance(spec, str):
            spec = {key: spec}
        if not isinstance(spec, Mapping):
            raise ConfigError(f"{where}: expected a name or a mapping with '{key}', got {spec!r}")
        params = dict(spec)
        if key not in params:
            raise ConfigError(f"{where}.{key}: missing; choose one of: {', '.join(self.names())}")
        obj = self.get(params.pop(key), where=f"{where}.{key}")
        return obj, check_params(obj, params, where, skip)

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._objects)

    def description(self, name: str) -> str:
        """The one-line description of ``name``."""
        self.get(name)
        return self._descriptions[name]

    def rows(self) -> list[tuple[str, str]]:
        """``(name, description)`` of every entry, in registration order (the `pretrainlab list` table)."""
        return list(self._descriptions.items())

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        try:
            return name in self._objects
        except TypeError:  # an unhashable value from a config (a list, a mapping) is no name
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._objects)})"
