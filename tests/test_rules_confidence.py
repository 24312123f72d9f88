"""Unit and property tests for sim/model/rules/confidence.py against the theory of docs/model.md §2.1–§2.4."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.rules.confidence import (
    drift,
    generous_forgiveness,
    goldstein_strength,
    honour_probability,
    observation_weights,
    punish,
    reward,
    trust_game_value,
    understanding_probability,
)

PROPERTY = settings(max_examples=100, deadline=None, database=None)
EPS = 1e-12  # slack for float rounding in monotonicity checks

unit = st.floats(0.0, 1.0, allow_nan=False)
positive = st.floats(0.0, 10.0, allow_nan=False)


# --- reciprocity: reward, punish, drift ------------------------------------------------------------------------------


@PROPERTY
@given(c=unit, rate=unit, weight=unit)
def test_reward_stays_in_unit_interval(c, rate, weight):
    """reward(c, α⁺, w) ∈ [c, 1] for c, α⁺, w in [0, 1]: good news moves confidence up, never past 1."""
    r = reward(c, rate, weight)
    assert c - EPS <= r <= 1.0


@PROPERTY
@given(c=unit, rate=unit, weight=unit)
def test_punish_stays_in_unit_interval_and_never_raises(c, rate, weight):
    """punish(c, α⁻, w) ∈ [0, c]: bad news never raises confidence, never below 0."""
    p = punish(c, rate, weight)
    assert 0.0 <= p <= c


@PROPERTY
@given(c=unit, baseline=unit, rate=unit)
def test_drift_stays_in_unit_interval_between_c_and_baseline(c, baseline, rate):
    """drift(c, b, rate) lies between c and the baseline, hence in [0, 1]."""
    d = drift(c, baseline, rate)
    assert 0.0 <= d <= 1.0
    assert min(c, baseline) - EPS <= d <= max(c, baseline) + EPS


@PROPERTY
@given(c1=unit, c2=unit, rate=unit, w1=unit, w2=unit)
def test_reward_monotone_in_confidence_and_weight(c1, c2, rate, w1, w2):
    """reward is non-decreasing in the prior confidence and in the observation weight."""
    lo, hi = sorted((c1, c2))
    assert reward(lo, rate, w1) <= reward(hi, rate, w1) + EPS
    wlo, whi = sorted((w1, w2))
    assert reward(c1, rate, wlo) <= reward(c1, rate, whi) + EPS


@PROPERTY
@given(c1=unit, c2=unit, rate=unit, w1=unit, w2=unit)
def test_punish_monotone_in_confidence_and_weight(c1, c2, rate, w1, w2):
    """punish is non-decreasing in the prior confidence and non-increasing in the observation weight."""
    lo, hi = sorted((c1, c2))
    assert punish(lo, rate, w1) <= punish(hi, rate, w1) + EPS
    wlo, whi = sorted((w1, w2))
    assert punish(c1, rate, whi) <= punish(c1, rate, wlo) + EPS


def test_reward_and_punish_known_values():
    """The linear-operator updates of docs/model.md §2.2: c + α⁺(1 − c) and c − α⁻c, scaled by the weight."""
    assert reward(0.5, 0.12) == pytest.approx(0.56)
    assert reward(0.5, 0.12, weight=0.5) == pytest.approx(0.53)
    assert punish(0.5, 0.30) == pytest.approx(0.35)
    assert punish(0.5, 0.30, weight=0.5) == pytest.approx(0.425)
    assert reward(1.0, 0.5) == 1.0 and punish(0.0, 0.5) == 0.0  # the bounds are absorbing
    assert reward(0.3, 0.0) == 0.3 and punish(0.3, 0.5, weight=0.0) == 0.3  # zero rate or weight: no news


@PROPERTY
@given(c=st.floats(0.5, 1.0), gain=st.floats(0.0, 0.98), extra=st.floats(0.01, 1.0))
def test_negativity_bias_defection_undoes_more_than_cooperation(c, gain, extra):
    """α⁻ > α⁺: from any c ≥ ½ one defection's drop exceeds one cooperation's rise, and C-then-D ends below c."""
    loss = min(gain + extra, 1.0)
    rise = reward(c, gain) - c
    drop = c - punish(c, loss)
    assert drop > rise
    assert punish(reward(c, gain), loss) < c


@PROPERTY
@given(gain=st.floats(0.01, 1.0), loss=st.floats(0.01, 1.0), c=unit)
def test_defection_outweighs_cooperation_exactly_above_threshold(gain, loss, c):
    """Drop α⁻c exceeds rise α⁺(1 − c) iff c > α⁺/(α⁺ + α⁻), a threshold below ½ when α⁻ > α⁺."""
    threshold = gain / (gain + loss)
    rise = reward(c, gain) - c
    drop = c - punish(c, loss)
    if c > threshold + 1e-9:
        assert drop > rise
    elif c < threshold - 1e-9:
        assert drop < rise
    if loss > gain:
        assert threshold < 0.5


@PROPERTY
@given(c0=unit, baseline=unit, rate=unit, steps=st.integers(0, 60))
def test_drift_closed_form(c0, baseline, rate, steps):
    """t rounds of drift give c_t = b + (c0 − b)(1 − rate)^t (geometric convergence to the baseline)."""
    c = c0
    for _ in range(steps):
        c = drift(c, baseline, rate)
    assert c == pytest.approx(baseline + (c0 - baseline) * (1.0 - rate) ** steps, abs=1e-12)


def test_drift_converges_to_baseline():
    """The distance to the baseline shrinks by the factor (1 − rate) each round and tends to 0."""
    c, baseline, rate = 0.9, 0.4, 0.1
    gaps = []
    for _ in range(300):
        c = drift(c, baseline, rate)
        gaps.append(abs(c - baseline))
    ratios = np.array(gaps[1:50]) / np.array(gaps[:49])
    np.testing.assert_allclose(ratios, 0.9, rtol=1e-9)
    assert gaps[-1] < 1e-12
    assert drift(0.7, 0.4, 1.0) == pytest.approx(0.4) and drift(0.7, 0.4, 0.0) == 0.7


def test_updates_are_vectorised():
    """The module works on NumPy arrays elementwise, as on floats (module docstring)."""
    c = np.array([0.0, 0.25, 0.5, 1.0])
    w = np.array([1.0, 0.5, 0.0, 1.0])
    np.testing.assert_allclose(reward(c, 0.2, w), [reward(x, 0.2, y) for x, y in zip(c, w, strict=True)])
    np.testing.assert_allclose(punish(c, 0.3, w), [punish(x, 0.3, y) for x, y in zip(c, w, strict=True)])
    np.testing.assert_allclose(drift(c, 0.5, 0.1), [drift(x, 0.5, 0.1) for x in c])
    np.testing.assert_allclose(honour_probability(0.9, 0.5, c), [honour_probability(0.9, 0.5, x) for x in c])


# --- trust game ------------------------------------------------------------------------------------------------------


@PROPERTY
@given(c1=unit, c2=unit, benefit=positive, exposure=positive)
def test_trust_game_value_non_decreasing_in_confidence(c1, c2, benefit, exposure):
    """c·b − (1 − c)·e is non-decreasing in c for b, e ≥ 0, so more confidence never makes adoption less likely."""
    lo, hi = sorted((c1, c2))
    v_lo, v_hi = trust_game_value(lo, benefit, exposure), trust_game_value(hi, benefit, exposure)
    assert v_lo <= v_hi + EPS
    if v_lo > 0:  # whoever adopts at lower confidence also adopts at higher
        assert v_hi > 0


@PROPERTY
@given(benefit=st.floats(0.01, 10.0), exposure=st.floats(0.01, 10.0))
def test_trust_game_value_zero_at_break_even_confidence(benefit, exposure):
    """The trust game breaks even exactly at c* = e/(b + e): negative below, zero at, positive above."""
    c_star = exposure / (benefit + exposure)
    assert trust_game_value(c_star, benefit, exposure) == pytest.approx(0.0, abs=1e-12)
    margin = 1e-6
    if c_star - margin >= 0:
        assert trust_game_value(c_star - margin, benefit, exposure) < 0
    if c_star + margin <= 1:
        assert trust_game_value(c_star + margin, benefit, exposure) > 0


def test_trust_game_value_known_values():
    """At full confidence the value is the benefit, at none minus the exposure."""
    assert trust_game_value(1.0, 0.6, 0.4) == pytest.approx(0.6)
    assert trust_game_value(0.0, 0.6, 0.4) == pytest.approx(-0.4)
    assert trust_game_value(0.4, 0.6, 0.4) == pytest.approx(0.0)  # c* = 0.4 / (0.6 + 0.4)


@PROPERTY
@given(reliability=unit, hawkishness=unit, c1=unit, c2=unit)
def test_honour_probability_bounded_and_monotone(reliability, hawkishness, c1, c2):
    """honour_probability ∈ [0, reliability] ⊂ [0, 1], non-decreasing in c, equal to reliability at c = 1."""
    lo, hi = sorted((c1, c2))
    p_lo = honour_probability(reliability, hawkishness, lo)
    p_hi = honour_probability(reliability, hawkishness, hi)
    assert 0.0 <= p_lo <= reliability + EPS
    assert p_lo <= p_hi + EPS
    assert honour_probability(reliability, hawkishness, 1.0) == pytest.approx(reliability)
    assert honour_probability(reliability, 0.0, lo) == pytest.approx(reliability)  # a dove always honours


@PROPERTY
@given(reliability=unit, c=unit, h1=unit, h2=unit)
def test_honour_probability_non_increasing_in_hawkishness(reliability, c, h1, h2):
    """Defensive defection grows with hawkishness (security dilemma): honouring is non-increasing in it."""
    lo, hi = sorted((h1, h2))
    assert honour_probability(reliability, hi, c) <= honour_probability(reliability, lo, c) + EPS


def test_honour_probability_known_value():
    """reliability·(1 − hawkishness·(1 − c)) at a worked point."""
    assert honour_probability(0.9, 0.5, 0.2) == pytest.approx(0.9 * (1 - 0.5 * 0.8))


@PROPERTY
@given(hawkishness=unit, c1=unit, c2=unit)
def test_understanding_probability_bounded_and_monotone(hawkishness, c1, c2):
    """understanding_probability ∈ [0, 1], non-decreasing in confidence, zero for a pure hawk or no confidence."""
    lo, hi = sorted((c1, c2))
    p_lo = understanding_probability(lo, hawkishness)
    p_hi = understanding_probability(hi, hawkishness)
    assert 0.0 <= p_lo <= 1.0 and 0.0 <= p_hi <= 1.0
    assert p_lo <= p_hi + EPS
    assert understanding_probability(hi, 1.0) == 0.0
    assert understanding_probability(0.0, hawkishness) == 0.0


def test_understanding_probability_known_value():
    """c·(1 − hawkishness) at a worked point; a dove with full confidence always understands."""
    assert understanding_probability(0.8, 0.25) == pytest.approx(0.6)
    assert understanding_probability(1.0, 0.0) == 1.0


# --- forgiveness, event strength, spill-over -------------------------------------------------------------------------


def test_generous_forgiveness_nowak_sigmund():
    """Nowak & Sigmund (1992): with (T, R, P, S) = (5, 3, 1, 0) generous tit-for-tat forgives with g = 1/3."""
    assert generous_forgiveness() == pytest.approx(1 / 3)
    assert generous_forgiveness(5.0, 3.0, 1.0, 0.0) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("payoffs", "expected"),
    [
        ((5.0, 3.0, 1.0, 0.0), 1 / 3),  # 1 − (T − R)/(R − S) = 1/3 binds, (R − P)/(T − P) = 1/2
        ((4.0, 3.0, 2.0, 0.0), 1 / 2),  # 1 − 1/3 = 2/3, (R − P)/(T − P) = 1/2 binds
        ((6.0, 3.0, 1.0, 0.0), 0.0),  # temptation T − R = R − S: no forgiveness is stable
    ],
)
def test_generous_forgiveness_is_min_of_both_bounds(payoffs, expected):
    """g = min(1 − (T − R)/(R − S), (R − P)/(T − P)): whichever bound is tighter decides."""
    assert generous_forgiveness(*payoffs) == pytest.approx(expected)


def test_goldstein_strength_sign_and_scale():
    """scale·g/10: ±10 on the Goldstein scale gives ±scale, 0 gives 0, the sign follows the event."""
    assert goldstein_strength(10.0, 0.3) == pytest.approx(0.3)
    assert goldstein_strength(-10.0, 0.3) == pytest.approx(-0.3)
    assert goldstein_strength(0.0, 0.3) == 0.0
    assert goldstein_strength(7.4, 0.5) == pytest.approx(0.37)
    assert goldstein_strength(-2.0, 1.0) < 0 < goldstein_strength(2.0, 1.0)


@PROPERTY
@given(g=st.floats(-10.0, 10.0), scale=unit)
def test_goldstein_strength_bounded_by_scale(g, scale):
    """|strength| ≤ scale, so with scale ≤ 1 it is a valid weight·rate for reward/punish."""
    s = goldstein_strength(g, scale)
    assert abs(s) <= scale + EPS
    assert s * g >= 0  # same sign as the event


def test_observation_weights():
    """Ministries present observe with weight 1, the rest of the country with the spill-over share."""
    w = observation_weights(np.array([True, False, True, False]), 0.3)
    np.testing.assert_allclose(w, [1.0, 0.3, 1.0, 0.3])
    np.testing.assert_allclose(observation_weights(np.array([False, False]), 0.0), [0.0, 0.0])
    np.testing.assert_allclose(observation_weights(np.array([False, True]), 1.0), [1.0, 1.0])
    per_ministry = observation_weights(np.array([True, False, False]), np.array([0.9, 0.2, 0.5]))
    np.testing.assert_allclose(per_ministry, [1.0, 0.2, 0.5])
