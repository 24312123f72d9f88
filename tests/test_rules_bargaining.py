"""Unit and property tests for sim/model/rules/bargaining.py against known results of bargaining theory
(docs/model.md §2.5–§2.8)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.rules.bargaining import (
    additive_utility,
    alternating_offers,
    aspiration,
    backward_induction,
    concession_exponent,
    delegation_exponent,
    first_offer,
    kalai_smorodinsky_solution,
    nash_solution,
    outcome_grid,
    pareto_frontier,
    patience,
    rubinstein_share,
    stahl_share,
    undominated,
)

PROPERTY = settings(max_examples=100, deadline=None, database=None)
FEWER = settings(PROPERTY, max_examples=50)  # for properties that solve several bargaining games per example
EPS = 1e-12

# A unit pie x ∈ [0, 1] on a grid; the proposer's utility is x unless stated otherwise.
PIE = np.linspace(0.0, 1.0, 2001)
STEP = PIE[1] - PIE[0]

# Utility vectors with many ties, on an exact grid (so the rules' 1e-12 tolerances never matter).
utility_pairs = st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), min_size=1, max_size=40)


def _arrays(pairs):
    return np.array([p[0] for p in pairs], float), np.array([p[1] for p in pairs], float)


def _undominated(u1, u2):
    n = len(u1)
    return [
        i
        for i in range(n)
        if not any(u1[j] >= u1[i] and u2[j] >= u2[i] and (u1[j] > u1[i] or u2[j] > u2[i]) for j in range(n))
    ]


# --- outcome space and utility ---------------------------------------------------------------------------------------


@PROPERTY
@given(sizes=st.lists(st.integers(1, 4), min_size=1, max_size=4))
def test_outcome_grid_is_cartesian_product_once(sizes):
    """outcome_grid lists every combination of options exactly once, in C order (as np.ravel_multi_index expects)."""
    grid = outcome_grid(sizes)
    assert grid.shape == (math.prod(sizes), len(sizes))
    rows = [tuple(int(v) for v in r) for r in grid]
    assert len(set(rows)) == len(rows)
    assert set(rows) == set(itertools.product(*(range(s) for s in sizes)))
    for i, r in enumerate(rows):  # talks.py locates the status quo with ravel_multi_index
        assert np.ravel_multi_index(r, sizes) == i


@PROPERTY
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    data=st.data(),
)
def test_additive_utility_is_weighted_sum_in_unit_interval(sizes, data):
    """U(x) = Σ_k w_k·u_k(x_k) (GENIUS/NegMAS), and U ∈ [0, 1] when values ∈ [0, 1] and weights sum to 1."""
    grid = outcome_grid(sizes)
    values = [np.array(data.draw(st.lists(st.floats(0, 1), min_size=s, max_size=s))) for s in sizes]
    raw = np.array(data.draw(st.lists(st.floats(0.01, 1), min_size=len(sizes), max_size=len(sizes))))
    weights = raw / raw.sum()
    u = additive_utility(grid, values, weights)
    expected = [sum(weights[k] * values[k][row[k]] for k in range(len(sizes))) for row in grid]
    np.testing.assert_allclose(u, expected, rtol=0, atol=1e-12)
    assert np.all(u >= -EPS) and np.all(u <= 1 + EPS)


def test_additive_utility_known_value_and_linkage():
    """Worked example: differing priorities make the issue trade (k to one side, l to the other) beat the split."""
    grid = outcome_grid([2, 2])  # option 1 on an issue is side 1's preferred one
    values1 = [np.array([0.0, 1.0]), np.array([0.0, 1.0])]
    values2 = [np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    u1 = additive_utility(grid, values1, np.array([0.8, 0.2]))
    u2 = additive_utility(grid, values2, np.array([0.3, 0.7]))
    np.testing.assert_allclose(u1, [0.0, 0.2, 0.8, 1.0])
    np.testing.assert_allclose(u2, [1.0, 0.3, 0.7, 0.0])
    trade = 2  # issue 0 to side 1 (w = 0.8 > 0.3), issue 1 to side 2 (w = 0.7 > 0.2)
    assert u1[trade] + u2[trade] > max(u1[i] + u2[i] for i in (0, 1, 3))


# --- concession over time ---------------------------------------------------------------------------------------------


@PROPERTY
@given(reservation=st.floats(0, 1), gap=st.floats(0, 1), exponent=st.floats(0.1, 10))
def test_aspiration_endpoints(reservation, gap, exponent):
    """Aspiration starts at the best outcome at t = 0 and ends at the reservation value at t = 1 (Faratin et al.)."""
    best = reservation + gap
    assert aspiration(0.0, reservation, best, exponent) == pytest.approx(best)
    assert aspiration(1.0, reservation, best, exponent) == pytest.approx(reservation)
    assert aspiration(-0.5, reservation, best, exponent) == pytest.approx(best)  # time is clamped to [0, 1]
    assert aspiration(1.5, reservation, best, exponent) == pytest.approx(reservation)


@PROPERTY
@given(
    reservation=st.floats(0, 1),
    gap=st.floats(0, 1),
    exponent=st.floats(0.1, 10),
    t1=st.floats(0, 1),
    t2=st.floats(0, 1),
)
def test_aspiration_non_increasing_in_time(reservation, gap, exponent, t1, t2):
    """A time-dependent tactic never raises its demand as the deadline approaches."""
    best = reservation + gap
    lo, hi = sorted((t1, t2))
    a_lo = aspiration(lo, reservation, best, exponent)
    a_hi = aspiration(hi, reservation, best, exponent)
    assert a_hi <= a_lo + EPS
    assert reservation - EPS <= a_hi <= best + EPS


@PROPERTY
@given(
    t=st.floats(0.01, 0.99),
    boulware=st.floats(0.1, 0.9),
    conceder=st.floats(1.1, 10),
    reservation=st.floats(0, 0.5),
)
def test_boulware_stays_above_conceder(t, boulware, conceder, reservation):
    """For 0 < t < 1 a Boulware side (e < 1) demands strictly more than a conceder (e > 1), linear in between."""
    best = 1.0
    hold = aspiration(t, reservation, best, boulware)
    linear = aspiration(t, reservation, best, 1.0)
    concede = aspiration(t, reservation, best, conceder)
    assert hold > linear > concede


def test_aspiration_linear_known_value():
    """With e = 1 the aspiration falls linearly: r + (best − r)(1 − t)."""
    assert aspiration(0.25, 0.2, 1.0, 1.0) == pytest.approx(0.2 + 0.8 * 0.75)
    assert aspiration(0.25, 0.2, 1.0, 2.0) == pytest.approx(0.2 + 0.8 * 0.5)  # conceder: 1 − √t


@PROPERTY
@given(style=st.floats(0.1, 5), effect=st.floats(0.01, 5), c1=st.floats(0, 1), c2=st.floats(0, 1))
def test_concession_exponent_increasing_in_confidence(style, effect, c1, c2):
    """Confidence raises willingness to concede: the exponent grows with c for effect > 0."""
    lo, hi = sorted((c1, c2))
    e_lo, e_hi = concession_exponent(style, lo, effect), concession_exponent(style, hi, effect)
    assert e_lo <= e_hi
    if hi - lo > 1e-6:
        assert e_lo < e_hi


@PROPERTY
@given(style=st.floats(0.1, 5), effect=st.floats(0, 5), c=st.floats(0, 1))
def test_concession_exponent_neutral_points(style, effect, c):
    """The exponent is the style itself at c = ½ or with effect 0."""
    assert concession_exponent(style, 0.5, effect) == style
    assert concession_exponent(style, c, 0.0) == style


def test_concession_exponent_e_fold():
    """With effect 2, going from c = 0.25 to c = 0.75 multiplies the exponent by e (the scenario's comment)."""
    ratio = concession_exponent(1.0, 0.75, 2.0) / concession_exponent(1.0, 0.25, 2.0)
    assert ratio == pytest.approx(math.e)


# --- Pareto frontier and offers along it ------------------------------------------------------------------------------


@PROPERTY
@given(pairs=utility_pairs)
def test_pareto_frontier_matches_brute_force(pairs):
    """Every returned index is undominated, every undominated utility pair appears once, u1 rises and u2 falls."""
    u1, u2 = _arrays(pairs)
    front = pareto_frontier(u1, u2)
    undominated = _undominated(u1, u2)
    assert set(front.tolist()) <= set(undominated)
    returned = [(u1[i], u2[i]) for i in front]
    assert sorted(returned) == sorted({(u1[i], u2[i]) for i in undominated})
    assert np.all(np.diff(u1[front]) > 0)
    assert np.all(np.diff(u2[front]) < 0)
    for i in front:  # of outcomes with equal utilities for both sides, the first is kept
        assert i == min(j for j in range(len(u1)) if u1[j] == u1[i] and u2[j] == u2[i])


def test_pareto_frontier_known_example():
    """A worked example: (0,3), (1,1), (1,2), (2,2), (3,0), (2,2) → frontier (0,3), (2,2), (3,0)."""
    u1 = np.array([0.0, 1.0, 1.0, 2.0, 3.0, 2.0])
    u2 = np.array([3.0, 1.0, 2.0, 2.0, 0.0, 2.0])
    assert pareto_frontier(u1, u2).tolist() == [0, 3, 4]


def _oracle_offer(u_self, u_other, admissible, level):
    """Among admissible outcomes worth ≥ level to oneself: best for the other, ties by best for oneself; else None."""
    ok = [i for i in range(len(u_self)) if admissible[i] and u_self[i] >= level]
    return max((u_other[i], u_self[i]) for i in ok)[::-1] if ok else None


@PROPERTY
@given(
    pairs=utility_pairs,
    level=st.integers(-2, 20).map(lambda k: k / 2),
    mask=st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_first_offer_matches_brute_force(pairs, level, mask):
    """first_offer picks the offer a brute-force oracle picks, and -1 when nothing admissible reaches the level."""
    u1, u2 = _arrays(pairs)
    admissible = np.array(mask[: len(u1)])
    x = int(first_offer(u1, u2, admissible[None, :], np.array([level]))[0])
    expected = _oracle_offer(u1, u2, admissible, level)
    assert (x == -1 and expected is None) or (u1[x], u2[x]) == expected


def test_first_offer_unrestricted_is_on_the_pareto_frontier():
    """With every outcome admissible, the offer is the frontier point where the aspiration meets the frontier."""
    u1 = np.array([0.1, 0.4, 0.3, 0.7, 1.0])
    u2 = np.array([1.0, 0.7, 0.2, 0.4, 0.0])
    levels = np.array([-1.0, 0.1, 0.25, 0.4, 0.55, 1.0, 1.5])
    picks = first_offer(u1, u2, np.ones((len(levels), 5), bool), levels)
    assert picks.tolist() == [0, 0, 1, 1, 3, 4, -1]


@PROPERTY
@given(stakeholders=st.integers(1, 3), values=st.lists(st.integers(0, 4), min_size=3, max_size=60))
def test_undominated_matches_brute_force(stakeholders, values):
    """No kept outcome is matched-or-beaten by another kept one; every dropped outcome is matched-or-beaten by a kept
    one; of identical outcomes the first is kept."""
    n = len(values) // stakeholders
    u = np.array(values[: n * stakeholders], float).reshape(stakeholders, n)
    kept = undominated(u).tolist()
    assert kept == sorted(kept)
    for i in range(n):
        covered = [j for j in kept if j != i and (u[:, j] >= u[:, i]).all()]
        if i in kept:
            assert not covered
            assert not [j for j in range(i) if (u[:, j] == u[:, i]).all()]
        else:
            assert covered


def test_delegation_exponent_is_the_geometric_mean():
    """Exponents live on a log scale: e = 4 and e = ¼ with equal weight make a linear delegation (arithmetic: 2.125)."""
    assert delegation_exponent([4.0, 0.25], [0.5, 0.5]) == pytest.approx(1.0)
    assert delegation_exponent([2.0, 8.0], [0.25, 0.75]) == pytest.approx(2.0**0.25 * 8.0**0.75)
    assert delegation_exponent([3.0, 0.1], [1.0, 0.0]) == pytest.approx(3.0)  # absent members weigh nothing
    np.testing.assert_allclose(delegation_exponent([[4.0, 0.25], [1.0, 9.0]], [[1, 1], [1, 1]]), [1.0, 3.0])


def test_aspiration_exponent_is_the_reciprocal_of_negmas():
    """NegMAS's aspiration curve is best − (best − r)·t^e' (its "boulware" e' = 4, "conceder" e' = 0.25); the same
    curve here has exponent e = 1/e', and the docstring says so."""
    t = np.linspace(0, 1, 11)
    for negmas in (4.0, 1.0, 0.25):
        np.testing.assert_allclose(aspiration(t, 0.2, 0.9, 1 / negmas), 0.9 - 0.7 * t**negmas)
    assert "reciprocal" in aspiration.__doc__


def test_concession_rules_vectorised():
    """aspiration, concession_exponent and patience take arrays (one value per replicate) elementwise."""
    t = np.array([0.0, 0.3, 0.7, 1.0])
    c = np.array([0.0, 0.4, 0.6, 1.0])
    e = concession_exponent(1.5, c, 2.0)
    np.testing.assert_allclose(e, [concession_exponent(1.5, float(x), 2.0) for x in c])
    np.testing.assert_allclose(
        aspiration(t, 0.2, 0.9, e), [aspiration(a, 0.2, 0.9, b) for a, b in zip(t, e, strict=True)]
    )
    np.testing.assert_allclose(patience(c, 2.0, 0.9), [patience(float(x), 2.0, 0.9) for x in c])


# --- axiomatic solutions ----------------------------------------------------------------------------------------------


def test_nash_solution_splits_linear_pie():
    """Nash (1950) on u1 = x, u2 = 1 − x, d = 0: the even split x = ½."""
    assert PIE[nash_solution(PIE, 1 - PIE, 0.0, 0.0)] == pytest.approx(0.5, abs=STEP / 2)


def test_nash_solution_sqrt_pie():
    """Nash on u1 = √x, u2 = 1 − x, d = 0: maximise √x(1 − x) → x = 1/3."""
    assert PIE[nash_solution(np.sqrt(PIE), 1 - PIE, 0.0, 0.0)] == pytest.approx(1 / 3, abs=STEP)


@pytest.mark.parametrize(("d1", "d2"), [(0.0, 0.0), (0.2, 0.1), (0.1, 0.4), (0.3, 0.3), (0.0, 0.6)])
def test_nash_solution_with_disagreement_points(d1, d2):
    """Nash on the linear pie with disagreement (d1, d2): maximise (x − d1)(1 − x − d2) → x = (1 + d1 − d2)/2."""
    x = PIE[nash_solution(PIE, 1 - PIE, d1, d2)]
    assert x == pytest.approx((1 + d1 - d2) / 2, abs=STEP)


@PROPERTY
@given(pairs=utility_pairs, d1=st.integers(0, 8), d2=st.integers(0, 8))
def test_nash_solution_maximises_nash_product(pairs, d1, d2):
    """nash_solution's product (u1 − d1)(u2 − d2) is the largest over outcomes both weakly prefer to no deal."""
    u1, u2 = _arrays(pairs)
    feasible = [i for i in range(len(u1)) if u1[i] >= d1 and u2[i] >= d2]
    x = nash_solution(u1, u2, d1, d2)
    if not feasible:
        assert x is None
    else:
        assert x in feasible
        assert (u1[x] - d1) * (u2[x] - d2) == max((u1[i] - d1) * (u2[i] - d2) for i in feasible)


def test_solutions_none_when_no_outcome_beats_no_deal():
    """Nash, Kalai–Smorodinsky and alternating offers return None when every outcome is worse for one side."""
    u1, u2 = np.array([0.2, 0.8, 0.45]), np.array([0.8, 0.2, 0.45])
    assert nash_solution(u1, u2, 0.5, 0.5) is None
    assert kalai_smorodinsky_solution(u1, u2, 0.5, 0.5) is None
    assert alternating_offers(u1, u2, 0.5, 0.5, 0.9, 0.9) is None


@pytest.mark.parametrize(("d1", "d2"), [(0.0, 0.0), (0.2, 0.1), (0.1, 0.4), (0.0, 0.6)])
def test_kalai_smorodinsky_linear_pie_equal_relative_gain(d1, d2):
    """Kalai–Smorodinsky on the linear pie: (x − d1)/(1 − d2 − d1) = (1 − x − d2)/(1 − d1 − d2) → x = (1 + d1 − d2)/2."""
    x = PIE[kalai_smorodinsky_solution(PIE, 1 - PIE, d1, d2)]
    assert x == pytest.approx((1 + d1 - d2) / 2, abs=STEP)
    gain1, gain2 = (x - d1) / (1 - d2 - d1), (1 - x - d2) / (1 - d1 - d2)
    assert gain1 == pytest.approx(gain2, abs=2 * STEP / (1 - d1 - d2))


def test_kalai_smorodinsky_sqrt_pie_differs_from_nash():
    """On u1 = √x, u2 = 1 − x both ideals are 1, so KS solves √x = 1 − x → x = (3 − √5)/2 ≈ 0.382, not Nash's 1/3."""
    x = PIE[kalai_smorodinsky_solution(np.sqrt(PIE), 1 - PIE, 0.0, 0.0)]
    assert x == pytest.approx((3 - math.sqrt(5)) / 2, abs=STEP)


@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_solutions_invariant_to_rescaling_a_side(scale):
    """Nash and Kalai–Smorodinsky are invariant to a positive affine rescaling of one side's utility (their axioms)."""
    u1, u2 = np.sqrt(PIE), 1 - PIE
    assert nash_solution(u1, scale * u2 + 0.1, 0.0, 0.1) == nash_solution(u1, u2, 0.0, 0.0)
    x = PIE[kalai_smorodinsky_solution(u1, scale * u2 + 0.1, 0.0, 0.1)]
    assert x == pytest.approx((3 - math.sqrt(5)) / 2, abs=STEP)


# --- Rubinstein alternating offers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dp", "dr", "share"),
    [(0.5, 0.5, 2 / 3), (0.9, 0.6, 0.4 / 0.46), (0.6, 0.9, 0.1 / 0.46), (0.0, 0.5, 0.5), (0.5, 0.0, 1.0)],
)
def test_rubinstein_share_known_values(dp, dr, share):
    """Rubinstein (1982): the proposer gets (1 − δr)/(1 − δp·δr)."""
    assert rubinstein_share(dp, dr) == pytest.approx(share)
    assert rubinstein_share(0.9999, 0.9999) == pytest.approx(0.5, abs=1e-4)  # the symmetric limit


@PROPERTY
@given(dp=st.floats(0, 0.99), dr=st.floats(0, 0.99))
def test_rubinstein_share_indifference_condition(dp, dr):
    """The responder is indifferent between accepting now and proposing next round: 1 − x_p = δr·x_r."""
    assert 1 - rubinstein_share(dp, dr) == pytest.approx(dr * rubinstein_share(dr, dp))
    assert 0 < rubinstein_share(dp, dr) <= 1


@PROPERTY
@given(delta=st.floats(0, 0.999))
def test_rubinstein_share_symmetric(delta):
    """With equal patience the proposer's share is 1/(1 + δ), which tends to ½ as δ → 1."""
    assert rubinstein_share(delta, delta) == pytest.approx(1 / (1 + delta))


@pytest.mark.parametrize(
    ("dp", "dr", "d_p", "d_r"),
    [
        (0.5, 0.5, 0.0, 0.0),
        (0.9, 0.6, 0.0, 0.0),
        (0.6, 0.9, 0.0, 0.0),
        (0.9, 0.9, 0.0, 0.0),
        (0.95, 0.8, 0.0, 0.0),
        (0.3, 0.99, 0.0, 0.0),
        (0.999, 0.999, 0.0, 0.0),
        (0.0, 0.5, 0.0, 0.0),
        (0.5, 0.0, 0.0, 0.0),
        (0.8, 0.7, 0.2, 0.1),
        (0.9, 0.9, 0.1, 0.4),
    ],
)
def test_alternating_offers_reproduces_rubinstein(dp, dr, d_p, d_r):
    """On a 2001-point pie the opening offer is d_p + (1 − d_p − d_r)·rubinstein_share within one grid step."""
    x = PIE[alternating_offers(PIE, 1 - PIE, d_p, d_r, dp, dr)]
    expected = d_p + (1 - d_p - d_r) * rubinstein_share(dp, dr)
    assert abs(x - expected) <= STEP + 1e-9


# --- finite deadline: backward induction (Ståhl 1972) -----------------------------------------------------------------


def _stahl_by_recursion(dp, dr, periods):
    """x_1 = 1; the proposer with k rounds left keeps 1 − δr·(the responder's share as proposer with k − 1 left)."""
    shares = {"p": 1.0, "r": 1.0}  # with one round left, whoever proposes takes the pie
    for k in range(2, periods + 1):
        mover, other = ("p", "r") if (periods - k) % 2 == 0 else ("r", "p")
        shares[mover] = 1 - {"p": dr, "r": dp}[mover] * shares[other]
    return shares["p"]


@pytest.mark.parametrize("periods", [1, 2, 3, 4, 5, 10, 11])
@pytest.mark.parametrize("delta", [0.3, 0.6, 0.9])
def test_stahl_share_closed_form_equal_patience(periods, delta):
    """With equal δ the proposer's share with T rounds left is (1 − (−δ)^T)/(1 + δ)."""
    assert stahl_share(delta, delta, periods) == pytest.approx((1 - (-delta) ** periods) / (1 + delta))


@PROPERTY
@given(dp=st.floats(0, 1), dr=st.floats(0, 1), periods=st.integers(1, 30))
def test_stahl_share_is_backward_induction(dp, dr, periods):
    """The closed form is the backward-induction recursion, and tends to Rubinstein's share as T grows."""
    assert stahl_share(dp, dr, periods) == pytest.approx(_stahl_by_recursion(dp, dr, periods))
    if dp * dr < 0.99:
        assert stahl_share(dp, dr, 4000) == pytest.approx(rubinstein_share(dp, dr), abs=1e-6)


@pytest.mark.parametrize("periods", [1, 2, 3, 4, 7, 20])
@pytest.mark.parametrize(("dp", "dr"), [(0.9, 0.9), (0.5, 0.5), (0.9, 0.6), (0.6, 0.95)])
def test_alternating_offers_with_deadline_is_stahl(dp, dr, periods):
    """On the 2001-point pie the opening offer with T rounds left is Ståhl's closed form within a grid step."""
    x = PIE[alternating_offers(PIE, 1 - PIE, 0.0, 0.0, dp, dr, periods)]
    assert abs(x - stahl_share(dp, dr, periods)) <= STEP + 1e-9


def test_backward_induction_on_a_curved_frontier():
    """On the √ pie (proposer √x, responder 1 − x) with two rounds left, the responder takes the last round whole
    (its gain 1), so the proposer must leave it δr: x = 1 − δr."""
    x = PIE[alternating_offers(np.sqrt(PIE), 1 - PIE, 0.0, 0.0, 0.9, 0.7, 2)]
    assert x == pytest.approx(0.3, abs=STEP)
    a, b = np.sqrt(PIE), 1 - PIE
    assert backward_induction(a, b, 0.9, 0.7, 1) == pytest.approx(0.0)


def test_long_deadline_tends_to_the_stationary_offer():
    assert alternating_offers(PIE, 1 - PIE, 0.1, 0.2, 0.8, 0.9, 500) == alternating_offers(
        PIE, 1 - PIE, 0.1, 0.2, 0.8, 0.9
    )


def _sqrt_pie_offer(dp, dr, sqrt_side):
    """Opening offer x (the √ side's share) on the 2001-point pie and its closed form.

    Rubinstein with u_√ = √x, u_lin = 1 − x: the √ side as proposer gets x = (1 − δr)/(1 − δr·δp²); as responder its
    own offer is y = (1 − δp)/(1 − δp·δr²) and the proposer leaves it x = δr²·y.
    """
    if sqrt_side == "proposer":
        x = PIE[alternating_offers(np.sqrt(PIE), 1 - PIE, 0.0, 0.0, dp, dr)]
        return x, (1 - dr) / (1 - dr * dp**2)
    x = PIE[alternating_offers(1 - PIE, np.sqrt(PIE), 0.0, 0.0, dp, dr)]
    return x, dr**2 * (1 - dp) / (1 - dp * dr**2)


@pytest.mark.parametrize("sqrt_side", ["proposer", "responder"])
@pytest.mark.parametrize(("dp", "dr"), [(0.5, 0.5), (0.9, 0.9), (0.8, 0.95), (0.95, 0.8), (0.999, 0.999)])
def test_alternating_offers_sqrt_pie_closed_form(dp, dr, sqrt_side):
    """On the √ pie the opening offer matches Rubinstein's closed form within two grid steps."""
    x, expected = _sqrt_pie_offer(dp, dr, sqrt_side)
    assert x == pytest.approx(expected, abs=2 * STEP)


@pytest.mark.parametrize(
    ("u_p", "u_r", "d_p", "d_r", "nash"),
    [
        (np.sqrt(PIE), 1 - PIE, 0.0, 0.0, 1 / 3),
        (1 - PIE, np.sqrt(PIE), 0.0, 0.0, 1 / 3),
        (PIE, 1 - PIE, 0.0, 0.0, 0.5),
        (PIE, 1 - PIE, 0.2, 0.1, 0.55),
        (PIE, 1 - PIE, 0.1, 0.4, 0.35),
    ],
    ids=["sqrt-proposer", "sqrt-responder", "linear", "linear-d-0.2-0.1", "linear-d-0.1-0.4"],
)
def test_alternating_offers_tends_to_nash(u_p, u_r, d_p, d_r, nash):
    """Binmore, Rubinstein & Wolinsky (1986): as δ1 = δ2 → 1 the offer tends to the Nash solution (2001-point pie)."""
    assert PIE[nash_solution(u_p, u_r, d_p, d_r)] == pytest.approx(nash, abs=STEP)
    gaps = [abs(PIE[alternating_offers(u_p, u_r, d_p, d_r, d, d)] - nash) for d in (0.9, 0.99, 0.999)]
    assert gaps[2] <= 0.002
    assert gaps[2] <= gaps[1] <= gaps[0]
    if nash != 0.5:  # on the symmetric pie the proposer's edge shrinks too, but strictly only off the grid's ties
        assert gaps[2] < gaps[0]


delta_grid = st.integers(0, 99).map(lambda k: k / 100)


@FEWER
@given(dp1=delta_grid, dp2=delta_grid, dr=delta_grid)
def test_alternating_offers_patience_helps_proposer(dp1, dp2, dr):
    """Comparative statics (Rubinstein 1982): a more patient proposer, or a less patient responder, gets no less."""
    lo, hi = sorted((dp1, dp2))
    assert (
        PIE[alternating_offers(PIE, 1 - PIE, 0.0, 0.0, lo, dr)]
        <= PIE[alternating_offers(PIE, 1 - PIE, 0.0, 0.0, hi, dr)]
    )
    assert (
        PIE[alternating_offers(PIE, 1 - PIE, 0.0, 0.0, dr, hi)]
        <= PIE[alternating_offers(PIE, 1 - PIE, 0.0, 0.0, dr, lo)]
    )


@FEWER
@given(
    dp=delta_grid,
    dr=delta_grid,
    d_p=st.integers(0, 4).map(lambda k: k / 10),
    d_r=st.integers(0, 4).map(lambda k: k / 10),
    sqrt_side=st.sampled_from(["none", "proposer", "responder"]),
)
def test_alternating_offers_responder_accepts(dp, dr, d_p, d_r, sqrt_side):
    """Subgame perfection: the responder's gain from the offer is at least δr times its gain from proposing next."""
    u_p = np.sqrt(PIE) if sqrt_side == "proposer" else PIE
    u_r = np.sqrt(1 - PIE) if sqrt_side == "responder" else 1 - PIE
    x = alternating_offers(u_p, u_r, d_p, d_r, dp, dr)
    y = alternating_offers(u_r, u_p, d_r, d_p, dr, dp)  # the responder's own opening offer
    assert u_r[x] - d_r >= dr * (u_r[y] - d_r) - 1e-9
    assert u_p[y] - d_p >= dp * (u_p[x] - d_p) - 1e-9  # and the same for the other side


@PROPERTY
@given(
    pairs=utility_pairs,
    d1=st.integers(0, 6),
    d2=st.integers(0, 6),
    dp=delta_grid,
    dr=delta_grid,
)
def test_alternating_offers_individually_rational_and_pareto_optimal(pairs, d1, d2, dp, dr):
    """On any outcome set the opening offer beats no deal for both and is undominated among such outcomes."""
    u1, u2 = _arrays(pairs)
    x = alternating_offers(u1, u2, d1, d2, dp, dr)
    feasible = [i for i in range(len(u1)) if u1[i] >= d1 and u2[i] >= d2]
    if not feasible:
        assert x is None
        return
    assert x in feasible
    assert x in [feasible[i] for i in _undominated(u1[feasible], u2[feasible])]


# --- patience ---------------------------------------------------------------------------------------------------------


@PROPERTY
@given(base=st.floats(0.5, 0.99), effect=st.floats(0, 5), c1=st.floats(0, 1), c2=st.floats(0, 1))
def test_patience_in_unit_interval_and_non_increasing(base, effect, c1, c2):
    """The discount factor stays in (0, 1) and falls (weakly) as confidence grows."""
    lo, hi = sorted((c1, c2))
    p_lo, p_hi = patience(lo, effect, base), patience(hi, effect, base)
    assert 0 < p_hi <= p_lo < 1


def test_patience_known_values():
    """base at c = ½ or effect 0; strictly decreasing in c for effect > 0; more confidence → smaller own share."""
    assert patience(0.5, 2.0, 0.9) == pytest.approx(0.9)
    assert patience(0.1, 0.0, 0.8) == pytest.approx(0.8)
    values = [patience(c, 2.0, 0.9) for c in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert patience(1.0, 2.0, 0.9) == pytest.approx(0.9**math.e)  # exponent exp(2·½) = e
    trusting, wary = patience(0.9, 2.0, 0.9), patience(0.1, 2.0, 0.9)
    assert rubinstein_share(trusting, wary) < rubinstein_share(wary, trusting)


def test_moot_terms_are_not_distinct_deals():
    """Islands {none, pair} × terms {lease, sovereignty}, terms applying only where the pair changes hands: with none
    transferred only the status quo's terms (lease) remain, so 3 of the 4 outcomes are deals (docs/model.md §2.5)."""
    from sim.model.rules.bargaining import outcome_grid, without_moot_terms

    grid = outcome_grid([2, 2])  # (none, lease), (none, sovereignty), (pair, lease), (pair, sovereignty)
    keep = without_moot_terms(grid, {1: (0, [1])}, status_quo=[0, 0])
    assert keep.tolist() == [True, False, True, True]
    assert without_moot_terms(grid, {}, status_quo=[0, 0]).all()
