"""What a model derives from a scenario before its first round, computed once per scenario and shared by runs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from sim.meetings import Dyad, Side
from sim.scenario import CalendarEntry, Event, Scenario
from sim.talks import TalksPlan


@dataclass(frozen=True)
class Plan:
    """Matrix layout, starting arrays, compiled meetings and talks of a scenario."""

    scenario: Scenario
    blocks: dict[str, slice]  # each country's ministries' rows (and columns) in the confidence matrix
    influence: np.ndarray  # per ministry, normalised within its country
    starts: np.ndarray  # first row of each country
    initial: np.ndarray  # starting confidence (and the baseline it drifts back to)
    keep: np.ndarray  # 1 − drift rate, per row
    pull: np.ndarray  # drift rate × baseline
    talks: dict[str, TalksPlan]
    calendar: tuple[tuple[CalendarEntry, tuple[Dyad, ...]], ...]
    events: dict[int, tuple[Event, ...]]


@lru_cache(maxsize=32)
def plan_for(scenario: Scenario) -> Plan:
    """The plan of ``scenario`` (cached: scenarios are immutable and hashed by identity)."""
    specs = scenario.ministries
    index = {m.key: i for i, m in enumerate(specs)}
    countries = {c.name: c for c in scenario.countries}
    blocks = {}
    for c in scenario.countries:
        first = index[c.ministries[0].key]
        blocks[c.name] = slice(first, first + len(c.ministries))
    initial = np.zeros((len(specs), len(specs)))
    for i, m in enumerate(specs):
        for key, c in m.confidence.items():
            initial[i, index[key]] = c
    initial.flags.writeable = False
    rate = np.array([m.behaviour.drift for m in specs])[:, None]
    talks = {
        t.name: TalksPlan(
            t, (countries[t.parties[0]], countries[t.parties[1]]), (blocks[t.parties[0]], blocks[t.parties[1]])
        )
        for t in scenario.talks
    }
    formats = {f.name: f for f in scenario.formats}
    calendar = []
    for entry in scenario.calendar:
        fmt = formats[entry.format]
        sides = {c: Side(countries[c], blocks[c], fmt, scenario.spillover) for c in entry.countries}
        dyads = tuple(
            Dyad(entry, fmt, (sides[a], sides[b]), scenario, talks) for a, b in combinations(entry.countries, 2)
        )
        calendar.append((entry, dyads))
    events = defaultdict(list)
    for e in scenario.events:
        events[e.round].append(e)
    return Plan(
        scenario=scenario,
        blocks=blocks,
        influence=np.array([m.influence for m in specs]),
        starts=np.array([b.start for b in blocks.values()]),
        initial=initial,
        keep=1.0 - rate,
        pull=rate * initial,
        talks=talks,
        calendar=tuple(calendar),
        events={r: tuple(es) for r, es in events.items()},
    )
