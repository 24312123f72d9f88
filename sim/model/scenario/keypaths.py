"""Dotted key paths into a scenario as written (plain nested mappings and lists): read a value, set one, or copy a
scenario with values replaced — how studies, batches and overrides name the values they vary.

A key may itself hold dots (``confidence.russia.defence`` is key ``russia.defence`` of ``confidence``): at each level
the longest key that matches is taken. A list is entered by the position of an item (``events.3.weight``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping

from sim.model.errors import ScenarioError, one_of


def _locate(
    data: Mapping, path: str, *, create: bool = False, copy: bool = False
) -> tuple[MutableMapping | list, str | int]:
    """The mapping holding the last key of the dotted ``path`` in ``data``, and that key.

    A key may itself hold dots (``confidence.russia.defence`` is key ``russia.defence`` of ``confidence``): at each
    level the longest key that matches is taken. ``create`` lets the last key be new; ``copy`` replaces each mapping
    on the way by a copy, so that changing the result leaves the mappings ``data`` shares with others untouched.
    """
    node, rest, walked = data, path.split("."), []
    while True:
        if isinstance(node, list) and rest[0].isdigit() and int(rest[0]) < len(node):  # an item of a list
            key, rest = int(rest[0]), rest[1:]
            if not rest:
                return node, key
            if copy and isinstance(node[key], Mapping | list):
                node[key] = dict(node[key]) if isinstance(node[key], Mapping) else list(node[key])
            walked.append(str(key))
            node = node[key]
            continue
        if not isinstance(node, MutableMapping):  # plain data: dicts (and lists) all the way down
            raise ScenarioError(".".join(walked), node, f"a mapping holding {'.'.join(rest)!r}")
        key = next((k for k in (".".join(rest[:n]) for n in range(len(rest), 0, -1)) if k in node), None)
        if key is None:
            if create:
                return node, ".".join(rest)
            raise ScenarioError(".".join(walked) or path, ".".join(rest), f"an existing key: {one_of(node, rest[0])}")
        rest = rest[key.count(".") + 1 :]
        if not rest:
            return node, key
        if copy and isinstance(node[key], Mapping | list):
            node[key] = dict(node[key]) if isinstance(node[key], Mapping) else list(node[key])
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


def with_values(data: Mapping, values: Mapping[str, object], *, create: bool = False) -> dict:
    """A copy of ``data`` with the value at each dotted key path replaced (or, with ``create``, added as the last key
    of an existing mapping); only the mappings and lists on the paths are copied."""
    out = dict(data)
    for path, value in values.items():
        node, key = _locate(out, path, create=create, copy=True)
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
