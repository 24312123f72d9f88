"""The observed event record of a calibration, reduced to the summary series its particles are compared with."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from sim.io.event_records import read_events
from sim.model import schema
from sim.model.cameo import goldstein_table
from sim.model.errors import ScenarioError
from sim.model.record.acts import period_summaries
from sim.model.scenario.specs import ScenarioSpec


def scenario_actors(scenario: ScenarioSpec) -> list[str]:
    """Everyone who can act in the scenario: countries, ``country.ministry`` and outside actors."""
    return [*(c.name for c in scenario.countries), *(m.key for m in scenario.ministries), *scenario.outside_actors]


def country_pairs(scenario: ScenarioSpec) -> list[tuple[str, str]]:
    """Directed country pairs, in the order of the confidence tables."""
    names = [c.name for c in scenario.countries]
    return [(a, b) for a in names for b in names if a != b]


def observed_series(
    path: Path, actors: Mapping[str, str] | None, scenario: ScenarioSpec, rounds: int, period: int
) -> np.ndarray:
    """(periods, pairs, STATISTICS): the record at ``path`` reduced as a particle's events are.

    ``actors`` maps the file's actor names to the scenario's (None: the scenario's own names). Events are placed in
    the round holding their month (the scenario needs a ``calendar_start``); those before round 1 or after ``rounds``
    are left out, and a record with none inside is an error, as are unknown actors and bad dates (one line each).
    """
    known = scenario_actors(scenario)
    if actors is None:
        actors = {a: a for a in known}
    for name, actor in actors.items():
        schema.name(actor, f"actors.{name}", known)
    if scenario.calendar_start is None:
        raise ScenarioError(
            "observed", str(path), f"a scenario with calendar_start to place dated events ({scenario.name} has none)"
        )
    entries = read_events(path, actors)
    if not entries:
        raise ScenarioError("observed", str(path), "a record with at least one event")
    start = schema.month(scenario.calendar_start, "scenario.calendar_start")
    months = np.array([schema.month(e["date"], "observed") for e in entries])
    round_ = (months - start) // scenario.round_months + 1
    inside = (round_ >= 1) & (round_ <= rounds)
    if not inside.any():
        last = schema.month_text(start + rounds * scenario.round_months - 1)
        span = f"{schema.month_text(months.min())} to {schema.month_text(months.max())}"
        raise ScenarioError(
            "observed",
            str(path),
            f"events within the scenario's calendar, {scenario.calendar_start} to {last} ({rounds} rounds)",
            problem=f"its events run from {span}",
        )
    table = goldstein_table()
    goldstein = np.array([table[e["cameo"]].goldstein * float(e.get("weight", 1.0)) for e in entries])
    series = period_summaries(
        np.zeros(len(entries), dtype=int),
        round_,
        np.array([e["source"] for e in entries], dtype=object),
        np.array([e["target"] for e in entries], dtype=object),
        goldstein,
        replicates=1,
        pairs=country_pairs(scenario),
        rounds=rounds,
        period=period,
    )
    return series[0]
