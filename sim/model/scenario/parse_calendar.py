"""Checked construction of a scenario's meeting formats, the calendar entries that repeat them (or meet once), and
the dated changes that suspend, resume and end them."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.parse_events import Timeline, at_round, when
from sim.model.scenario.specs import DEFAULTS, CalendarEntry, CountrySpec, MeetingFormat, Pause

_ENTRY_KEYS = {"format", "countries", "pairs", "every", "start", "hosts", "once"}
_ACTIONS = ("suspend", "resume", "end")
_RULE_KEYS = {"lapse_below", "withdraw_below"}


def parse_format(name, raw, path, roles, agenda_names) -> MeetingFormat:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"roles", "agenda", "weight"})
    return MeetingFormat(
        name=name,
        roles=schema.names(schema.require(raw, "roles", path), f"{path}.roles", roles),
        agenda=schema.names(schema.optional(raw, "agenda", []), f"{path}.agenda", agenda_names, min_len=0),
        weight=schema.number(raw.get("weight", DEFAULTS["weight"]), f"{path}.weight", 0.0, 1.0),
    )


def parse_entry(
    name, raw, path, formats, countries: tuple[CountrySpec, ...], cooperation, time: Timeline
) -> CalendarEntry:
    schema.identifier(name, path)
    schema.mapping(raw, path, _ENTRY_KEYS | _RULE_KEYS)
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
    once = _once(raw, path, time)
    return CalendarEntry(
        name=name,
        format=fmt_name,
        countries=members,
        pairs=pairs,
        every=schema.integer(raw.get("every", DEFAULTS["every"]), f"{path}.every", 1),
        start=once[0] if once else schema.integer(raw.get("start", DEFAULTS["start"]), f"{path}.start", 1),
        hosts=hosts,
        once=once,
        **{k: schema.number(raw.get(k, 0.0), f"{path}.{k}", 0.0, 1.0) for k in sorted(_RULE_KEYS)},
    )


def _once(raw, path: str, time: Timeline) -> tuple[int, ...]:
    """One-off meetings: a list of rounds or dates, instead of a series (``every``, ``start``)."""
    if "once" not in raw:
        return ()
    for key in ("every", "start"):
        if key in raw:
            raise ScenarioError(f"{path}.{key}", raw[key], "no 'every' or 'start' with 'once' (one-off meetings)")
    listed = schema.sequence(raw["once"], f"{path}.once", "rounds or dates", min_len=1)
    rounds = tuple(when(v, f"{path}.once[{k}]", time) for k, v in enumerate(listed))
    if len(set(rounds)) != len(rounds):
        raise ScenarioError(f"{path}.once", list(listed), "rounds (or dates in different rounds) given once each")
    return tuple(sorted(rounds))


def parse_calendar_changes(raw: object, path: str, calendar: tuple[CalendarEntry, ...], time: Timeline):
    """The calendar with its dated changes: each entry ``suspend``s, ``resume``s or ``end``s series (a name or a
    list) at a ``round`` or ``date``, with a ``reason``. A series is suspended at most once at a time, resumed only
    while suspended, and changes no more once ended."""
    names = [e.name for e in calendar]
    listed = schema.sequence(raw, path, "dated calendar changes")
    changes = []
    for k, c in enumerate(listed):
        where = f"{path}[{k}]"
        schema.mapping(c, where, {"round", "date", *_ACTIONS, "reason"})
        round_ = at_round(c, where, time)
        actions = [a for a in _ACTIONS if a in c]
        if len(actions) != 1:
            raise ScenarioError(where, dict(c), "exactly one of 'suspend', 'resume' or 'end' (a series or a list)")
        value, at = c[actions[0]], f"{where}.{actions[0]}"
        series = (schema.name(value, at, names),) if isinstance(value, str) else schema.names(value, at, names)
        changes.append((round_, k, at, actions[0], series, _reason(c, where)))
    suspended: dict[str, tuple[int, str]] = {}
    ended: dict[str, int] = {}
    pauses: dict[str, list[Pause]] = {n: [] for n in names}
    for round_, _, at, action, series, reason in sorted(changes, key=lambda c: c[:2]):
        for name in series:
            if name in ended:
                raise ScenarioError(at, name, f"a series not ended (it ends from round {ended[name]})")
            if action == "suspend" and name in suspended:
                since = suspended[name][0]
                raise ScenarioError(at, name, f"a series not already suspended (suspended from round {since})")
            if action == "resume" and name not in suspended:
                raise ScenarioError(at, name, f"a suspended series (suspend {name!r} before round {round_})")
            if name in suspended and action != "suspend":
                since, why = suspended.pop(name)
                if round_ <= since:
                    raise ScenarioError(at, name, f"a round after the suspension (round {since})")
                pauses[name].append(Pause(since, round_, why, "suspended"))
            if action == "suspend":
                suspended[name] = (round_, reason)
            elif action == "end":
                ended[name] = round_
                pauses[name].append(Pause(round_, None, reason, "ended"))
    for name, (since, why) in suspended.items():
        pauses[name].append(Pause(since, None, why, "suspended"))
    return tuple(replace(e, pauses=tuple(pauses[e.name])) for e in calendar)


def _reason(raw, path: str) -> str:
    return schema.text(schema.require(raw, "reason", path), f"{path}.reason")
