"""The engine's wiring, computed by hand for one meeting: which draws decide what, who observes what and how strongly.

Two countries, each with a foreign ministry (at the table) and a defence ministry (at home, reached by spill-over
0.3), all starting at confidence 0.5, α⁺ = 0.1, α⁻ = 0.3, no drift. The draws of the meeting are set by hand; every
expected value below is worked out from the rules in docs/model.md §2.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.model.engine.engine import Engine
from sim.model.plan import compiled as plan_module
from sim.model.plan.compiled import plan_for
from sim.model.record.result import RunResult
from sim.model.run import replicate_seeds, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec

NF, ND, SF, SD = 0, 1, 2, 3  # north.foreign, north.defence, south.foreign, south.defence in the confidence matrix

BASE = {
    "name": "wiring",
    "spillover": 0.3,
    "shock_scale": 0.5,
    "ministry_defaults": {
        "confidence": 0.5,
        "trust_gain": 0.1,
        "trust_loss": 0.3,
        "drift": 0.0,
        "forgiveness": 0.0,
        "reliability": 0.8,
        "hawkishness": 0.0,
    },
    "countries": {
        "north": {
            "ministries": {
                "foreign": {
                    "role": "foreign",
                    "veto": True,
                    "priorities": {"a": 1, "b": 1, "north_grievance": 1, "land": 1},
                },
                "defence": {"role": "defence", "priorities": {"a": 3, "north_grievance": 1, "land": 1}},
            }
        },
        "south": {
            "ministries": {
                "foreign": {
                    "role": "foreign",
                    "veto": True,
                    "priorities": {"a": 1, "b": 1, "south_grievance": 1, "land": 1},
                },
                "defence": {"role": "defence", "priorities": {"a": 1, "land": 1}},
            }
        },
    },
    "cooperation": {
        "a": {"lead": "foreign", "benefit": 0.5, "exposure": 0.1},
        "b": {"lead": "foreign", "benefit": 0.5, "exposure": 0.1},
    },
    "frictions": {
        "north_grievance": {"raised_by": "north", "against": "south", "severity": 0.5},
        "south_grievance": {"raised_by": "south", "against": "north", "severity": 0.5},
    },
    "talks": {
        "border": {
            "parties": ["north", "south"],
            "protocol": "alternating_offers",
            "deadline": 1,  # one session: the proposer takes its best candidate (backward induction from the end)
            "status_quo": {"land": "none"},
            "dimensions": {
                "land": {
                    "options": ["none", "north_favoured", "south_favoured"],
                    "values": {"north": [0, 1, 0.5], "south": [0, 0.5, 1]},
                }
            },
        }
    },
    "formats": {
        "items": {"roles": ["foreign"], "agenda": ["a", "b"]},
        "frictions": {"roles": ["foreign"], "agenda": ["north_grievance", "south_grievance"]},
        "talks": {"roles": ["foreign"], "agenda": ["border"]},
    },
    "calendar": {"meeting": {"format": "items", "countries": ["north", "south"], "hosts": ["north"]}},
}


def scenario(fmt: str, **changes) -> dict:
    data = copy.deepcopy(BASE)
    data["calendar"]["meeting"]["format"] = fmt
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return data


def one_meeting(data: dict, draws=()) -> Engine:
    """Play round 1 (the meeting) of one replicate with the meeting's uniforms set to ``draws``."""
    engine = Engine(plan_for(ScenarioSpec.from_dict(data)), [np.random.default_rng(0)])
    engine.dice.take = lambda n: np.array(draws, float).reshape(1, n)
    engine.play_round()
    return engine


def confidence(engine: Engine, observer: int, actor: int) -> float:
    return float(engine.confidence[0, observer, actor])


def actions(engine: Engine) -> set[tuple[str, str, str]]:
    table = RunResult.of(engine.record([None])).agenda
    return set(zip(table["item"], table["actor"], table["action"], strict=True))


# Draws per item: for each side (north, then south) whether its lead carries the item out (< 0.8: yes), then whether
# each of the other side's two ministries forgives a breach (< its forgiveness).
BOTH_CARRY_OUT = [0.1, 0.5, 0.5, 0.1, 0.5, 0.5]
SOUTH_BREAKS = [0.1, 0.5, 0.5, 0.9, 0.2, 0.7]


