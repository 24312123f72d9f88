"""The settlement talks in their limiting cases (closed forms) on a finely divided pie, and the rules around them:
the margin over the status quo, deadlines, and offers that anticipate ratification (docs/model.md §2.6–§2.11)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model.engine.talks import PartyArrays
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import plan_for
from sim.model.procedures.talks import PROTOCOLS
from sim.model.rules.bargaining import rubinstein_share, stahl_share
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec

N = 401  # shares 0, 1/400, …, 1
STEP = 1 / (N - 1)


def pie_data(protocol: str = "concession", hawkishness=(0.0, 0.0), horizon: int = 800, parliament=None, **talks):
    """Two one-ministry countries splitting a pie: a gets x, b gets 1 − x; no deal gives both 0.

    ``parliament``: the hawkishness of a second ministry of a, with no say in a's position (influence 0) but a veto
    at ratification. ``talks``: more keys of the talks.
    """
    shares = [k / (N - 1) for k in range(N)]
    countries = {
        name: {"ministries": {"gov": {"role": "gov", "veto": True, "priorities": {"pie": 1}, "hawkishness": h}}}
        for name, h in zip("ab", hawkishness, strict=True)
    }
    if parliament is not None:
        countries["a"]["ministries"]["parliament"] = {
            "role": "parliament",
            "influence": 0.0,
            "veto": True,
            "priorities": {"pie": 1},
            "hawkishness": parliament,
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
    data["talks"]["split"] |= talks
    return data


def pie(*args, **kwargs):
    return plan_for(ScenarioSpec.from_dict(pie_data(*args, **kwargs))).talks["split"]


def memory(plan, replicates: int = 1) -> np.ndarray:
    """No terms rejected at home yet."""
    return np.full((2, replicates, len(plan.candidates)), -np.inf)


def session(talks, held: np.ndarray, first: int, confidence, styles, rejected: np.ndarray):
    """One session of ``talks`` by its protocol between the engine's parties: ``confidence[p]`` (R, n) is party p's
    ministries' confidence in the other, ``held`` (R,) the sessions held before, ``rejected`` the rejections so far."""
    parties = tuple(PartyArrays(talks, p, confidence[p], styles[p]) for p in (0, 1))
    open_ = np.ones(len(held), bool)
    return PROTOCOLS[talks.spec.protocol].session(talks, parties, held, open_, first, rejected)


def agree(plan, styles=(1.0, 1.0), confidence=0.5, first=0) -> float:
    """Run sessions (alternating who proposes first) until a proposal is accepted; a's share."""
    trust = (np.full((1, 1), confidence), np.full((1, 1), confidence))
    for held in range(plan.spec.horizon + 1):
        result = session(plan, np.array([held]), (first + held) % 2, trust, styles, memory(plan))
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
    result = session(plan, np.array([0]), 0, trust, (1.0, 1.0), memory(plan))
    assert result.agreed[0] >= 0 and result.ratified.all()
    assert plan.utility[0][result.agreed[0]] == pytest.approx(rubinstein_share(0.9, 0.9), abs=2 * STEP)


# --- the margin over the status quo -----------------------------------------------------------------------------------


def test_terms_equal_to_the_status_quo_never_settle():
    """Where no outcome leaves both parties better off than the status quo, nothing settles: a conceding side that
    reaches its reservation value must not "settle" on the status quo and count it as a signed agreement."""
    data = pie_data(horizon=4)
    data["talks"]["split"]["dimensions"]["pie"] = {"options": ["none", "all"], "values": {"a": [0, 1], "b": [1, 0]}}
    result = simulate(ScenarioSpec.from_dict(data), rounds=12)
    assert not result.summary["settled"]
    assert not result.offers["accepted"].any()


@pytest.mark.parametrize("margin", [0.0, 0.2, 0.35])
def test_a_settlement_beats_the_status_quo_by_the_margin_for_both(margin):
    """A Boulware b facing a conceder a: whatever the concession, each party ends strictly more than ``margin`` above
    its reservation value (0 here)."""
    plan = pie(margin=margin, horizon=40)
    share = agree(plan, styles=(5.0, 0.2))
    assert margin < share < 1 - margin
    if margin:
        assert share < margin + 0.05  # the conceder is held up by little more than the margin


# --- finite deadlines (Ståhl 1972) and the discount --------------------------------------------------------------------


