"""Checked construction of dated changes inside a country: a new leader, a constitutional amendment, a new veto holder.

A change sets, from a round (or date) on, parameters of one ministry (``country`` + ``ministry``), of one country
(``country``: its quota), or one talks dimension's values (``talks`` + ``dimension``). Each phase of the run is the
whole scenario with the changes so far applied, checked like any scenario, so a change can never leave the model in
a state a scenario could not start in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.parse_events import Timeline, at_round
from sim.model.scenario.specs import BEHAVIOUR_RANGES, Change, ScenarioSpec

MINISTRY_PARAMETERS = {"influence", "veto", "priorities", *BEHAVIOUR_RANGES}
COUNTRY_PARAMETERS = {"quota"}
_KEYS = {"round", "date", "country", "ministry", "talks", "dimension", "set", "values", "note"}


def parse_changes(data: Mapping, path: str, base: ScenarioSpec, time: Timeline, build: Callable) -> ScenarioSpec:
    """``base`` with its dated ``changes`` and the scenario in force from each changed round (its phases).

    ``build(data, path)`` checks and builds a scenario from a mapping: each phase is ``data`` with the changes up to
    it applied, without ``changes``.
    """
    listed = schema.sequence(data["changes"], f"{path}.changes", "changes")
    changes = sorted(
        (_change(c, f"{path}.changes[{k}]", base, time) for k, c in enumerate(listed)), key=lambda wc: wc[1].round
    )
    current = {k: _plain(v) for k, v in data.items() if k != "changes"}
    phases = []
    for where, change in changes:
        for keys, value in change.values.items():
            _assign(current, keys.split("."), value)
        try:
            scenario = build(current, path)
        except ScenarioError as err:
            raise ScenarioError(where, err.value, f"{err.allowed} (at {err.path} once the change applies)") from None
        if phases and phases[-1][0] == change.round:
            phases.pop()
        phases.append((change.round, scenario))
    return replace(base, changes=tuple(c for _, c in changes), phases=tuple(phases))


def _change(raw: object, path: str, base: ScenarioSpec, time: Timeline) -> tuple[str, Change]:
    schema.mapping(raw, path, _KEYS)
    round_ = at_round(raw, path, time)
    note = schema.text(schema.require(raw, "note", path), f"{path}.note")
    values = _talks_values(raw, path, base) if "talks" in raw else _parameters(raw, path, base)
    return path, Change(round_, values, note)


def _parameters(raw: Mapping, path: str, base: ScenarioSpec) -> dict[str, Any]:
    """Key paths and values of a change to a ministry's parameters or a country's."""
    countries = {c.name: c for c in base.countries}
    country = schema.name(schema.require(raw, "country", path), f"{path}.country", countries)
    for key in ("dimension", "values"):
        if key in raw:
            raise ScenarioError(f"{path}.{key}", raw[key], "only with 'talks' (a change to a talks dimension)")
    settings = schema.mapping(schema.require(raw, "set", path), f"{path}.set")
    if "ministry" in raw:
        names = [m.name for m in countries[country].ministries]
        ministry = schema.name(raw["ministry"], f"{path}.ministry", names)
        schema.mapping(settings, f"{path}.set", MINISTRY_PARAMETERS)
        prefix = f"countries.{country}.ministries.{ministry}"
    else:
        allowed = f"{sorted(COUNTRY_PARAMETERS)} (a ministry's parameters need 'ministry')"
        for key in settings:
            if key not in COUNTRY_PARAMETERS:
                raise ScenarioError(f"{path}.set.{key}", settings[key], f"a country's parameter: {allowed}")
        prefix = f"countries.{country}"
    if not settings:
        raise ScenarioError(f"{path}.set", {}, "at least one parameter and its new value")
    return {f"{prefix}.{k}": _plain(v) for k, v in settings.items()}


def _talks_values(raw: Mapping, path: str, base: ScenarioSpec) -> dict[str, Any]:
    """Key paths and values of a change to the parties' values on one dimension of a talks."""
    talks = {t.name: t for t in base.talks}
    name = schema.name(raw["talks"], f"{path}.talks", talks)
    for key in ("country", "ministry", "set"):
        if key in raw:
            raise ScenarioError(f"{path}.{key}", raw[key], "no 'country', 'ministry' or 'set' with 'talks'")
    dims = {d.name: d for d in talks[name].dimensions}
    dim = schema.name(schema.require(raw, "dimension", path), f"{path}.dimension", dims)
    values = schema.mapping(schema.require(raw, "values", path), f"{path}.values", set(talks[name].parties))
    if not values:
        raise ScenarioError(f"{path}.values", {}, "a party's new values on the dimension")
    return {f"talks.{name}.dimensions.{dim}.values.{p}": _plain(v) for p, v in values.items()}


def _plain(value: object) -> object:
    """A deep copy of mappings and lists as plain dicts and lists (OmegaConf's containers included)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(v) for v in value]
    return value


def _assign(node: dict, keys: list[str], value: object) -> None:
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = _plain(value)
