"""Replaying a dated scenario over many histories and reading it as history is read: confidence at the months that
matter, by year, and how many histories had settled by each year's end.

A replay is an ensemble of one scenario whose calendar has dates (``calendar_start``): each replicate is one history
the record could have had. :func:`replay` runs it; :func:`at_months` and :func:`settled_by_year` reduce it to the
figures an experiment quotes (``experiments/decade_replay``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.record.result import RunResult
from sim.model.run import replicate_seeds, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec

QUANTILES = (0.05, 0.5, 0.95)


def replay(scenario: ScenarioSpec, until: str, *, replicates: int = 1000, seed: int = 2013) -> RunResult:
    """``replicates`` histories of ``scenario`` from its first month to the end of the month ``until`` ('YYYY-MM'),
    with seeds spawned from ``seed``."""
    return simulate_ensemble(scenario, replicate_seeds(seed, replicates), rounds=round_of(scenario, until))


def round_of(scenario: ScenarioSpec, month: str) -> int:
    """The round ending in ``month`` ('YYYY-MM') of a scenario with a ``calendar_start``."""
    if scenario.calendar_start is None:
        raise ScenarioError("scenario.calendar_start", None, "a month 'YYYY-MM' (a replay reads dates)")
    start, end = schema.month(scenario.calendar_start, "calendar_start"), schema.month(month, "month")
    return (end - start) // scenario.round_months + 1


def at_months(result: RunResult, months: Mapping[str, str]) -> pd.DataFrame:
    """Country confidence at the end of each named month (``{"after Crimea": "2014-12"}``; "start" is round 0): one
    row per month × directed pair, with the median and the 5% and 95% quantiles over the histories."""
    scenario = result.plan.scenario
    rows = []
    for label, month in months.items():
        r = 0 if month == "start" else round_of(scenario, month)
        for k, (a, b) in enumerate(result.country_pairs):
            values = result.confidence_cube[:, r, k]
            q = np.quantile(values, QUANTILES)
            rows.append({"label": label, "month": month, "round": r, "country": a, "counterpart": b})
            rows[-1] |= {"p05": q[0], "median": q[1], "p95": q[2]}
    return pd.DataFrame(rows)


def settled_by_year(result: RunResult, talks: str) -> pd.Series:
    """The share of histories whose ``talks`` had settled by the end of each calendar year the run covers."""
    scenario = result.plan.scenario
    first = int(scenario.calendar_start[:4])
    last = first + (schema.month(scenario.calendar_start, "calendar_start") % 12 + result.rounds - 1) // 12
    rounds = result.settled_round[talks]
    shares = {}
    for year in range(first, last + 1):
        end = min(result.rounds, round_of(scenario, f"{year}-12"))
        shares[year] = float(((rounds >= 1) & (rounds <= end)).mean())
    return pd.Series(shares, name="settled")


def course(table: pd.DataFrame, steps: Sequence[tuple[str, str, str]]) -> pd.DataFrame:
    """Whether the median confidence of each directed pair moves as each step says: ``(from, to, "rise"|"fall")``
    between two labels of :func:`at_months`' table; one row per step × pair with the two medians and the verdict."""
    medians = table.set_index(["label", "country", "counterpart"])["median"]
    rows = []
    for start, end, direction in steps:
        for a, b in table[["country", "counterpart"]].drop_duplicates().itertuples(index=False):
            before, after = medians[(start, a, b)], medians[(end, a, b)]
            holds = after > before if direction == "rise" else after < before
            rows.append({"from": start, "to": end, "expected": direction, "country": a, "counterpart": b})
            rows[-1] |= {"before": before, "after": after, "holds": bool(holds)}
    return pd.DataFrame(rows)
