"""Checked construction of a :class:`~sim.model.scenario.specs.ScenarioSpec` from a plain mapping (YAML, JSON, a dict,
OmegaConf): the top level, countries and their ministries. Issues, the calendar and events have modules of their own.

Every check names the key path, the value found and what is allowed (:class:`~sim.model.errors.ScenarioError`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.parse_acts import parse_acts
from sim.model.scenario.parse_calendar import parse_calendar_changes, parse_entry, parse_format
from sim.model.scenario.parse_changes import parse_changes
from sim.model.scenario.parse_events import parse_event, parse_random_events, timeline
from sim.model.scenario.parse_issues import parse_friction, parse_item, parse_talks
from sim.model.scenario.parse_measures import parse_measure, parse_outside_actors, parse_stances
from sim.model.scenario.specs import (
    BEHAVIOUR_RANGES,
    DEFAULT_CONFIDENCE,
    DEFAULTS,
    RESERVED,
    Behaviour,
    CountrySpec,
    MinistrySpec,
    ScenarioSpec,
)


def _normalised(raw: Mapping, path: str, names) -> dict[str, float]:
    schema.mapping(raw, path, set(names))
    weights = {k: schema.number(v, f"{path}.{k}", 0.0) for k, v in raw.items()}
    total = sum(weights.values())
    if not 0 < total < math.inf:
        raise ScenarioError(path, dict(raw), "non-negative weights with a positive sum (finite)")
    return {k: weights.get(k, 0.0) / total for k in names}


# --- the scenario ----------------------------------------------------------------------------------------------------

_TOP_KEYS = {
    "name",
    "description",
    "ministry_defaults",
    "spillover",
    "shock_scale",
    "countries",
    "cooperation",
    "frictions",
    "talks",
    "formats",
    "calendar",
    "calendar_start",
    "calendar_changes",
    "round_months",
    "events",
    "random_events",
    "measures",
    "outside_actors",
    "stances",
    "changes",
    "acts",
}
_MINISTRY_KEYS = {"role", "influence", "veto", "priorities", "confidence", *BEHAVIOUR_RANGES}


def parse_scenario(data: Mapping, path: str) -> ScenarioSpec:
    schema.mapping(data, path, _TOP_KEYS)
    name = schema.identifier(schema.require(data, "name", path), f"{path}.name")
    raw_countries = schema.mapping(schema.require(data, "countries", path), f"{path}.countries")
    if len(raw_countries) < 2:
        raise ScenarioError(f"{path}.countries", list(raw_countries), "at least two countries")
    countries = tuple(_country_name(c, f"{path}.countries.{c}") for c in raw_countries)

    cooperation = tuple(
        parse_item(k, v, f"{path}.cooperation.{k}", countries) for k, v in _named(data, "cooperation", path).items()
    )
    frictions = tuple(
        parse_friction(k, v, f"{path}.frictions.{k}", countries) for k, v in _named(data, "frictions", path).items()
    )
    talks = tuple(parse_talks(k, v, f"{path}.talks.{k}", countries) for k, v in _named(data, "talks", path).items())
    issues = _unique_issue_names(cooperation, frictions, talks, path)
    where = f"{path}.ministry_defaults"
    raw_defaults = schema.mapping(
        schema.optional(data, "ministry_defaults", {}), where, {*BEHAVIOUR_RANGES, "confidence"}
    )
    defaults = _parse_behaviour(raw_defaults, where, Behaviour())
    confidence = schema.number(raw_defaults.get("confidence", DEFAULT_CONFIDENCE), f"{where}.confidence", 0.0, 1.0)
    ministry_names = _ministry_names(raw_countries, f"{path}.countries")
    parsed_countries = tuple(
        _parse_country(c, raw_countries[c], f"{path}.countries.{c}", issues, ministry_names, defaults, confidence)
        for c in countries
    )
    roles = {m.role for c in parsed_countries for m in c.ministries}
    for item in cooperation:
        schema.name(item.lead, f"{path}.cooperation.{item.name}.lead", roles)

    agenda_names = [i.name for i in cooperation] + [f.name for f in frictions] + [t.name for t in talks]
    formats = tuple(
        parse_format(k, v, f"{path}.formats.{k}", roles, agenda_names)
        for k, v in schema.mapping(schema.require(data, "formats", path), f"{path}.formats").items()
    )
    time = timeline(data, path)
    calendar = tuple(
        parse_entry(k, v, f"{path}.calendar.{k}", formats, parsed_countries, cooperation, time)
        for k, v in schema.mapping(schema.require(data, "calendar", path), f"{path}.calendar").items()
    )
    if "calendar_changes" in data:
        calendar = parse_calendar_changes(data["calendar_changes"], f"{path}.calendar_changes", calendar, time)
    actors = {*countries, *(m.key for c in parsed_countries for m in c.ministries)}
    outside = parse_outside_actors(schema.optional(data, "outside_actors", []), f"{path}.outside_actors", countries)
    stances = parse_stances(schema.optional(data, "stances", {}), f"{path}.stances", countries, outside)
    raw_events = schema.sequence(schema.optional(data, "events", []), f"{path}.events", "events")
    events = tuple(parse_event(e, f"{path}.events[{i}]", {*actors, *outside}, time) for i, e in enumerate(raw_events))
    random_events = tuple(
        parse_random_events(k, v, f"{path}.random_events.{k}", actors)
        for k, v in _named(data, "random_events", path).items()
    )
    measures = tuple(
        parse_measure(k, v, f"{path}.measures.{k}", {*actors, *outside}, time)
        for k, v in _named(data, "measures", path).items()
    )
    scenario = ScenarioSpec(
        name=name,
        description=schema.text(schema.optional(data, "description", ""), f"{path}.description").strip(),
        countries=parsed_countries,
        cooperation=cooperation,
        frictions=frictions,
        talks=talks,
        formats=formats,
        calendar=calendar,
        events=tuple(sorted(events, key=lambda e: e.round)),
        random_events=random_events,
        calendar_start=None if time.start is None else schema.month_text(time.start),
        round_months=time.round_months,
        spillover=schema.number(data.get("spillover", DEFAULTS["spillover"]), f"{path}.spillover", 0.0, 1.0),
        shock_scale=schema.number(data.get("shock_scale", DEFAULTS["shock_scale"]), f"{path}.shock_scale", 0.0, 1.0),
        measures=measures,
        outside_actors=outside,
        stances=stances,
        acts=parse_acts(schema.optional(data, "acts", {}), f"{path}.acts"),
    )
    if schema.optional(data, "changes", None) is None:
        return scenario
    return parse_changes(data, path, scenario, time, parse_scenario)


def _named(data: Mapping, key: str, path: str) -> Mapping:
    """An optional top-level block of named entries (cooperation, frictions, talks, random_events, measures)."""
    return schema.mapping(schema.optional(data, key, {}), f"{path}.{key}")


def _country_name(name: object, path: str) -> str:
    if name == RESERVED:
        raise ScenarioError(path, name, f"a country name other than {RESERVED!r} (it gives every country a value)")
    return schema.identifier(name, path)


def _ministry_names(raw_countries: Mapping, path: str) -> dict[str, tuple]:
    """Each country's ministry names as written, so that confidence in any foreign ministry can be checked."""
    names = {}
    for c, raw in raw_countries.items():
        ministries = schema.optional(schema.mapping(raw, f"{path}.{c}"), "ministries", {})
        names[c] = tuple(schema.mapping(ministries, f"{path}.{c}.ministries"))
    return names


