"""Unit and property tests for sim/model/rules/ratification.py: Putnam's two-level game as a weighted vote with vetoes,
and what a proposer anticipates of it (docs/model.md §2.7, §2.9–§2.10)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.rules.ratification import (
    beats_status_quo,
    confidence_needed,
    confidence_to_support,
    demanded_gain,
    ratifies,
    still_rejected,
    supports,
    win_set,
    win_set_at,
)
from sim.model.rules.salience import salience

PROPERTY = settings(max_examples=100, deadline=None, database=None)
EPS = 1e-12

unit = st.floats(0.0, 1.0)
# Influence, quota and utilities on an exact dyadic grid, so vote sums are exact and never sit at a rounding edge.
sixteenths = st.integers(0, 16).map(lambda k: k / 16)


@st.composite
def cabinets(draw, max_ministries=5, max_outcomes=12):
    """A country's ministries (utilities per outcome, demand, influence, veto) and its quota."""
    m = draw(st.integers(1, max_ministries))
    n = draw(st.integers(1, max_outcomes))
    utilities = np.array(draw(st.lists(st.lists(sixteenths, min_size=n, max_size=n), min_size=m, max_size=m)))
    demands = np.array(draw(st.lists(sixteenths, min_size=m, max_size=m)))
    influence = np.array(draw(st.lists(sixteenths, min_size=m, max_size=m)))
    veto = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    quota = draw(sixteenths)
    return utilities, demands, influence, veto, quota


# --- what each ministry demands --------------------------------------------------------------------------------------


@PROPERTY
@given(sq=unit, gap=unit, hawkishness=unit, c=unit)
def test_demanded_gain_is_status_quo_without_distrust(sq, gap, hawkishness, c):
    """With no hawkishness or full confidence the demand is the status quo (Putnam: beat no deal)."""
    best = sq + gap
    assert demanded_gain(sq, best, 0.0, c) == sq
    assert demanded_gain(sq, best, hawkishness, 1.0) == sq


@PROPERTY
@given(sq=unit, gap=unit, hawkishness=unit, c=unit)
def test_demanded_gain_between_status_quo_and_best(sq, gap, hawkishness, c):
    """The demand never falls below the status quo nor rises above the ministry's best outcome."""
    best = sq + gap
    assert sq - EPS <= demanded_gain(sq, best, hawkishness, c) <= best + EPS


@PROPERTY
@given(sq=unit, gap=unit, h1=unit, h2=unit, c1=unit, c2=unit)
def test_demanded_gain_monotone(sq, gap, h1, h2, c1, c2):
    """The demand is non-increasing in confidence and non-decreasing in hawkishness."""
    best = sq + gap
    clo, chi = sorted((c1, c2))
    hlo, hhi = sorted((h1, h2))
    assert demanded_gain(sq, best, h1, chi) <= demanded_gain(sq, best, h1, clo) + EPS
    assert demanded_gain(sq, best, hlo, c1) <= demanded_gain(sq, best, hhi, c1) + EPS


def test_demanded_gain_known_value_and_vectorised():
    """sq + h·(1 − c)·(best − sq), worked out for a cabinet of three ministries at once."""
    demand = demanded_gain(np.array([0.2, 0.5, 0.0]), np.array([1.0, 0.9, 0.6]), np.array([0.6, 0.0, 1.0]), 0.25)
    np.testing.assert_allclose(demand, [0.2 + 0.6 * 0.75 * 0.8, 0.5, 0.0 + 1.0 * 0.75 * 0.6])


# --- support and the vote ---------------------------------------------------------------------------------------------


def test_supports_threshold():
    """A ministry supports a deal exactly when its utility reaches its demand."""
    np.testing.assert_array_equal(supports([0.3, 0.5, 0.7], [0.5, 0.5, 0.5]), [False, True, True])


