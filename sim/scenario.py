"""Scenarios as plain typed objects, and their checked construction from a mapping (YAML, JSON, a dict, OmegaConf).

A scenario names everything the engine works with: countries and their ministries, the issues (cooperative items,
frictions and the dimensions of any settlement talks), meeting formats, the calendar that repeats them, the scheduled
events (by round, or by date once ``calendar_start`` says which month round 1 is) and the random events drawn at a
rate. Nothing in the engine knows a country or an issue by name.

``Scenario.from_dict`` checks every value before a run starts and raises :class:`~sim.errors.ScenarioError` naming the
key path, the value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from itertools import combinations, permutations

from sim import schema
from sim.cameo import GOLDSTEIN_MAX, GOLDSTEIN_MIN, lookup, weighted
from sim.errors import ScenarioError
from sim.rules.confidence import generous_forgiveness

PROTOCOLS = ("concession", "alternating_offers")
MAX_OUTCOMES = 100_000  # settlement outcomes (the product of the dimensions' option counts) a talks may have
RESERVED = "default"  # the key that gives every country the same value in per-country values


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How a ministry reacts and bargains (the scenario's ``ministry_defaults`` block sets them for all)."""

    trust_gain: float = 0.15  # α⁺: share of the gap to full confidence closed by a cooperative act
    trust_loss: float = 0.30  # α⁻: share of confidence lost to a defection or hostile act (α⁻ > α⁺)
    forgiveness: float = generous_forgiveness()  # g: probability of forgiving a defection (generous TFT: 1/3)
    drift: float = 0.02  # share of the gap to the baseline closed each round between contacts
    reliability: float = 0.9  # probability of carrying out an adopted item when confidence is full
    hawkishness: float = 0.2  # weight of distrust in carrying out items and ratifying deals
    concession: float = 1.0  # concession exponent: < 1 Boulware, 1 linear, > 1 conceder


BEHAVIOUR_RANGES: dict[str, tuple[float, float]] = {
    "trust_gain": (0.0, 1.0),
    "trust_loss": (0.0, 1.0),
    "forgiveness": (0.0, 1.0),
    "drift": (0.0, 1.0),
    "reliability": (0.0, 1.0),
    "hawkishness": (0.0, 1.0),
    "concession": (0.01, 100.0),
}
DEFAULT_CONFIDENCE = 0.5  # starting confidence in a counterpart a ministry does not list


@dataclass(frozen=True, slots=True)
class Ministry:
    """A ministry (or leader's office) of a country: its role, weight at home, priorities and confidence."""

    name: str
    country: str
    role: str
    influence: float  # share of the country's decisions, normalised within the country
    veto: bool  # whether it can block ratification alone
    priorities: Mapping[str, float]  # over the scenario's issues, non-negative, summing to 1
    confidence: Mapping[str, float]  # in each foreign ministry, keyed "country.ministry"
    behaviour: Behaviour

    @property
    def key(self) -> str:
        return f"{self.country}.{self.name}"


@dataclass(frozen=True, slots=True)
class Country:
    """A country: its ministries and the share of their influence that ratifies a deal."""

    name: str
    ministries: tuple[Ministry, ...]
    quota: float


@dataclass(frozen=True, slots=True)
class CooperativeItem:
    """A cooperation proposal: carried out by each side's ``lead`` ministry, with a benefit and an exposure per side."""

    name: str
    lead: str
    benefit: Mapping[str, float]
    exposure: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Friction:
    """A grievance ``raised_by`` one country, which ``against`` answers with understanding or not."""

    name: str
    raised_by: str
    against: str
    severity: float