def test_an_item_carried_out_and_one_broken():
    """Item a: both carry it out; item b: north carries it out, south breaks it (nobody forgives)."""
    engine = one_meeting(scenario("items"), BOTH_CARRY_OUT + SOUTH_BREAKS)
    assert actions(engine) == {
        ("a", "north", "accepted"),
        ("a", "south", "accepted"),
        ("a", "north", "carried_out"),
        ("a", "south", "carried_out"),
        ("b", "north", "accepted"),
        ("b", "south", "accepted"),
        ("b", "north", "carried_out"),
        ("b", "south", "broke"),
    }
    # North's confidence in south: rewarded for a (weight 1 at the table, 0.3 at home or for the home ministry),
    # then punished for b: 0.5 → 0.55 → 0.385; 0.5 → 0.515 → 0.46865 (weight 0.3); 0.5 → 0.5045 → 0.4908785 (0.09).
    assert confidence(engine, NF, SF) == pytest.approx(0.385)
    assert confidence(engine, NF, SD) == pytest.approx(0.46865)
    assert confidence(engine, ND, SF) == pytest.approx(0.46865)
    assert confidence(engine, ND, SD) == pytest.approx(0.4908785)
    # South's confidence in north: rewarded twice: 0.5 → 0.55 → 0.595; 0.515 → 0.52955; 0.5045 → 0.5089595.
    assert confidence(engine, SF, NF) == pytest.approx(0.595)
    assert confidence(engine, SF, ND) == pytest.approx(0.52955)
    assert confidence(engine, SD, NF) == pytest.approx(0.52955)
    assert confidence(engine, SD, ND) == pytest.approx(0.5089595)


def test_each_observing_ministry_forgives_with_its_own_draw():
    """Forgiveness ½: of north's observers, foreign draws 0.2 (forgives south's breach of b), defence 0.7 (does not)."""
    engine = one_meeting(scenario("items", **{"ministry_defaults.forgiveness": 0.5}), BOTH_CARRY_OUT + SOUTH_BREAKS)
    assert confidence(engine, NF, SF) == pytest.approx(0.55)  # forgiven: as after a
    assert confidence(engine, NF, SD) == pytest.approx(0.515)
    assert confidence(engine, ND, SF) == pytest.approx(0.46865)  # not forgiven
    assert confidence(engine, ND, SD) == pytest.approx(0.4908785)


def test_forgiveness_draws_differ_between_ministries_of_a_delegation():
    """Over many replicates of a single breach, two observers with the same forgiveness ½ disagree about half the
    time (one draw for the whole delegation would make them always agree)."""
    data = scenario("items", **{"ministry_defaults.forgiveness": 0.5, "ministry_defaults.reliability": 0.0})
    data["formats"]["items"]["agenda"] = ["a"]
    result = simulate_ensemble(ScenarioSpec.from_dict(data), replicate_seeds(1, 2000), rounds=1)
    final = result.final_confidence  # south broke a; has each north ministry forgiven it?
    forgiven = np.stack([np.isclose(final[:, NF, SF], 0.5), np.isclose(final[:, ND, SF], 0.5)], axis=1)
    disagree = forgiven[:, 0] != forgiven[:, 1]
    assert 0.4 < forgiven.mean() < 0.6
    assert 0.4 < disagree.mean() < 0.6


def test_spillover_zero_keeps_home_ministries_out():
    """With no spill-over only those at the table see, and only the acting ministry is judged."""
    engine = one_meeting(scenario("items", spillover=0.0), BOTH_CARRY_OUT + SOUTH_BREAKS)
    assert confidence(engine, NF, SF) == pytest.approx(0.385)
    for observer, actor in ((NF, SD), (ND, SF), (ND, SD), (SD, NF), (SF, ND)):
        assert confidence(engine, observer, actor) == 0.5