@pytest.mark.parametrize("deadline", [1, 2, 3, 6, 9])
@pytest.mark.parametrize("discount", [0.5, 0.8, 0.95])
def test_alternating_offers_with_a_deadline_follow_backward_induction(deadline, discount):
    """With T sessions left the opening offer gives the proposer Ståhl's (1 − (−δ)^T)/(1 + δ); one session later,
    with T − 1 left, the other side proposing gets the same formula for T − 1."""
    plan = pie(protocol="alternating_offers", deadline=deadline, discount=discount)
    trust = (np.full((1, 1), 0.5), np.full((1, 1), 0.5))
    for held in range(deadline):
        proposer = held % 2
        result = session(plan, np.array([held]), proposer, trust, (1.0, 1.0), memory(plan))
        share = plan.utility[proposer][result.agreed[0]]
        assert share == pytest.approx(stahl_share(discount, discount, deadline - held), abs=2 * STEP)


@pytest.mark.parametrize("discount", [0.3, 0.6, 0.95])
def test_the_discount_is_a_talks_parameter(discount):
    """Without a deadline the proposer's share is Rubinstein's 1/(1 + δ) with δ the talks' discount at confidence ½."""
    plan = pie(protocol="alternating_offers", discount=discount)
    trust = (np.full((1, 1), 0.5), np.full((1, 1), 0.5))
    result = session(plan, np.array([0]), 0, trust, (1.0, 1.0), memory(plan))
    assert plan.utility[0][result.agreed[0]] == pytest.approx(rubinstein_share(discount, discount), abs=2 * STEP)


@pytest.mark.parametrize("protocol", ["concession", "alternating_offers"])
def test_talks_end_at_the_deadline(protocol):
    """After ``deadline`` sessions no proposal is made (here a's parliament, trusting b not at all, rejects every
    deal, and proposals ignore it)."""
    data = pie_data(protocol, parliament=1.0, deadline=3, horizon=5, anticipate=False)
    data["countries"]["a"]["ministries"]["parliament"] |= {"confidence": {"b": 0.0}, "trust_gain": 0.0}
    result = simulate(ScenarioSpec.from_dict(data), rounds=10)
    assert result.sessions["split"][0] == 3
    assert len(result.offers) and result.offers["session"].max() == 3  # sessions are numbered from 1


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("margin", 1.5, "[0, 1]"),
        ("discount", 1.0, "[0.01, 0.999]"),
        ("deadline", 0, "≥ 1"),
        ("deadline", 2.5, "whole number"),
        ("anticipate", "yes", "true or false"),
        ("reoffer_after", -0.1, "[0, 1]"),
        ("rejection_goldstein", 3.0, "[-10, 0]"),
    ],
)
def test_talks_keys_are_checked(key, value, allowed):
    with pytest.raises(ScenarioError) as caught:
        ScenarioSpec.from_dict(pie_data(**{key: value}))
    message = str(caught.value)
    assert f"talks.split.{key}" in message and allowed in message and "\n" not in message


# --- offers that anticipate ratification (Putnam 1988) -----------------------------------------------------------------


def settle(plan, parliament_trust: float, confidence: float = 0.2):
    """Sessions (alternating who proposes first) until a deal is ratified: a's share, or None by the horizon."""
    trust = (np.array([[confidence, parliament_trust]]), np.full((1, 1), confidence))
    rejected = memory(plan)
    for held in range(plan.spec.horizon + 1):
        result = session(plan, np.array([held]), held % 2, trust, (1.0, 1.0), rejected)
        if result.settled[0]:
            return float(plan.utility[0][result.agreed[0]])
    return None


@pytest.mark.parametrize(("hawk", "share"), [(0.0, 0.5), (0.75, 0.6), (1.0, 0.8)])
def test_a_narrower_win_set_at_home_is_bargaining_power(hawk, share):
    """Putnam's logic: a's parliament (no say at the table, a veto at home) demands hawk·(1 − c) of the pie; b, who
    anticipates it, must offer at least that, so the more demanding a's home, the more a gets, and it ratifies."""
    assert settle(pie(parliament=hawk), parliament_trust=0.2) == pytest.approx(share, abs=2 * STEP)


def test_anticipation_spares_the_failures_at_home():
    """Proposals that ignore home meet at ½, which a's parliament (demanding 0.8) rejects; the talks reach a's 0.8 only
    after failures at home, each read by the other side as a defection. Anticipating, they reach it without one."""
    for anticipate, failures in ((False, True), (True, False)):
        plan = pie(parliament=1.0, anticipate=anticipate, horizon=40)
        trust = (np.array([[0.2, 0.2]]), np.full((1, 1), 0.2))
        rejected, failed = memory(plan), False
        for held in range(41):
            result = session(plan, np.array([held]), held % 2, trust, (1.0, 1.0), rejected)
            failed |= bool((result.agreed >= 0).any() and not result.settled[0])
            if result.settled[0]:
                break
        assert plan.utility[0][result.agreed[0]] == pytest.approx(0.8, abs=1 / 40)  # within a session's concession
        assert failed is failures


