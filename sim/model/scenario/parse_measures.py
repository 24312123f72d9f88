"""Checked construction of what happens away from the table: lasting measures, outside actors and stances.

An outside actor (a country that is not at the table, or an alliance) can be the source or target of events and
measures; scenario countries read such acts by their ``stances``: an alignment in [-1, 1] with each actor.
"""

from __future__ import annotations

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.parse_events import Timeline, act_value, check_countries_differ, stretch
from sim.model.scenario.specs import Measure


def parse_outside_actors(raw: object, path: str, countries: tuple[str, ...]) -> tuple[str, ...]:
    """Names of actors that are not scenario countries (no ministries: they act and are acted upon, never observe)."""
    listed = schema.sequence(raw, path, "names of actors that are not at the table")
    names = tuple(schema.identifier(n, f"{path}[{k}]") for k, n in enumerate(listed))
    for k, n in enumerate(names):
        if n in countries:
            raise ScenarioError(f"{path}[{k}]", n, "a name that is not a scenario country (those are at the table)")
    if len(set(names)) != len(names):
        raise ScenarioError(path, list(listed), "a list without repeated names")
    return names


def parse_stances(raw: object, path: str, countries, outside: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Each observing country's alignment in [-1, 1] with other actors; every outside actor needs one."""
    schema.mapping(raw, path, set(countries))
    stances = {}
    for observer, weights in raw.items():
        where = f"{path}.{observer}"
        others = {*countries, *outside} - {observer}
        schema.mapping(weights, where, others)
        stances[observer] = {a: schema.number(w, f"{where}.{a}", -1.0, 1.0) for a, w in weights.items()}
    seen = {a for weights in stances.values() for a in weights}
    for k, name in enumerate(outside):
        if name not in seen:
            raise ScenarioError(
                f"{path.rsplit('.', 1)[0]}.outside_actors[{k}]",
                name,
                f"an outside actor some country has a stance toward (stances.<country>.{name}: alignment in [-1, 1])",
            )
    return stances


def parse_measure(name: str, raw: object, path: str, actors, time: Timeline) -> Measure:
    """A measure: ``source``, ``target``, a CAMEO code or a Goldstein value (× ``weight``), ``from``, ``until``."""
    schema.identifier(name, path)
    schema.mapping(raw, path, {"source", "target", "cameo", "goldstein", "weight", "from", "until", "note"})
    source = schema.name(schema.require(raw, "source", path), f"{path}.source", actors)
    target = schema.name(schema.require(raw, "target", path), f"{path}.target", actors)
    check_countries_differ(source, target, f"{path}.target")
    code, goldstein = act_value(raw, path)
    start, until = stretch(raw, path, time)
    note = schema.text(schema.optional(raw, "note", name), f"{path}.note")
    return Measure(name, source, target, goldstein, code, start, until, note)
