"""The territorial talks protocols in their limiting cases (closed forms), on a finely divided pie."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.plan import plan_for
from sim.model.rules.bargaining import rubinstein_share
from sim.model.scenario.specs import Scenario

N = 401  # shares 0, 1/400, …, 1
STEP = 1 / (N - 1)


def pie(protocol: str = "concession", hawkishness=(0.0, 0.0), horizon: int = 800):
    """Two one-ministry countries splitting a pie: a gets x, b gets 1 − x; no deal gives both 0."""
    shares = [k / (N - 1) for k in range(N)]
    countries = {
        name: {"ministries": {"gov": {"role": "gov", "veto": True, "priorities": {"pie": 1}, "hawkishness": h}}}
        for name, h in zip("ab", hawkishness, strict=True)
    }
    data = {
        "name": "pie",
        "countries": countries,
        "talks": {
            "split": {
                "parties": ["a", "b"],
                "protocol": protocol,
                "horizon": horizon,
                "confidence_effect": 0.0,
                "status_quo": {"pie": "none"},
                "dimensions": {
                    "pie": {
                        "options": ["none", *(f"x{k}" for k in range(N))],
                        "values": {"a": [0.0, *shares], "b": [0.0, *shares[::-1]]},
                    }
                },
            }
        },
        "formats": {"talks": {"roles": ["gov"], "agenda": ["split"]}},
        "calendar": {"talks": {"format": "talks", "countries": ["a", "b"]}},
    }
    return plan_for(Scenario.from_dict(data)).talks["split"]


def agree(plan, styles=(1.0, 1.0), confidence=0.5, first=0) -> float:
    """Run sessions (alternating who proposes first) until a proposal is accepted; a's share."""
    trust = (np.full((1, 1), confidence), np.full((1, 1), confidence))
    for held in range(plan.spec.horizon + 1):
        result = plan.session(np.array([held]), np.array([True]), (first + held) % 2, trust, styles)
        if result.agreed[0] >= 0:
            return float(plan.utility[0][result.agreed[0]])
    raise AssertionError("no agreement by the deadline")


def test_symmetric_concession_splits_the_pie_equally():
    """Symmetric sides with equal concession reach the Nash (= Kalai–Smorodinsky) solution, x = ½."""
    assert agree(pie()) == pytest.approx(0.5, abs=2 * STEP)


@pytest.mark.parametrize(("h_a", "confidence"), [(0.5, 0.6), (0.8, 0.2), (0.3, 0.9)])
def test_equal_concession_reaches_equal_relative_gains(h_a, confidence):
    """Raiffa (1953) / Kalai–Smorodinsky with the utopia point: equal concession rates meet where
    (x − f_a)/(1 − f_a) = (1 − x − f_b)/(1 − f_b), f the floors (reservations raised by distrust)."""
    f_a = h_a * (1 - confidence)  # demanded_gain with status quo 0 and best 1
    expected = 1 / (2 - f_a)  # (x − f_a)/(1 − f_a) = 1 − x, with f_b = 0
    assert agree(pie(hawkishness=(h_a, 0.0)), confidence=confidence) == pytest.approx(expected, abs=2 * STEP)


def test_boulware_gets_more_than_conceder():
    """Time-dependent tactics: the side that holds out (e < 1) ends with more than the side that concedes early."""
    assert agree(pie(), styles=(0.4, 2.5)) > 0.6
    assert agree(pie(), styles=(2.5, 0.4)) < 0.4


def test_alternating_offers_protocol_is_rubinstein():
    """With the alternating-offers protocol the first proposal is the subgame-perfect one and is accepted at once:
    the proposer's share is (1 − δ_b)/(1 − δ_a δ_b), here δ = 0.9 for both (patience at confidence ½)."""
    plan = pie(protocol="alternating_offers")
    trust = (np.full((1, 1), 0.5), np.full((1, 1), 0.5))
    result = plan.session(np.array([0]), np.array([True]), 0, trust, (1.0, 1.0))
    assert result.agreed[0] >= 0 and result.ratified.all()
    assert plan.utility[0][result.agreed[0]] == pytest.approx(rubinstein_share(0.9, 0.9), abs=2 * STEP)
