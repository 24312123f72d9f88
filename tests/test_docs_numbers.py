"""The figures the documentation states about the shipped scenarios, computed again: a model change that moves one
fails here until the sentence is updated (docs/users.md, "Scenarios")."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario, replicate_seeds, simulate_ensemble
from sim.model.plan.compiled import plan_for

USERS = (Path(__file__).resolve().parents[1] / "docs" / "users.md").read_text()
SEEDS = replicate_seeds(2013, 500)


def row(name: str) -> str:
    """The scenarios table's row for ``name``."""
    return next(line for line in USERS.splitlines() if line.startswith(f"| `{name}` |"))


def settled(name: str, rounds: int) -> tuple[float, float]:
    """The share of the 500 histories that settled within ``rounds``, and their median round of settlement."""
    s = simulate_ensemble(load_scenario(name), SEEDS, rounds=rounds).replicate_summaries
    hits = s["peace_treaty.settled"]
    return float(hits.mean()), float(s.loc[hits, "peace_treaty.settled_round"].median()) if hits.any() else np.nan


@pytest.mark.parametrize("name", ["tokyo_2013", "tokyo_1956_formula"])
def test_settlement_shares_in_the_scenarios_table(name):
    early, _ = settled(name, 40)
    late, median = settled(name, 120)
    text = f"Settled: {early:.0%} within 40 rounds, {late:.0%} within 120"
    text += f" (median round {median:.0f})" if late else "."
    assert text in row(name)


def test_the_shared_threat_row():
    threat = simulate_ensemble(load_scenario("shared_threat"), SEEDS, rounds=40).replicate_summaries
    plain = simulate_ensemble(load_scenario("tokyo_2013"), SEEDS, rounds=40).replicate_summaries
    share, median = settled("shared_threat", 120)
    a, b = (s["confidence.japan.russia"].mean() for s in (threat, plain))
    assert f"round 40: {a:.2f} against {b:.2f} in `tokyo_2013`" in row("shared_threat")
    assert f"settled: {share:.0%} within 120 rounds (median round {median:.0f})" in row("shared_threat")


def test_where_tokyos_win_sets_first_overlap():
    """The least confidence, shared by every ministry, at which some deal lies in both win-sets, and that deal."""
    plan = plan_for(load_scenario("tokyo_2013"))
    talks = plan.talks["peace_treaty"]
    for c in np.round(np.arange(0.0, 1.0001, 0.01), 2):
        both = np.logical_and(*talks.win_sets(np.full((plan.size, plan.size), c)))
        if both.any():
            break
    terms = talks.terms(int(np.flatnonzero(both)[0]))
    text = re.sub(r"\s+", " ", USERS)
    assert f"overlap when every ministry's confidence in the other side reaches {c:.2f}, on Habomai alone" in text
    assert terms == {
        "islands": "habomai",
        "transfer_terms": "full_sovereignty",
        "security_guarantee": "no_foreign_bases",
        "economic_package": "major_investment",
    }
