"""Checked construction of a scenario's timeline and its events: scheduled (by round or by date) and random."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from itertools import permutations
from typing import NamedTuple

from sim.model import schema
from sim.model.cameo import GOLDSTEIN_MAX, GOLDSTEIN_MIN, lookup, weighted
from sim.model.errors import ScenarioError
from sim.model.scenario.specs import DEFAULTS, Event, RandomEvents


class Timeline(NamedTuple):
    """Round 1's month (a count of months; None if the scenario gives no dates) and the months per round."""

    start: int | None
    round_months: int


def timeline(data: Mapping, path: str) -> Timeline:
    """The scenario's :class:`Timeline`, from ``calendar_start`` and ``round_months``."""
    if "calendar_start" not in data:
        if "round_months" in data:
            raise ScenarioError(f"{path}.round_months", data["round_months"], "only with calendar_start (YYYY-MM)")
        return Timeline(None, 1)
    start = schema.month(data["calendar_start"], f"{path}.calendar_start")
    months = data.get("round_months", DEFAULTS["round_months"])
    return Timeline(start, schema.integer(months, f"{path}.round_months", 1))


def when(value: object, path: str, time: Timeline) -> int:
    """A round given as a whole number ≥ 1 or as a date (the round holding that month)."""
    if isinstance(value, str | datetime.date):
        return date_round(value, path, *time)
    return schema.integer(value, path, 1)


def at_round(raw: Mapping, path: str, time: Timeline) -> int:
    """The round of something given by ``round`` or by ``date`` (exactly one of them)."""
    if schema.either(raw, path, ("round", "a whole number ≥ 1"), ("date", "YYYY-MM")) == "round":
        return schema.integer(raw["round"], f"{path}.round", 1)
    return date_round(raw["date"], f"{path}.date", *time)


def stretch(raw: Mapping, path: str, time: Timeline) -> tuple[int, int | None]:
    """The rounds ``from`` (required) ``until`` (optional, the first round after it; after ``from``)."""
    start = when(schema.require(raw, "from", path), f"{path}.from", time)
    if raw.get("until") is None:
        return start, None
    until = when(raw["until"], f"{path}.until", time)
    if until <= start:
        raise ScenarioError(f"{path}.until", raw["until"], f"a round or date after 'from' (round {start})")
    return start, until


def parse_event(raw, path, actors, time: Timeline) -> Event:
    schema.mapping(raw, path, {"round", "date", "source", "target", "cameo", "goldstein", "weight", "note"})
    source = schema.name(schema.require(raw, "source", path), f"{path}.source", actors)
    target = schema.name(schema.require(raw, "target", path), f"{path}.target", actors)
    check_countries_differ(source, target, f"{path}.target")
    round_ = at_round(raw, path, time)
    code, goldstein = act_value(raw, path)
    note = schema.text(schema.optional(raw, "note", ""), f"{path}.note")
    return Event(round_, source, target, goldstein, code, note)


def act_value(raw: Mapping, path: str) -> tuple[str | None, float]:
    """An act's CAMEO code (None if given by value) and its Goldstein value times its ``weight``."""
    if schema.either(raw, path, ("cameo", "a CAMEO code"), ("goldstein", "a value in [-10, 10]")) == "cameo":
        entry = lookup(raw["cameo"], f"{path}.cameo")
        code, goldstein = entry.code, entry.goldstein
    else:
        code, goldstein = None, schema.number(raw["goldstein"], f"{path}.goldstein", GOLDSTEIN_MIN, GOLDSTEIN_MAX)
    weight = schema.number(schema.optional(raw, "weight", DEFAULTS["weight"]), f"{path}.weight", 0.0)
    return code, weighted(goldstein, weight, f"{path}.weight")


def check_countries_differ(source: str, target: str, path: str) -> None:
    """An event is one country's act towards another: ``source`` and ``target`` (actors) of different countries."""
    if source.split(".")[0] == target.split(".")[0]:
        raise ScenarioError(path, target, f"an actor of another country than the source {source!r}")


def date_round(value: object, path: str, start: int | None, round_months: int) -> int:
    """The round holding the month of ``value``: round 1 holds month ``start``, each round ``round_months`` long."""
    if start is None:
        raise ScenarioError(path, value, "a 'round' instead, or set calendar_start (the YYYY-MM of round 1)")
    month = schema.month(value, path)
    if month < start:
        raise ScenarioError(path, value, f"a date from calendar_start ({schema.month_text(start)}) on")
    return (month - start) // round_months + 1


def parse_random_events(name, raw, path, actors) -> RandomEvents:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"rate", "between", "cameo", "goldstein", "note"})
    codes = ("cameo", "a code or a list of codes")
    if schema.either(raw, path, codes, ("goldstein", "a value or a [low, high] range")) == "cameo":
        cameo, goldstein = _codes(raw["cameo"], f"{path}.cameo")
    else:
        cameo, goldstein = (), _goldstein_range(raw["goldstein"], f"{path}.goldstein")
    return RandomEvents(
        name=name,
        rate=schema.number(schema.require(raw, "rate", path), f"{path}.rate", 0.0, 1.0),
        pairs=_directed_pairs(schema.require(raw, "between", path), f"{path}.between", actors),
        cameo=cameo,
        goldstein=goldstein,
        note=schema.text(schema.optional(raw, "note", name), f"{path}.note"),
    )


def _codes(value: object, path: str) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """One CAMEO code or a list of them to draw from uniformly, with their Goldstein values."""
    if isinstance(value, str | int):
        entries = [lookup(value, path)]
    else:
        listed = schema.sequence(value, path, "CAMEO codes", min_len=1)
        entries = [lookup(c, f"{path}[{k}]") for k, c in enumerate(listed)]
    return tuple(e.code for e in entries), tuple(e.goldstein for e in entries)


def _goldstein_range(value: object, path: str) -> tuple[float, float]:
    """A Goldstein value, or a [low, high] range to draw from uniformly."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        x = schema.number(value, path, GOLDSTEIN_MIN, GOLDSTEIN_MAX)
        return x, x
    if len(value) != 2:
        raise ScenarioError(path, value, "a value in [-10, 10] or a [low, high] range")
    low, high = (schema.number(x, f"{path}[{k}]", GOLDSTEIN_MIN, GOLDSTEIN_MAX) for k, x in enumerate(value))
    if low > high:
        raise ScenarioError(path, list(value), "a [low, high] range with low ≤ high")
    return low, high


def _directed_pairs(raw: object, path: str, actors) -> tuple[tuple[str, str], ...]:
    """Every ordered pair among a list of actors (one per country), or a list of [source, target] pairs.

    Each directed pair of countries appears once, so that a round's draws update distinct blocks of confidence.
    """
    items = schema.sequence(raw, path, "actors (one per country) or of [source, target] pairs", min_len=1)
    if all(isinstance(x, str) for x in items):
        members = schema.names(items, path, actors, min_len=2)
        if len({m.split(".")[0] for m in members}) != len(members):
            raise ScenarioError(path, list(items), "actors of different countries (one per country)")
        return tuple(permutations(members, 2))
    pairs = tuple(schema.pair(p, f"{path}[{k}]", actors) for k, p in enumerate(items))
    for k, (source, target) in enumerate(pairs):
        check_countries_differ(source, target, f"{path}[{k}]")
    if len({(s.split(".")[0], t.split(".")[0]) for s, t in pairs}) != len(pairs):
        raise ScenarioError(path, list(items), "each directed pair of countries once (one actor per country)")
    return pairs