def test_terms_rejected_at_home_are_not_offered_again_until_confidence_rises():
    """b trusts a (0.9), so it expects a's parliament to ask little; the parliament trusts b only 0.2 and rejects ½.
    b does not offer ½ again at the same confidence, nor after a rise of 0.04, but does after a rise of 0.06
    (``reoffer_after`` 0.05)."""
    plan = pie(parliament=1.0)
    rejected = memory(plan)
    held, a_trust = np.array([400]), np.array([[0.5, 0.2]])  # t = ½: both aspire to ½

    def b_offers(b_confidence):
        trust = (a_trust, np.full((1, 1), b_confidence))
        result = session(plan, held, 1, trust, (1.0, 1.0), rejected)
        return result, float(plan.utility[0][result.offers[0].outcome[0]])

    result, first = b_offers(0.9)
    assert first == pytest.approx(0.5) and result.agreed[0] >= 0 and not result.ratified[0, 0]
    assert b_offers(0.9)[1] < 0.5
    assert b_offers(0.94)[1] < 0.5
    assert b_offers(0.96)[1] == pytest.approx(0.5)


def test_replicate_alone_equals_replicate_in_a_batch_with_every_talks_option(tokyo_dict):
    """Alternating offers with a deadline, a margin, anticipation and its memory of rejections: a seed gives the same
    history alone or in a batch."""
    from sim.model.run import replicate_seeds, simulate_ensemble

    data = copy.deepcopy(tokyo_dict)
    data["talks"]["peace_treaty"] |= {"protocol": "alternating_offers", "deadline": 20, "margin": 0.02}
    scenario = ScenarioSpec.from_dict(data)
    seeds = replicate_seeds(5, 5)
    batch = simulate_ensemble(scenario, seeds, rounds=60)
    for k in (0, 3):
        alone = simulate(scenario, seed=seeds[k], rounds=60)
        assert np.array_equal(alone.ministry_states[:, 0], batch.ministry_states[:, k])
        mine = batch.offers[batch.offers["replicate"] == k].drop(columns="replicate").reset_index(drop=True)
        assert alone.offers.drop(columns="replicate").equals(mine)


def test_tokyo_talks_speak_in_every_history(tokyo):
    """At 40 rounds every replicate of tokyo_2013 tables proposals, and each is answered with a reason: Japan opens on
    its ideal, all four islands under full sovereignty, which Russia's home would never ratify (criticised)."""
    from sim.model.record.acts import acts_table
    from sim.model.run import replicate_seeds, simulate_ensemble

    result = simulate_ensemble(tokyo, replicate_seeds(2013, 200), rounds=40)
    offers = result.offers
    tabled = offers[offers["kind"] != "silent"].groupby("replicate").size()
    assert len(tabled) == 200 and tabled.min() >= 1
    assert set(offers["answer"]) <= {
        "accepted",
        "below_aspiration",
        "not_trusted",
        "outside_win_set",
        "rejected_before",
    }
    first = offers[(offers["replicate"] == 0) & (offers["proposer"] == "japan")].iloc[0]
    assert (first["kind"], first["islands"], first["transfer_terms"], first["answer"]) == (
        "position",
        "all_four",
        "full_sovereignty",
        "outside_win_set",
    )
    acts = acts_table(simulate(tokyo, seed=2013, rounds=40))
    assert {"position", "criticised"} <= set(acts["act"])


def test_the_concession_exponent_changes_what_the_talks_generate(tokyo_dict):
    """The talks' acts now depend on how fast each side concedes: conceders (e = 4) soften their positions sooner than
    the shipped delegations, so the answers, and the acts a calibration reads, differ."""
    from sim.model.record.acts import acts_table

    conceding = copy.deepcopy(tokyo_dict)
    for country in conceding["countries"].values():
        for ministry in country["ministries"].values():
            ministry["concession"] = 4.0
    shipped, fast = (
        acts_table(simulate(ScenarioSpec.from_dict(d), seed=2013, rounds=40)) for d in (tokyo_dict, conceding)
    )
    talks = ["offer", "position", "declined", "criticised"]
    counts = [t[t["act"].isin(talks)].groupby(["act", "cameo"]).size() for t in (shipped, fast)]
    assert not counts[0].equals(counts[1])