@dataclass(frozen=True, slots=True)
class Dimension:
    """One dimension of a settlement: ordered options and each party's value of each option in [0, 1]."""

    name: str
    options: tuple[str, ...]
    values: Mapping[str, tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class Talks:
    """Bilateral settlement talks over a multi-dimensional outcome space, against a status quo."""

    name: str
    parties: tuple[str, str]
    dimensions: tuple[Dimension, ...]
    status_quo: Mapping[str, str]
    horizon: int  # sessions after which each side has conceded to its reservation value
    confidence_effect: float  # how strongly confidence speeds concession
    protocol: str  # "concession" (time-dependent aspirations) or "alternating_offers" (Rubinstein)


@dataclass(frozen=True, slots=True)
class MeetingFormat:
    """A kind of meeting: who attends (by role), what is on its agenda and how much it weighs."""

    name: str
    roles: tuple[str, ...]
    agenda: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A recurring meeting of a format, every ``every`` rounds from ``start``.

    It brings together each of its ``pairs`` of countries: all pairs of its countries (a summit or a multilateral
    forum, whose chair rotates through ``hosts``), or a given list of pairs meeting bilaterally in the same round
    (no chair: the two sides take turns to propose first).
    """

    name: str
    format: str
    countries: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    every: int
    start: int
    hosts: tuple[str, ...]

    def meets(self, round_: int) -> bool:
        return round_ >= self.start and (round_ - self.start) % self.every == 0

    def host(self, round_: int) -> str:
        """The chair in ``round_``, or "" for a series of bilateral pairs."""
        if not self.hosts:
            return ""
        return self.hosts[((round_ - self.start) // self.every) % len(self.hosts)]


@dataclass(frozen=True, slots=True)
class Event:
    """A scheduled act of ``source`` towards ``target`` (a country or ``country.ministry``) on Goldstein's scale."""

    round: int
    source: str
    target: str
    goldstein: float  # the code's value (or the value given), times the event's weight
    cameo: str | None
    note: str


@dataclass(frozen=True, slots=True)
class RandomEvents:
    """Events drawn each round: for each directed ``(source, target)`` pair, one strikes with probability ``rate``.

    Its value is drawn uniformly among ``cameo`` codes (whose Goldstein values are ``goldstein``), or, without codes,
    uniformly in the range ``goldstein = (low, high)``. Shocks "drawn at a rate" beside scheduled ones (domain.md §3).
    """

    name: str
    rate: float
    pairs: tuple[tuple[str, str], ...]
    cameo: tuple[str, ...]
    goldstein: tuple[float, ...]
    note: str


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything a run needs besides its seed and length.

    Compared and hashed by identity, so that the model can keep the arrays it derives from a scenario for reuse.
    """

    name: str
    description: str
    countries: tuple[Country, ...]
    cooperation: tuple[CooperativeItem, ...]
    frictions: tuple[Friction, ...]
    talks: tuple[Talks, ...]
    formats: tuple[MeetingFormat, ...]
    calendar: tuple[CalendarEntry, ...]
    events: tuple[Event, ...]
    random_events: tuple[RandomEvents, ...]
    calendar_start: str | None  # 'YYYY-MM' of round 1, if the scenario gives dates
    round_months: int  # months per round
    spillover: float  # share of an observation that reaches a country's other ministries
    shock_scale: float  # how far a Goldstein ±10 event moves confidence (as a share of the gap)

    @property
    def issues(self) -> tuple[str, ...]:
        """Names that priorities are over: cooperative items, frictions and talk dimensions."""
        dims = tuple(d.name for t in self.talks for d in t.dimensions)
        return tuple(i.name for i in self.cooperation) + tuple(f.name for f in self.frictions) + dims

    @property
    def ministries(self) -> tuple[Ministry, ...]:
        return tuple(m for c in self.countries for m in c.ministries)

    @classmethod
    def from_dict(cls, data: Mapping, path: str = "scenario") -> Scenario:
        """Check and build a scenario from a plain mapping; raise :class:`ScenarioError` on the first mistake."""
        return _parse_scenario(data, path)


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
    "round_months",
    "events",
    "random_events",
}
_MINISTRY_KEYS = {"role", "influence", "veto", "priorities", "confidence", *BEHAVIOUR_RANGES}


def _parse_scenario(data: Mapping, path: str) -> Scenario:
    schema.mapping(data, path, _TOP_KEYS)
    name = schema.identifier(schema.require(data, "name", path), f"{path}.name")
    raw_countries = schema.mapping(schema.require(data, "countries", path), f"{path}.countries")
    if len(raw_countries) < 2:
        raise ScenarioError(f"{path}.countries", list(raw_countries), "at least two countries")
    countries = tuple(_country_name(c, f"{path}.countries.{c}") for c in raw_countries)

    cooperation = tuple(
        _parse_item(k, v, f"{path}.cooperation.{k}", countries) for k, v in _named(data, "cooperation", path).items()
    )
    frictions = tuple(
        _parse_friction(k, v, f"{path}.frictions.{k}", countries) for k, v in _named(data, "frictions", path).items()
    )
    talks = tuple(_parse_talks(k, v, f"{path}.talks.{k}", countries) for k, v in _named(data, "talks", path).items())
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
        _parse_format(k, v, f"{path}.formats.{k}", roles, agenda_names)
        for k, v in schema.mapping(schema.require(data, "formats", path), f"{path}.formats").items()
    )
    calendar = tuple(
        _parse_entry(k, v, f"{path}.calendar.{k}", formats, parsed_countries, cooperation)
        for k, v in schema.mapping(schema.require(data, "calendar", path), f"{path}.calendar").items()
    )
    actors = {*countries, *(m.key for c in parsed_countries for m in c.ministries)}
    start, round_months = _timeline(data, path)
    raw_events = schema.sequence(schema.optional(data, "events", []), f"{path}.events", "events")
    events = tuple(
        _parse_event(e, f"{path}.events[{i}]", actors, start, round_months) for i, e in enumerate(raw_events)
    )
    random_events = tuple(
        _parse_random_events(k, v, f"{path}.random_events.{k}", actors)
        for k, v in _named(data, "random_events", path).items()
    )
    return Scenario(
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
        calendar_start=None if start is None else schema.month_text(start),
        round_months=round_months,
        spillover=schema.number(data.get("spillover", 0.3), f"{path}.spillover", 0.0, 1.0),
        shock_scale=schema.number(data.get("shock_scale", 0.5), f"{path}.shock_scale", 0.0, 1.0),
    )


def _named(data: Mapping, key: str, path: str) -> Mapping:
    """An optional top-level block of named entries (cooperation, frictions, talks, random_events)."""
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


def _timeline(data: Mapping, path: str) -> tuple[int | None, int]:
    """Round 1's month (a count of months; None if the scenario gives no dates) and the months per round."""
    if "calendar_start" not in data:
        if "round_months" in data:
            raise ScenarioError(f"{path}.round_months", data["round_months"], "only with calendar_start (YYYY-MM)")
        return None, 1
    start = schema.month(data["calendar_start"], f"{path}.calendar_start")
    return start, schema.integer(data.get("round_months", 1), f"{path}.round_months", 1)


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


def _parse_country(name, raw, path, issues, ministry_names, defaults: Behaviour, confidence: float) -> Country:
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
        Ministry(m.name, m.country, m.role, m.influence / total, m.veto, m.priorities, m.confidence, m.behaviour)
        for m in parsed
    )
    return Country(name, ministries, schema.number(raw.get("quota", 0.5), f"{path}.quota", 0.0, 1.0))


