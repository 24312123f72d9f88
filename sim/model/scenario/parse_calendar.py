"""Checked construction of a scenario's meeting formats and the calendar entries that repeat them."""

from __future__ import annotations

from itertools import combinations, pairwise

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.scenario.parse_events import Timeline, stretch, when
from sim.model.scenario.specs import CalendarEntry, Country, MeetingFormat, Pause

_ENTRY_KEYS = {"format", "countries", "pairs", "every", "start", "hosts", "once", "suspended", "end"}
_RULE_KEYS = {"lapse_below", "withdraw_below"}


def parse_format(name, raw, path, roles, agenda_names) -> MeetingFormat:
    schema.identifier(name, path)
    schema.mapping(raw, path, {"roles", "agenda", "weight"})
    return MeetingFormat(
        name=name,
        roles=schema.names(schema.require(raw, "roles", path), f"{path}.roles", roles),
        agenda=schema.names(schema.optional(raw, "agenda", []), f"{path}.agenda", agenda_names, min_len=0),
        weight=schema.number(raw.get("weight", 1.0), f"{path}.weight", 0.0, 1.0),
    )


def parse_entry(name, raw, path, formats, countries: tuple[Country, ...], cooperation, time: Timeline) -> CalendarEntry:
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
        every=schema.integer(raw.get("every", 1), f"{path}.every", 1),
        start=once[0] if once else schema.integer(raw.get("start", 1), f"{path}.start", 1),
        hosts=hosts,
        once=once,
        pauses=_pauses(raw, path, time),
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


def _pauses(raw, path: str, time: Timeline) -> tuple[Pause, ...]:
    """Dated suspensions (``from``, optional ``until``: the round it resumes) and an ``end``, checked not to overlap."""
    listed = schema.sequence(schema.optional(raw, "suspended", []), f"{path}.suspended", "suspensions")
    pauses = []
    for k, p in enumerate(listed):
        where = f"{path}.suspended[{k}]"
        schema.mapping(p, where, {"from", "until", "reason"})
        start, until = stretch(p, where, time)
        pauses.append((where, Pause(start, until, _reason(p, where))))
    if "end" in raw:
        where = f"{path}.end"
        schema.mapping(raw["end"], where, {"at", "reason"})
        at = when(schema.require(raw["end"], "at", where), f"{where}.at", time)
        pauses.append((where, Pause(at, None, _reason(raw["end"], where))))
    pauses.sort(key=lambda wp: wp[1].start)
    for (_, before), (where, after) in pairwise(pauses):
        if before.until is None or after.start < before.until:
            ends = "for good" if before.until is None else f"until round {before.until}"
            raise ScenarioError(where, after.start, f"a round after the pause from round {before.start} {ends}")
    return tuple(p for _, p in pauses)


def _reason(raw, path: str) -> str:
    return schema.text(schema.require(raw, "reason", path), f"{path}.reason")
