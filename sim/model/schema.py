"""Checked reading of plain values (from YAML, JSON, Python or OmegaConf): each check names the key path on failure."""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Mapping, Sequence

from sim.model.errors import ScenarioError, one_of

MISSING = object()
DATE_FORMATS = ("%Y-%m", "%Y-%m-%d", "%Y%m%d")  # ISO month, ISO day, GDELT's SQLDATE
YAML_BOOLEANS = " (YAML reads unquoted yes/no/on/off/true/false as true or false: quote the name)"


def mapping(value: object, path: str, allowed: set[str] | None = None) -> Mapping:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, value, "a mapping of names to values")
    if allowed is not None:
        for key in value:
            if key not in allowed:
                raise ScenarioError(f"{path}.{key}", value[key], f"a known key: {one_of(allowed, key)}")
    return value


def either(data: Mapping, path: str, first: tuple[str, str], second: tuple[str, str]) -> str:
    """Which of two alternative keys ``data`` gives (exactly one must be); each is (key, what it holds)."""
    (a, what_a), (b, what_b) = first, second
    if (a in data) == (b in data):
        raise ScenarioError(path, dict(data), f"exactly one of {a!r} ({what_a}) or {b!r} ({what_b})")
    return a if a in data else b


def require(data: Mapping, key: str, path: str) -> object:
    if key not in data or data[key] is None:
        raise ScenarioError(f"{path}.{key}", None, "a value (this key is required)")
    return data[key]


def optional(data: Mapping, key: str, default: object) -> object:
    """``data[key]``, or ``default`` when the key is absent or empty (``key:`` with no value in YAML)."""
    value = data.get(key)
    return default if value is None else value


def sequence(value: object, path: str, what: str, min_len: int = 0) -> Sequence:
    """A list (or tuple, or OmegaConf ListConfig) of at least ``min_len`` items; ``what`` describes one."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) < min_len:
        at_least = f"at least {min_len} " if min_len else ""
        raise ScenarioError(path, value, f"a list of {at_least}{what}")
    return value


def number(value: object, path: str, lo: float = -math.inf, hi: float = math.inf) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not lo <= value <= hi
    ):
        raise ScenarioError(path, value, f"a number in [{lo:g}, {hi:g}]")
    return float(value)


def integer(value: object, path: str, lo: int, hi: int | None = None) -> int:
    """A whole number ≥ ``lo`` (and ≤ ``hi`` if given)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < lo
        or (hi is not None and value > hi)
    ):
        raise ScenarioError(
            path, value, f"a whole number ≥ {lo}" if hi is None else f"a whole number in [{lo:,}, {hi:,}]"
        )
    return int(value)


def text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise ScenarioError(path, value, "a text")
    return value


def name(value: object, path: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        hint = YAML_BOOLEANS if isinstance(value, bool) else ""
        raise ScenarioError(path, value, one_of(allowed, value) + hint)
    return value


def names(value: object, path: str, allowed, min_len: int = 1) -> tuple[str, ...]:
    value = sequence(value, path, "names", min_len)
    names = tuple(name(v, f"{path}[{i}]", allowed) for i, v in enumerate(value))
    if len(set(names)) != len(names):
        raise ScenarioError(path, list(value), "a list without repeated names")
    return names


def pair(value: object, path: str, allowed) -> tuple[str, str]:
    """Two different names from ``allowed``."""
    first, *rest = names(value, path, allowed, min_len=2)
    if len(rest) != 1:
        raise ScenarioError(path, list(value), "two different names")
    return first, rest[0]


def identifier(name: object, path: str) -> str:
    """A name the user chose: letters, digits, ``_`` and ``-``, so that it works as a Hydra key and in file names."""
    if not isinstance(name, str) or not name or not all(ch.isalnum() or ch in "_-" for ch in name):
        hint = YAML_BOOLEANS if isinstance(name, bool) else ""
        raise ScenarioError(path, name, f"a non-empty name of letters, digits, '_' or '-'{hint}")
    return name


def month(value: object, path: str) -> int:
    """A calendar month as a count of months (12·year + month − 1), from 'YYYY-MM', 'YYYY-MM-DD', 'YYYYMMDD' or a date.

    Plain YAML reads an unquoted 2014-03-18 as a date, OmegaConf as text: both are accepted.
    """
    if isinstance(value, datetime.date):
        return 12 * value.year + value.month - 1
    for fmt in DATE_FORMATS if isinstance(value, str) else ():
        try:
            day = datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return 12 * day.year + day.month - 1
    raise ScenarioError(path, value, "a date as 'YYYY-MM' or 'YYYY-MM-DD' (or GDELT's YYYYMMDD)")


def month_text(count: int) -> str:
    """'YYYY-MM' of a count of months from :func:`month`."""
    return f"{count // 12:04d}-{count % 12 + 1:02d}"


def bounds(value: object, path: str) -> tuple[float, float]:
    """A range ``[low, high]`` of two numbers with low < high (a parameter's bounds in a study or a design)."""
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise ScenarioError(path, value, "bounds [low, high]")
    low, high = (number(b, f"{path}[{i}]") for i, b in enumerate(value))
    if not low < high:
        raise ScenarioError(path, list(value), "bounds [low, high] with low < high")
    return low, high