def _parse_ministry(country, name, raw, path, issues, ministry_names, defaults: Behaviour, confidence) -> Ministry:
    schema.identifier(name, path)
    schema.mapping(raw, path, _MINISTRY_KEYS)
    behaviour = _parse_behaviour(raw, path, defaults)
    role = schema.identifier(schema.require(raw, "role", path), f"{path}.role")
    veto = raw.get("veto", False)
    if not isinstance(veto, bool):
        raise ScenarioError(f"{path}.veto", veto, "true or false")
    return Ministry(
        name=name,
        country=country,
        role=role,
        influence=schema.number(raw.get("influence", 1.0), f"{path}.influence", 0.0),
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


def _parse_item(name, raw, path, countries) -> CooperativeItem:
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


def _parse_friction(name, raw, path, countries) -> Friction:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"raised_by", "against", "severity"})
    raised_by = schema.name(schema.require(raw, "raised_by", path), f"{path}.raised_by", countries)
    against = schema.name(schema.require(raw, "against", path), f"{path}.against", set(countries) - {raised_by})
    return Friction(name, raised_by, against, schema.number(raw.get("severity", 0.5), f"{path}.severity", 0.0, 1.0))


def _parse_talks(name, raw, path, countries) -> Talks:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"parties", "dimensions", "status_quo", "horizon", "confidence_effect", "protocol"})
    parties = schema.names(schema.require(raw, "parties", path), f"{path}.parties", countries, min_len=2)
    if len(parties) != 2:
        raise ScenarioError(f"{path}.parties", list(parties), "exactly two countries (talks are bilateral)")
    raw_dims = schema.mapping(schema.require(raw, "dimensions", path), f"{path}.dimensions")
    if not raw_dims:
        raise ScenarioError(f"{path}.dimensions", {}, "at least one dimension")
    dimensions = tuple(_parse_dimension(k, v, f"{path}.dimensions.{k}", parties) for k, v in raw_dims.items())
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
    return Talks(
        name=name,
        parties=(parties[0], parties[1]),
        dimensions=dimensions,
        status_quo=status_quo,
        horizon=schema.integer(raw.get("horizon", 12), f"{path}.horizon", 1),
        confidence_effect=schema.number(raw.get("confidence_effect", 1.0), f"{path}.confidence_effect", 0.0, 10.0),
        protocol=schema.name(raw.get("protocol", "concession"), f"{path}.protocol", PROTOCOLS),
    )


def _parse_dimension(name, raw, path, parties) -> Dimension:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"options", "values"})
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


def _parse_format(name, raw, path, roles, agenda_names) -> MeetingFormat:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"roles", "agenda", "weight"})
    return MeetingFormat(
        name=name,
        roles=schema.names(schema.require(raw, "roles", path), f"{path}.roles", roles),
        agenda=schema.names(schema.optional(raw, "agenda", []), f"{path}.agenda", agenda_names, min_len=0),
        weight=schema.number(raw.get("weight", 1.0), f"{path}.weight", 0.0, 1.0),
    )