def test_a_friction_understood_and_one_rebuffed():
    """North's grievance is understood (draw 0.2 < c·(1 − h) = 0.5), south's rebuffed (0.8). The raiser's
    ministries react with strength severity 0.5, each scaled by the grievance's salience to it: north foreign 1,
    north defence ⅓ (priority 1 beside 3), south foreign 1, south defence 0 (it gives south's grievance no priority)."""
    engine = one_meeting(scenario("frictions"), [0.2, 0.8])
    assert actions(engine) == {
        ("north_grievance", "north", "raised"),
        ("north_grievance", "south", "understood"),
        ("south_grievance", "south", "raised"),
        ("south_grievance", "north", "rebuffed"),
    }
    assert confidence(engine, NF, SF) == pytest.approx(0.525)  # 0.5 + 0.5·1·1·0.1·0.5
    assert confidence(engine, NF, SD) == pytest.approx(0.5075)  # acting weight 0.3 (south's defence at home)
    assert confidence(engine, ND, SF) == pytest.approx(0.5025)  # observer weight 0.3 spill-over × ⅓ salience
    assert confidence(engine, ND, SD) == pytest.approx(0.50075)
    assert confidence(engine, SF, NF) == pytest.approx(0.425)  # 0.5 − 0.5·1·1·0.3·0.5
    assert confidence(engine, SF, ND) == pytest.approx(0.4775)
    assert confidence(engine, SD, NF) == 0.5  # no priority on the friction: no reaction
    assert confidence(engine, SD, ND) == 0.5


def test_signing_is_read_from_the_cameo_table():
    """A ratified deal is observed as CAMEO 057 (Goldstein +8.0): strength 0.5·8/10 = 0.4 at weight 1, both ways."""
    engine = one_meeting(scenario("talks"))
    plan = engine.plan.talks["border"]
    assert plan.terms(int(engine.talks["border"].settlement[0])) == {"land": "north_favoured"}  # north chairs, proposes
    assert engine.talks["border"].settled_round[0] == 1
    for a, b in ((NF, SF), (SF, NF)):
        assert confidence(engine, a, b) == pytest.approx(0.52)  # 0.5 + 0.4·0.1·0.5
        assert confidence(engine, a, b + 1) == pytest.approx(0.506)  # the other's home ministry: weight 0.3
        assert confidence(engine, a + 1, b + 1) == pytest.approx(0.5018)


def test_signing_strength_follows_the_table(monkeypatch):
    """No hidden constant: the plan reads code 057's value from the CAMEO table."""
    table = dict(plan_module.goldstein_table())
    table["057"] = type(table["057"])("057", 5.0, "verbal_cooperation", "Sign formal agreement")
    monkeypatch.setattr(plan_module, "goldstein_table", lambda: table)
    (at,) = plan_for(ScenarioSpec.from_dict(scenario("talks"))).calendar[0].talks
    assert at.sign == pytest.approx(0.5 * 5.0 / 10)


def test_a_deal_rejected_at_home_is_a_defection_of_the_scenarios_strength():
    """South's defence (a veto, hawkishness 1, confidence 0.4 in north) demands 0.6 and gets 0.5 from north's offer:
    north, which expected south's defence to trust it as it trusts south (0.5, a demand of 0.5), made it. North reads
    the rejection as a defection of strength 0.5·|−10|/10 = 0.5 (the talks' rejection_goldstein), and will not offer
    the same terms again until its confidence rises."""
    data = scenario("talks", **{"talks.border.rejection_goldstein": -10.0})
    data["countries"]["south"]["ministries"]["defence"] |= {
        "veto": True,
        "hawkishness": 1.0,
        "confidence": {"north": 0.4},
    }
    engine = one_meeting(data)
    assert engine.talks["border"].settlement[0] == -1
    offers = RunResult.of(engine.record([None])).offers
    assert offers[["land", "accepted", "ratified_by_proposer", "ratified_by_responder"]].values.tolist() == [
        ["north_favoured", True, True, False]
    ]
    assert confidence(engine, NF, SF) == pytest.approx(0.425)  # 0.5 − 0.5·0.3·0.5
    assert confidence(engine, NF, SD) == pytest.approx(0.4775)
    assert confidence(engine, ND, SD) == pytest.approx(0.49325)
    assert confidence(engine, SF, NF) == 0.5  # the side whose home rejected it observes nothing
    plan = engine.plan.talks["border"]
    offered = next(x for x in plan.candidates if plan.terms(x) == {"land": "north_favoured"})
    position = list(plan.candidates).index(offered)
    assert engine.talks["border"].rejected_at[1, 0, position] == pytest.approx(0.5)  # north's confidence then


