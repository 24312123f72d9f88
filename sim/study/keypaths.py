"""Dotted key paths into plain nested mappings: read a value, set one, or copy a mapping with values replaced.

A key may itself hold dots (``confidence.russia.defence`` is key ``russia.defence`` of ``confidence``): at each level
the longest key that matches is taken.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import fields

from sim.model import schema
from sim.model.errors import ScenarioError, one_of
from sim.model.scenario.specs import Behaviour

INHERITED = {f.name for f in fields(Behaviour)}  # what a ministry takes from ministry_defaults unless it writes it


def _locate(data: Mapping, path: str, *, create: bool = False, copy: bool = False) -> tuple[MutableMapping, str]:
    """The mapping holding the last key of the dotted ``path`` in ``data``, and that key.

    A key may itself hold dots (``confidence.russia.defence`` is key ``russia.defence`` of ``confidence``): at each
    level the longest key that matches is taken. ``create`` lets the last key be new; ``copy`` replaces each mapping
    on the way by a copy, so that changing the result leaves the mappings ``data`` shares with others untouched.
    """
    node, rest, walked = data, path.split("."), []
    while True:
        if not isinstance(node, MutableMapping):  # plain data: dicts all the way down
            raise ScenarioError(".".join(walked), node, f"a mapping holding {'.'.join(rest)!r}")
        key = next((k for k in (".".join(rest[:n]) for n in range(len(rest), 0, -1)) if k in node), None)
        if key is None:
            if create:
                return node, ".".join(rest)
            raise ScenarioError(".".join(walked) or path, ".".join(rest), f"an existing key: {one_of(node, rest[0])}")
        rest = rest[key.count(".") + 1 :]
        if not rest:
            return node, key
        if copy and isinstance(node[key], Mapping):
            node[key] = dict(node[key])
        walked.append(key)
        node = node[key]


def get_path(data: Mapping, path: str) -> object:
    """The value at the dotted key ``path`` of ``data``; :class:`ScenarioError` if there is none."""
    node, key = _locate(data, path)
    return node[key]


def set_path(data: MutableMapping, path: str, value: object, *, create: bool = False) -> None:
    """Set the value at the dotted key ``path`` of ``data`` in place; the path must exist unless ``create``."""
    node, key = _locate(data, path, create=create)
    node[key] = value


def with_values(data: Mapping, values: Mapping[str, object]) -> dict:
    """A copy of ``data`` with the value at each dotted key path replaced; only the mappings on the paths are copied."""
    out = dict(data)
    for path, value in values.items():
        node, key = _locate(out, path, copy=True)
        node[key] = value
    return out


def leaves(node: Mapping, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(dotted key path, value) of every value of a nested mapping that is not itself a mapping."""
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from leaves(value, path)
        else:
            yield path, value


def nested(paths: Mapping[str, object]) -> dict:
    """Dotted key paths as nested mappings again (the inverse of :func:`leaves`):
    ``{"scenario.a.b": 1}`` → ``{"scenario": {"a": {"b": 1}}}``."""
    out: dict = {}
    for path, value in paths.items():
        *parents, last = path.split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def scenario_bounds(raw: object, section: str, scenario: Mapping, purpose: str) -> dict[str, tuple[float, float]]:
    """Key path → (low, high) from a config ``section`` shaped like ``{scenario: {shock_scale: [0.2, 1.0], …}}``, each
    path an existing number of the base ``scenario``; ``purpose`` ("vary", "calibrate") words the error for another
    kind of value."""
    schema.mapping(raw, section, {"scenario"})
    paths = dict(leaves(raw.get("scenario") or {}, "scenario"))
    if not paths:
        raise ScenarioError(section, dict(raw), "at least one of the scenario's values with its bounds [low, high]")
    out = {}
    for path, bounds in paths.items():
        low, high = schema.bounds(bounds, f"{section}.{path}")
        _written(path, scenario, section)
        current = get_path({"scenario": scenario}, path)
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(path, current, f"a number to {purpose} (this key holds something else)")
        out[path] = (low, high)
    return out


def _written(path: str, scenario: Mapping, section: str) -> None:
    """Nothing if ``path`` is written in the scenario (or is not a ministry's inherited value); else a
    :class:`ScenarioError` saying how to write it."""
    parent, _, key = path.rpartition(".")
    if key not in INHERITED or parent.rpartition(".")[0].rpartition(".")[2] != "ministries":
        return
    try:
        node = get_path({"scenario": scenario}, parent)
    except ScenarioError:
        return
    if isinstance(node, Mapping) and key not in node:
        default = (scenario.get("ministry_defaults") or {}).get(key, "VALUE")
        raise ScenarioError(
            f"{section}.{path}",
            None,
            f"a value the scenario writes: add it first, e.g. +{path}={default}",
            problem=f"the scenario does not write {key} at {parent} (the ministry takes ministry_defaults.{key})",
        )
