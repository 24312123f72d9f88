"""Checked construction of a scenario's issues: cooperative items, frictions and settlement talks."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, fields, replace

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.specs import DEFAULTS, MAX_OUTCOMES, PROTOCOLS, CooperativeItem, Dimension, Friction, Talks


def _per_country(value: object, path: str, countries, lo: float, hi: float) -> dict[str, float]:
    """A number for every country: one number for all, or a mapping with an optional ``default``."""
    if not isinstance(value, Mapping):
        x = schema.number(value, path, lo, hi)
        return dict.fromkeys(countries, x)
    schema.mapping(value, path, {*countries, "default"})
    default = value.get("default", schema.MISSING)
    out = {}
    for c in countries:
        if c in value:
            out[c] = schema.number(value[c], f"{path}.{c}", lo, hi)
        elif default is not schema.MISSING:
            out[c] = schema.number(default, f"{path}.default", lo, hi)
        else:
            raise ScenarioError(f"{path}.{c}", None, "a number (or give a 'default' for every country)")
    return out


def parse_item(name, raw, path, countries) -> CooperativeItem:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"lead", "benefit", "exposure"})
    lead = schema.require(raw, "lead", path)
    if not isinstance(lead, str):
        raise ScenarioError(f"{path}.lead", lead, "the role of the ministry that carries the item out")
    return CooperativeItem(
        name=name,
        lead=lead,
        benefit=_per_country(schema.require(raw, "benefit", path), f"{path}.benefit", countries, 0.0, 1.0),
        exposure=_per_country(schema.require(raw, "exposure", path), f"{path}.exposure", countries, 0.0, 1.0),
    )


def parse_friction(name, raw, path, countries) -> Friction:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"raised_by", "against", "severity"})
    raised_by = schema.name(schema.require(raw, "raised_by", path), f"{path}.raised_by", countries)
    against = schema.name(schema.require(raw, "against", path), f"{path}.against", set(countries) - {raised_by})
    severity = schema.number(raw.get("severity", DEFAULTS["severity"]), f"{path}.severity", 0.0, 1.0)
    return Friction(name, raised_by, against, severity)


_TALKS_KEYS = (
    "horizon",
    "confidence_effect",
    "protocol",
    "margin",
    "discount",
    "deadline",
    "anticipate",
    "reoffer_after",
    "rejection_goldstein",
    "positions",
)


_DEFAULTS = {f.name: f.default for f in fields(Talks) if f.default is not MISSING}


def parse_talks(name, raw, path, countries) -> Talks:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"parties", "dimensions", "status_quo", *_TALKS_KEYS})
    parties = schema.names(schema.require(raw, "parties", path), f"{path}.parties", countries, min_len=2)
    if len(parties) != 2:
        raise ScenarioError(f"{path}.parties", list(parties), "exactly two countries (talks are bilateral)")
    raw_dims = schema.mapping(schema.require(raw, "dimensions", path), f"{path}.dimensions")
    if not raw_dims:
        raise ScenarioError(f"{path}.dimensions", {}, "at least one dimension")
    dimensions = tuple(_parse_dimension(k, v, f"{path}.dimensions.{k}", parties) for k, v in raw_dims.items())
    dimensions = tuple(
        replace(d, applies_when=_conditions(raw_dims[d.name], f"{path}.dimensions.{d.name}", d, dimensions))
        for d in dimensions
    )
    outcomes = math.prod(len(d.options) for d in dimensions)
    if outcomes > MAX_OUTCOMES:
        raise ScenarioError(
            f"{path}.dimensions", f"{outcomes:,} outcomes", f"at most {MAX_OUTCOMES:,} (the product of option counts)"
        )
    raw_sq = schema.mapping(schema.require(raw, "status_quo", path), f"{path}.status_quo", {d.name for d in dimensions})
    status_quo = {}
    for d in dimensions:
        status_quo[d.name] = schema.name(
            schema.require(raw_sq, d.name, f"{path}.status_quo"), f"{path}.status_quo.{d.name}", d.options
        )
    for d in dimensions:
        for other, allowed in d.applies_when.items():
            if status_quo[other] in allowed:
                raise ScenarioError(
                    f"{path}.dimensions.{d.name}.applies_when.{other}",
                    list(allowed),
                    f"options other than the status quo's {status_quo[other]!r} (where it holds, {d.name} is moot)",
                )
    deadline = raw.get("deadline")

    def number(key: str, lo: float, hi: float) -> float:
        return schema.number(raw.get(key, _DEFAULTS[key]), f"{path}.{key}", lo, hi)

    return Talks(
        name=name,
        parties=(parties[0], parties[1]),
        dimensions=dimensions,
        status_quo=status_quo,
        horizon=schema.integer(raw.get("horizon", DEFAULTS["horizon"]), f"{path}.horizon", 1),
        confidence_effect=schema.number(
            raw.get("confidence_effect", DEFAULTS["confidence_effect"]), f"{path}.confidence_effect", 0.0, 10.0
        ),
        protocol=schema.name(raw.get("protocol", DEFAULTS["protocol"]), f"{path}.protocol", PROTOCOLS),
        margin=number("margin", 0.0, 1.0),
        discount=number("discount", 0.01, 0.999),
        deadline=None if deadline is None else schema.integer(deadline, f"{path}.deadline", 1),
        anticipate=_flag(raw.get("anticipate", _DEFAULTS["anticipate"]), f"{path}.anticipate"),
        reoffer_after=number("reoffer_after", 0.0, 1.0),
        rejection_goldstein=number("rejection_goldstein", -10.0, 0.0),
        positions=_flag(raw.get("positions", _DEFAULTS["positions"]), f"{path}.positions"),
    )


def _flag(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(path, value, "true or false")
    return value


def _parse_dimension(name, raw, path, parties) -> Dimension:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"options", "values", "applies_when"})
    options = schema.sequence(schema.require(raw, "options", path), f"{path}.options", "option names", min_len=2)
    options = tuple(schema.identifier(o, f"{path}.options[{i}]") for i, o in enumerate(options))
    if len(set(options)) != len(options):
        raise ScenarioError(f"{path}.options", list(options), "a list without repeated names")
    raw_values = schema.mapping(schema.require(raw, "values", path), f"{path}.values", set(parties))
    values = {}
    for p in parties:
        v = schema.require(raw_values, p, f"{path}.values")
        if isinstance(v, str) or not isinstance(v, Sequence) or len(v) != len(options):
            raise ScenarioError(f"{path}.values.{p}", v, f"a list of {len(options)} numbers, one per option")
        values[p] = tuple(schema.number(x, f"{path}.values.{p}[{i}]", 0.0, 1.0) for i, x in enumerate(v))
    return Dimension(name, options, values)


def _conditions(raw, path: str, dimension: Dimension, dimensions: tuple[Dimension, ...]) -> dict[str, tuple[str, ...]]:
    """A dimension's ``applies_when``: other dimensions of the talks, each with the options where this one applies."""
    if "applies_when" not in raw:
        return {}
    path = f"{path}.applies_when"
    others = {d.name: d for d in dimensions if d.name != dimension.name}
    conditions = schema.mapping(raw["applies_when"], path, set(others))
    if not conditions:
        raise ScenarioError(path, {}, "another dimension with the options where this one applies")
    out = {}
    for other, options in conditions.items():
        listed = schema.names(options, f"{path}.{other}", others[other].options, min_len=1)
        out[other] = tuple(listed)
    return out