def test_ratifies_honours_quota():
    """Ratification needs the supporters' influence to reach the quota."""
    influence = np.array([0.5, 0.3, 0.2])
    no_veto = np.zeros(3, bool)
    assert ratifies([True, False, False], influence, no_veto, 0.5)
    assert ratifies([False, True, True], influence, no_veto, 0.5)
    assert not ratifies([False, True, False], influence, no_veto, 0.5)
    assert not ratifies([False, True, True], influence, no_veto, 0.6)
    assert ratifies([True, True, True], influence, no_veto, 1.0)


def test_ratifies_honours_veto():
    """A veto holder's opposition blocks a deal whatever the vote; its support alone carries nothing."""
    influence = np.array([0.5, 0.3, 0.2])
    veto = np.array([True, False, False])
    assert not ratifies([False, True, True], influence, veto, 0.5)
    assert not ratifies([False, True, True], influence, veto, 0.0)
    assert ratifies([True, True, False], influence, veto, 0.5)
    assert not ratifies([True, False, False], influence, veto, 0.6)


@PROPERTY
@given(cabinet=cabinets(max_outcomes=1))
def test_ratifies_matches_vote_count(cabinet):
    """ratifies == (Σ influence of supporters ≥ quota) and no veto holder opposes, counted by hand."""
    utilities, demands, influence, veto, quota = cabinet
    support = supports(utilities[:, 0], demands)
    votes = sum(float(w) for w, s in zip(influence, support, strict=True) if s)
    vetoed = any(v and not s for v, s in zip(veto, support, strict=True))
    assert ratifies(support, influence, veto, quota) == (votes >= quota and not vetoed)


def test_ratifies_vectorised_over_replicates():
    """A (replicates, ministries) support array gives one vote per replicate, as voting row by row."""
    support = np.array([[True, True, True], [False, True, True], [True, False, False], [True, False, True]])
    influence, veto = np.array([0.5, 0.3, 0.2]), np.array([True, False, False])
    votes = ratifies(support, influence, veto, 0.6)
    assert votes.tolist() == [bool(ratifies(row, influence, veto, 0.6)) for row in support]
    assert votes.tolist() == [True, False, False, True]


# --- the win-set ------------------------------------------------------------------------------------------------------


@PROPERTY
@given(cabinet=cabinets())
def test_win_set_agrees_with_outcome_by_outcome_vote(cabinet):
    """win_set(...)[x] == ratifies(supports(u[:, x], demands), ...) for every outcome x."""
    utilities, demands, influence, veto, quota = cabinet
    ws = win_set(utilities, demands, influence, veto, quota)
    assert ws.dtype == bool and ws.shape == (utilities.shape[1],)
    expected = [ratifies(supports(utilities[:, x], demands), influence, veto, quota) for x in range(utilities.shape[1])]
    assert ws.tolist() == expected


@PROPERTY
@given(cabinet=cabinets(), who=st.integers(0, 4), raise_by=st.integers(1, 16).map(lambda k: k / 16))
def test_win_set_shrinks_when_veto_holder_demands_more(cabinet, who, raise_by):
    """Putnam: a tougher veto player shrinks the win-set (a subset), never enlarges it."""
    utilities, demands, influence, veto, quota = cabinet
    who %= len(demands)
    veto = veto.copy()
    veto[who] = True
    before = win_set(utilities, demands, influence, veto, quota)
    tougher = demands.copy()
    tougher[who] += raise_by
    after = win_set(utilities, tougher, influence, veto, quota)
    assert not (after & ~before).any()


def test_win_set_shrinks_strictly_in_worked_example():
    """A veto holder demanding more removes the deals it no longer supports (and only those)."""
    utilities = np.array([[0.2, 0.5, 0.8, 1.0], [1.0, 0.8, 0.5, 0.2]])
    influence, veto, quota = np.array([0.6, 0.4]), np.array([True, False]), 0.6
    before = win_set(utilities, np.array([0.4, 0.0]), influence, veto, quota)
    after = win_set(utilities, np.array([0.7, 0.0]), influence, veto, quota)
    assert before.tolist() == [False, True, True, True]
    assert after.tolist() == [False, False, True, True]