def _unique_issue_names(cooperation, frictions, talks, path: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    places = (
        [(i.name, "cooperation") for i in cooperation]
        + [(f.name, "frictions") for f in frictions]
        + [(t.name, "talks") for t in talks]
        + [(d.name, f"talks.{t.name}.dimensions") for t in talks for d in t.dimensions]
    )
    for name, where in places:
        if name in seen:
            raise ScenarioError(f"{path}.{where}.{name}", name, f"a name not already used in {path}.{seen[name]}")
        seen[name] = where
    return tuple(n for n, w in places if w != "talks")


def _parse_behaviour(raw: Mapping, path: str, base: Behaviour) -> Behaviour:
    values = {}
    for f in fields(Behaviour):
        if f.name in raw:
            lo, hi = BEHAVIOUR_RANGES[f.name]
            values[f.name] = schema.number(raw[f.name], f"{path}.{f.name}", lo, hi)
        else:
            values[f.name] = getattr(base, f.name)
    return Behaviour(**values)


def _parse_country(name, raw, path, issues, ministry_names, defaults: Behaviour, confidence: float) -> CountrySpec:
    schema.mapping(raw, path, {"ministries", "quota"})
    raw_ministries = schema.mapping(schema.require(raw, "ministries", path), f"{path}.ministries")
    if not raw_ministries:
        raise ScenarioError(f"{path}.ministries", {}, "at least one ministry")
    parsed = [
        _parse_ministry(name, m, v, f"{path}.ministries.{m}", issues, ministry_names, defaults, confidence)
        for m, v in raw_ministries.items()
    ]
    total = sum(m.influence for m in parsed)
    if not 0 < total < math.inf:
        raise ScenarioError(
            f"{path}.ministries", {m.name: m.influence for m in parsed}, "influences with a positive sum (finite)"
        )
    ministries = tuple(
        MinistrySpec(m.name, m.country, m.role, m.influence / total, m.veto, m.priorities, m.confidence, m.behaviour)
        for m in parsed
    )
    return CountrySpec(name, ministries, schema.number(raw.get("quota", DEFAULTS["quota"]), f"{path}.quota", 0.0, 1.0))


def _parse_ministry(country, name, raw, path, issues, ministry_names, defaults: Behaviour, confidence) -> MinistrySpec:
    schema.identifier(name, path)
    schema.mapping(raw, path, _MINISTRY_KEYS)
    behaviour = _parse_behaviour(raw, path, defaults)
    role = schema.identifier(schema.require(raw, "role", path), f"{path}.role")
    veto = raw.get("veto", DEFAULTS["veto"])
    if not isinstance(veto, bool):
        raise ScenarioError(f"{path}.veto", veto, "true or false")
    return MinistrySpec(
        name=name,
        country=country,
        role=role,
        influence=schema.number(raw.get("influence", DEFAULTS["influence"]), f"{path}.influence", 0.0),
        veto=veto,
        priorities=_normalised(schema.require(raw, "priorities", path), f"{path}.priorities", issues),
        confidence=_parse_confidence(
            schema.optional(raw, "confidence", {}), f"{path}.confidence", country, ministry_names, confidence
        ),
        behaviour=behaviour,
    )


def _parse_confidence(raw, path, own, ministry_names, default: float) -> dict[str, float]:
    """Confidence in every foreign ministry: ``other`` sets a whole country, ``other.ministry`` one ministry."""
    foreign = {c: ms for c, ms in ministry_names.items() if c != own}
    targets = {*foreign, *(f"{c}.{m}" for c, ms in foreign.items() for m in ms)}
    schema.mapping(raw, path, targets)
    values = {k: schema.number(v, f"{path}.{k}", 0.0, 1.0) for k, v in raw.items()}
    return {f"{c}.{m}": values.get(f"{c}.{m}", values.get(c, default)) for c, ms in foreign.items() for m in ms}
