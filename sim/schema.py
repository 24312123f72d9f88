"""Checked reading of plain values (from YAML, JSON or Python): each check names the key path on failure."""

from __future__ import annotations

import math
from collections.abc import Mapping

from sim.errors import ScenarioError, one_of

MISSING = object()


def mapping(value: object, path: str, allowed: set[str] | None = None) -> Mapping:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, value, "a mapping of names to values")
    if allowed is not None:
        for key in value:
            if key not in allowed:
                raise ScenarioError(f"{path}.{key}", value[key], f"a known key: {one_of(allowed, key)}")
    return value


def require(data: Mapping, key: str, path: str) -> object:
    if key not in data or data[key] is None:
        raise ScenarioError(f"{path}.{key}", None, "a value (this key is required)")
    return data[key]


def number(value: object, path: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        raise ScenarioError(path, value, f"a number in [{lo:g}, {hi:g}]")
    return float(value)


def integer(value: object, path: str, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ScenarioError(path, value, f"a whole number ≥ {lo}")
    return value


def name(value: object, path: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ScenarioError(path, value, one_of(allowed, value))
    return value


def names(value: object, path: str, allowed, min_len: int = 1) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple) or len(value) < min_len:
        raise ScenarioError(path, value, f"a list of at least {min_len} names")
    names = tuple(name(v, f"{path}[{i}]", allowed) for i, v in enumerate(value))
    if len(set(names)) != len(names):
        raise ScenarioError(path, list(value), "a list without repeated names")
    return names


def identifier(name: object, path: str) -> str:
    if not isinstance(name, str) or not name or "." in name or name != name.strip():
        raise ScenarioError(path, name, "a non-empty name without dots or surrounding spaces")
    return name