def _parse_entry(name, raw, path, formats, countries: tuple[Country, ...], cooperation) -> CalendarEntry:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"format", "countries", "pairs", "every", "start", "hosts"})
    fmt_name = schema.name(schema.require(raw, "format", path), f"{path}.format", {f.name for f in formats})
    fmt = next(f for f in formats if f.name == fmt_name)
    by_name = {c.name: c for c in countries}
    if schema.either(raw, path, ("countries", "all meet"), ("pairs", "bilateral meetings")) == "countries":
        members = schema.names(raw["countries"], f"{path}.countries", by_name, min_len=2)
        pairs = tuple(combinations(members, 2))
        hosts = schema.names(schema.optional(raw, "hosts", members), f"{path}.hosts", members)
    else:
        raw_pairs = schema.sequence(raw["pairs"], f"{path}.pairs", "[country, country] pairs", min_len=1)
        pairs = tuple(schema.pair(p, f"{path}.pairs[{k}]", by_name) for k, p in enumerate(raw_pairs))
        if len({frozenset(p) for p in pairs}) != len(pairs):
            raise ScenarioError(f"{path}.pairs", [list(p) for p in pairs], "each pair of countries once")
        if "hosts" in raw:
            raise ScenarioError(f"{path}.hosts", raw["hosts"], "no hosts for bilateral pairs (they take turns)")
        members, hosts = tuple(dict.fromkeys(c for p in pairs for c in p)), ()
    for c in members:
        roles = {m.role for m in by_name[c].ministries}
        if sum(m.influence for m in by_name[c].ministries if m.role in fmt.roles) <= 0:
            raise ScenarioError(
                f"{path}.countries",
                c,
                f"countries with a ministry of some influence in a role of format {fmt_name!r} ({list(fmt.roles)})",
            )
        for item in cooperation:
            if item.name in fmt.agenda and item.lead not in roles:
                raise ScenarioError(
                    f"{path}.countries",
                    c,
                    f"countries with a {item.lead!r} ministry to lead {item.name!r} (on the agenda of {fmt_name!r})",
                )
    return CalendarEntry(
        name=name,
        format=fmt_name,
        countries=members,
        pairs=pairs,
        every=schema.integer(raw.get("every", 1), f"{path}.every", 1),
        start=schema.integer(raw.get("start", 1), f"{path}.start", 1),
        hosts=hosts,
    )


def _parse_event(raw, path, actors, start: int | None, round_months: int) -> Event:
    schema.mapping(raw, path, {"round", "date", "source", "target", "cameo", "goldstein", "weight", "note"})
    source = schema.name(schema.require(raw, "source", path), f"{path}.source", actors)
    target = schema.name(schema.require(raw, "target", path), f"{path}.target", actors)
    check_countries_differ(source, target, f"{path}.target")
    if schema.either(raw, path, ("round", "a whole number ≥ 1"), ("date", "YYYY-MM")) == "round":
        round_ = schema.integer(raw["round"], f"{path}.round", 1)
    else:
        round_ = _date_round(raw["date"], f"{path}.date", start, round_months)
    if schema.either(raw, path, ("cameo", "a CAMEO code"), ("goldstein", "a value in [-10, 10]")) == "cameo":
        entry = lookup(raw["cameo"], f"{path}.cameo")
        code, goldstein = entry.code, entry.goldstein
    else:
        code, goldstein = None, schema.number(raw["goldstein"], f"{path}.goldstein", GOLDSTEIN_MIN, GOLDSTEIN_MAX)
    weight = schema.number(schema.optional(raw, "weight", 1.0), f"{path}.weight", 0.0)
    note = schema.text(schema.optional(raw, "note", ""), f"{path}.note")
    return Event(round_, source, target, weighted(goldstein, weight, f"{path}.weight"), code, note)


def check_countries_differ(source: str, target: str, path: str) -> None:
    """An event is one country's act towards another: ``source`` and ``target`` (actors) of different countries."""
    if source.split(".")[0] == target.split(".")[0]:
        raise ScenarioError(path, target, f"an actor of another country than the source {source!r}")


def _date_round(value: object, path: str, start: int | None, round_months: int) -> int:
    """The round holding the month of ``value``: round 1 holds month ``start``, each round ``round_months`` long."""
    if start is None:
        raise ScenarioError(path, value, "a 'round' instead, or set calendar_start (the YYYY-MM of round 1)")
    month = schema.month(value, path)
    if month < start:
        raise ScenarioError(path, value, f"a date from calendar_start ({schema.month_text(start)}) on")
    return (month - start) // round_months + 1


def _parse_random_events(name, raw, path, actors) -> RandomEvents:
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