@pytest.mark.parametrize(
    ("calendar", "parties", "terms"),
    [
        ({"countries": ["north", "south"], "hosts": ["north"]}, ["north", "south"], "north_favoured"),
        ({"countries": ["north", "south"], "hosts": ["south"]}, ["north", "south"], "south_favoured"),
        ({"pairs": [["north", "south"]]}, ["north", "south"], "north_favoured"),  # no chair: party 0 in round 1
        ({"pairs": [["north", "south"]]}, ["south", "north"], "south_favoured"),
        ({"pairs": [["north", "south"]], "start": 1, "every": 1}, ["south", "north"], "south_favoured"),
    ],
)
def test_who_proposes_first(calendar, parties, terms):
    """The chair proposes when it is a party; without one the parties take turns, the first-listed in the first
    session. With one session left, the proposer takes its best candidate."""
    data = scenario("talks", **{"talks.border.parties": parties})
    data["calendar"]["meeting"] = {"format": "talks", **calendar}
    engine = one_meeting(data)
    assert engine.plan.talks["border"].terms(int(engine.talks["border"].settlement[0])) == {"land": terms}


def test_turns_alternate_between_sessions_without_a_chair():
    """Concession protocol, both still aspiring to their best: each session has two proposals, neither accepted; the
    first proposer alternates between sessions."""
    data = scenario(
        "talks", **{"talks.border.protocol": "concession", "talks.border.deadline": None, "talks.border.horizon": 1000}
    )
    data["calendar"]["meeting"] = {"format": "talks", "pairs": [["north", "south"]]}
    engine = Engine(plan_for(ScenarioSpec.from_dict(data)), [np.random.default_rng(0)])
    for _ in range(3):
        engine.play_round()
    offers = RunResult.of(engine.record([None])).offers
    assert offers["proposer"].tolist() == ["north", "south", "south", "north", "north", "south"]
    assert not offers["accepted"].any()


def test_two_talks_in_one_scenario():
    """Two talks at one meeting keep their own state; both settle, each signing observed in turn: 0.5 → 0.52 →
    0.52 + 0.04·0.48 = 0.5392."""
    data = scenario("talks")
    data["talks"]["fishing"] = {
        "parties": ["south", "north"],
        "protocol": "concession",
        "status_quo": {"quota": "none"},
        "dimensions": {"quota": {"options": ["none", "shared"], "values": {"north": [0, 1], "south": [0, 1]}}},
    }
    for ministry in ("foreign", "defence"):
        data["countries"]["north"]["ministries"][ministry]["priorities"]["quota"] = 1
        data["countries"]["south"]["ministries"][ministry]["priorities"]["quota"] = 1
    data["formats"]["talks"]["agenda"] = ["border", "fishing"]
    engine = one_meeting(data)
    plans = engine.plan.talks
    assert plans["border"].terms(int(engine.talks["border"].settlement[0])) == {"land": "north_favoured"}
    assert plans["fishing"].terms(int(engine.talks["fishing"].settlement[0])) == {"quota": "shared"}
    assert confidence(engine, NF, SF) == pytest.approx(0.5392)
    offers = RunResult.of(engine.record([None])).offers
    assert sorted(offers["talks"]) == ["border", "fishing"]
    assert set(offers[offers["talks"] == "fishing"]["proposer"]) == {"north"}  # north chairs in both talks


def test_a_delegations_concession_exponent_is_the_geometric_mean():
    """Members at the table conceding as e = 4 and e = ¼ with equal influence make a linear delegation (e = 1); the
    arithmetic mean would make it a conceder (2.125)."""
    data = scenario("talks")
    data["formats"]["talks"]["roles"] = ["foreign", "defence"]
    north = data["countries"]["north"]["ministries"]
    north["foreign"]["concession"], north["defence"]["concession"] = 4.0, 0.25
    side = plan_for(ScenarioSpec.from_dict(data)).calendar[0].sides[0]
    assert side.concession[0] == pytest.approx(1.0)