@pytest.mark.parametrize("quota", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_win_set_without_veto_follows_quota(quota):
    """Without vetoes an outcome is in the win-set iff its supporters hold at least the quota."""
    utilities = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0]])
    influence = np.array([0.75, 0.25])
    ws = win_set(utilities, np.array([0.5, 0.5]), influence, np.zeros(2, bool), quota)
    votes = [1.0, 0.75, 0.25, 0.0]  # both, only the 0.75 ministry, only the 0.25 one, neither
    assert ws.tolist() == [v >= quota for v in votes]


@PROPERTY
@given(cabinet=cabinets(), shifts=st.lists(st.integers(-4, 4).map(lambda k: k / 16), min_size=3, max_size=3))
def test_win_set_vectorised_over_replicates(cabinet, shifts):
    """Demands with a leading replicate axis give each replicate's win-set, as one call per replicate would."""
    utilities, demands, influence, veto, quota = cabinet
    many = np.stack([demands + s for s in shifts])
    expected = np.stack([win_set(utilities, d, influence, veto, quota) for d in many])
    assert np.array_equal(win_set(utilities, many, influence, veto, quota), expected)


def test_beats_status_quo_is_strict_by_the_margin():
    u = np.array([0.3, 0.30000000000001, 0.35, 0.5])
    assert beats_status_quo(u, 0.3, 0.0).tolist() == [False, False, True, True]
    assert beats_status_quo(u, 0.3, 0.1).tolist() == [False, False, False, True]


def test_still_rejected_until_confidence_rises_by_more_than_the_step():
    rejected_at = np.array([[0.4, -np.inf, 0.6]])
    assert still_rejected(rejected_at, np.array([0.45]), 0.05).tolist() == [[True, False, True]]
    assert still_rejected(rejected_at, np.array([0.46]), 0.05).tolist() == [[False, False, True]]
    assert still_rejected(rejected_at, np.array([0.4]), 0.0).tolist() == [[True, False, True]]


def test_salience_scales_by_the_top_priority():
    """Salience of an issue: its priority over the ministry's top priority (1 for the top concern, 0 for none)."""
    assert salience(0.1, [0.3, 0.1, 0.6]) == pytest.approx(1 / 6)
    assert salience(0.6, [0.3, 0.1, 0.6]) == 1.0
    assert salience(0.0, [0.5, 0.5]) == 0.0
    np.testing.assert_allclose(salience([0.2, 0.5], [[0.2, 0.8], [0.5, 0.5]]), [0.25, 1.0])


@PROPERTY
@given(
    cabinet=cabinets(),
    status_quo=st.lists(sixteenths, min_size=5, max_size=5),
    hawkishness=st.lists(sixteenths, min_size=5, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_win_set_by_thresholds_is_the_win_set(cabinet, status_quo, hawkishness, seed):
    """win_set_at (each ministry's own confidence) and confidence_needed (one confidence for all) give the win-set
    of the demands demanded_gain sets at those confidences."""
    utilities, _, influence, veto, quota = cabinet
    n = len(influence)
    sq, h = np.array(status_quo[:n]) / 2, np.array(hawkishness[:n])
    best = np.maximum(utilities.max(axis=1), sq)
    thresholds = confidence_to_support(utilities, sq, best, h)
    needed = confidence_needed(thresholds, influence, veto, quota)
    rng = np.random.default_rng(seed)
    each = rng.random((6, n))  # off the dyadic grid, so no confidence sits exactly at a threshold
    expected = np.stack([win_set(utilities, demanded_gain(sq, best, h, c), influence, veto, quota) for c in each])
    assert np.array_equal(win_set_at(each, thresholds, influence, veto, quota), expected)
    for c in rng.random(6):
        assert np.array_equal(c >= needed, win_set(utilities, demanded_gain(sq, best, h, c), influence, veto, quota))