def concession_talks(**changes) -> dict:
    """The talks under the concession protocol with a long horizon: in the first session both still aspire to their
    best (1)."""
    base = {"talks.border.protocol": "concession", "talks.border.deadline": None, "talks.border.horizon": 1000}
    return scenario("talks", **(base | changes))


def hawkish_south(data: dict, confidence: float) -> dict:
    """South's defence ministry holds a veto and demands 1 − c of a deal (hawkishness 1) at confidence ``confidence``
    in north: it supports north_favoured (worth ½ to it) only from c = ½."""
    data["countries"]["south"]["ministries"]["defence"] |= {
        "veto": True,
        "hawkishness": 1.0,
        "confidence": {"north": confidence},
    }
    return data


def test_a_proposer_with_nothing_to_offer_tables_its_position_and_the_other_says_why_it_refuses():
    """North trusts south 0.4, so it judges that south's home (whose defence ministry needs ½ for north_favoured)
    would not ratify north_favoured, and south_favoured is worth less than north's aspiration (1): it has no offer and
    tables its position — the candidate best for south among those worth its aspiration that south could ratify at
    full confidence: north_favoured. South's defence, at 0.4, would not ratify it: "not trusted". South, whose
    estimate of north's home is right, offers south_favoured; north, whose home would ratify it, refuses it as below
    its aspiration."""
    data = hawkish_south(concession_talks(**{"ministry_defaults.confidence": 0.4}), 0.4)
    data["calendar"]["meeting"] = {"format": "talks", "countries": ["north", "south"], "hosts": ["north"]}
    offers = RunResult.of(one_meeting(data).record([None])).offers
    assert offers[["proposer", "kind", "land", "answer", "accepted"]].values.tolist() == [
        ["north", "position", "north_favoured", "not_trusted", False],
        ["south", "offer", "south_favoured", "below_aspiration", False],
    ]


@pytest.mark.parametrize(("south_confidence", "answer"), [(0.6, "accepted"), (0.4, "not_trusted")])
def test_a_position_is_accepted_only_where_the_responders_home_would_ratify_it(south_confidence, answer):
    """Alternating offers, one session. North (confidence 0.4 in south) has a hawkish defence ministry with a veto:
    south_favoured (½ to it, demand 0.6) is outside its win-set, and it judges south's home (demand 1 − 0.4 = 0.6 on
    north_favoured) would not ratify north_favoured either: no offer, so it tables north_favoured as its position.
    South's defence in fact trusts north ``south_confidence``: at 0.6 it demands 0.4 and its home ratifies, so south
    (floor 0.25) accepts and the talks settle; at 0.4 it refuses: not trusted."""
    data = hawkish_south(scenario("talks", **{"ministry_defaults.confidence": 0.4}), south_confidence)
    data["countries"]["north"]["ministries"]["defence"] |= {"veto": True, "hawkishness": 1.0}
    engine = one_meeting(data)
    offers = RunResult.of(engine.record([None])).offers
    assert offers[["proposer", "kind", "land", "answer"]].values.tolist() == [
        ["north", "position", "north_favoured", answer]
    ]
    settled = int(engine.talks["border"].settlement[0])
    assert (settled >= 0) is (answer == "accepted")


def test_with_positions_off_a_proposer_with_nothing_to_offer_is_silent():
    data = hawkish_south(
        concession_talks(**{"ministry_defaults.confidence": 0.4, "talks.border.positions": False}), 0.4
    )
    data["calendar"]["meeting"] = {"format": "talks", "countries": ["north", "south"], "hosts": ["north"]}
    result = RunResult.of(one_meeting(data).record([None]))
    offers = result.offers
    assert offers[["proposer", "kind", "answer"]].values.tolist() == [
        ["north", "silent", ""],
        ["south", "offer", "below_aspiration"],
    ]
    assert offers["land"].isna().tolist() == [True, False] and np.isnan(offers["u_proposer"].iloc[0])
    assert offers["kind"].tolist() == ["silent", "offer"] and result.summary["talks"][0]["proposals"]["silent"] == 1
