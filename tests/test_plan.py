"""What both models compile from and share, checked against hand-worked cases rather than against each other: the
calendar's turns, hosts and first proposers, the lapse rules' pairs, a forum's dyads, and the dice's slots.

The engine and the agent model are tested equal (tests/test_agent_model.py); an error in what both compile from, or
in a procedure both run, would pass that test, so these cases are worked out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_engine_wiring import scenario

from sim.model.engine.engine import Engine
from sim.model.plan.compiled import plan_for
from sim.model.plan.dice import MeetingDice
from sim.model.procedures.talks import first_proposer
from sim.model.record.result import RunResult
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec


def entry(**calendar):
    data = scenario("talks")
    data["calendar"]["meeting"] = {"format": "talks", **calendar}
    return plan_for(ScenarioSpec.from_dict(data)).calendar[0]


@pytest.mark.parametrize(
    ("calendar", "rounds", "turns"),
    [
        ({"pairs": [["north", "south"]], "start": 2, "every": 3}, [2, 5, 8, 11], [0, 1, 2, 3]),
        ({"pairs": [["north", "south"]], "once": [1, 3, 5, 7]}, [1, 3, 5, 7], [0, 1, 2, 3]),
        ({"pairs": [["north", "south"]], "once": [4, 5, 9]}, [4, 5, 9], [0, 1, 2]),
    ],
)
def test_a_series_counts_its_meetings(calendar, rounds, turns):
    e = entry(**calendar).entry
    assert [e.scheduled(r) for r in range(1, 13)] == [r in rounds for r in range(1, 13)]
    assert [e.turn(r) for r in rounds] == turns


def test_hosts_rotate_by_meeting_of_the_series():
    e = entry(countries=["north", "south"], hosts=["south", "north"], once=[2, 3, 10]).entry
    assert [e.host(r) for r in (2, 3, 10)] == ["south", "north", "south"]
    e = entry(countries=["north", "south"], hosts=["north", "south"], start=3, every=4).entry
    assert [e.host(r) for r in (3, 7, 11, 15)] == ["north", "south", "north", "south"]


@pytest.mark.parametrize(
    ("calendar", "rounds", "first"),
    [
        # no chair: the parties take turns from one meeting to the next, the first-listed at the first
        ({"pairs": [["north", "south"]], "start": 1, "every": 2}, [1, 3, 5, 7], [0, 1, 0, 1]),
        ({"pairs": [["north", "south"]], "once": [1, 3, 5, 7]}, [1, 3, 5, 7], [0, 1, 0, 1]),
        ({"pairs": [["north", "south"]], "once": [2, 6, 7]}, [2, 6, 7], [0, 1, 0]),
        # a chair that is a party proposes first
        ({"countries": ["north", "south"], "hosts": ["south", "north"], "once": [1, 3]}, [1, 3], [1, 0]),
    ],
)
def test_who_proposes_first_at_each_meeting(calendar, rounds, first):
    meeting = entry(**calendar)
    (at,) = meeting.talks
    e = meeting.entry
    assert [first_proposer(e, r, e.host(r), at.talks) for r in rounds] == first


@pytest.mark.parametrize("engine", ["arrays", "agents"])
def test_one_off_meetings_without_a_chair_take_turns_to_propose_first(engine):
    """Four one-off sessions in rounds 1, 3, 5, 7, both sides still aspiring to their best: two proposals a session,
    none accepted, and the first proposer alternates (before the fix, north opened every one of them)."""
    data = scenario(
        "talks", **{"talks.border.protocol": "concession", "talks.border.deadline": None, "talks.border.horizon": 1000}
    )
    data["calendar"]["meeting"] = {"format": "talks", "pairs": [["north", "south"]], "once": [1, 3, 5, 7]}
    offers = simulate(data, seed=0, rounds=7, engine=engine).offers
    assert offers["round"].tolist() == [1, 1, 3, 3, 5, 5, 7, 7]
    assert offers["proposer"].tolist() == ["north", "south", "south", "north", "north", "south", "south", "north"]


def test_a_lapse_rule_reads_every_directed_pair_of_the_series():
    data = scenario("talks")
    data["countries"]["east"] = data["countries"]["south"]
    data["calendar"]["meeting"] = {
        "format": "talks",
        "pairs": [["north", "south"], ["east", "north"]],
        "lapse_below": 0.2,
    }
    plan = plan_for(ScenarioSpec.from_dict(data))
    rule = plan.lapse_rules[0]
    names = list(plan.blocks)
    pairs = [(names[a], names[b]) for a, b in zip(rule.observers, rule.observed, strict=True)]
    assert pairs == [("north", "south"), ("south", "north"), ("east", "north"), ("north", "east")]


def test_a_forums_dyads_are_its_pairs_of_countries_in_order():
    data = scenario("items")
    data["countries"]["east"] = data["countries"]["south"]
    data["calendar"]["meeting"] = {"format": "items", "countries": ["north", "south", "east"]}
    meeting = plan_for(ScenarioSpec.from_dict(data)).calendar[0]
    assert meeting.dyads == 3
    assert meeting.sides[0].names == ("north", "north", "south")
    assert meeting.sides[1].names == ("south", "east", "east")
    # two ministries a side, two cooperative items, no friction: 2 items × 3 dyads × 2 sides × (1 + 2) draws
    assert (meeting.members, len(meeting.items), meeting.slots) == (2, 2, 36)


def test_the_dice_name_each_slot():
    """One dyad, two ministries a side, one item, one friction: slots 0–6, laid out by hand."""
    data = scenario("items")
    data["formats"]["items"]["agenda"] = ["a", "north_grievance"]
    meeting = plan_for(ScenarioSpec.from_dict(data)).calendar[0]
    assert meeting.slots == 7
    dice = MeetingDice(np.arange(7.0)[None], meeting)
    assert dice.carry_out(0, 0).tolist() == [[0.0]]  # north's lead carries item a out (or not)
    assert dice.forgive(0, 0).tolist() == [[[1.0, 2.0]]]  # south's two ministries forgive north's breach
    assert dice.carry_out(0, 1).tolist() == [[3.0]]
    assert dice.forgive(0, 1).tolist() == [[[4.0, 5.0]]]  # north's two forgive south's
    assert dice.understand(0).tolist() == [6.0]
    one = dice.replicate(0)
    assert (one.carry_out(0, 1)[0], one.forgive(0, 0)[0, 1], one.understand(0)) == (3.0, 2.0, 6.0)


def test_the_engine_draws_a_meetings_slots_in_that_order():
    """South breaks item a only if its draw (slot 3) is above its honour probability; with slot 3 at 0.99 it breaks,
    every other slot at 0 (north carries out; nobody forgives, 0 < forgiveness)."""
    data = scenario("items")
    data["formats"]["items"]["agenda"] = ["a"]
    engine = Engine(plan_for(ScenarioSpec.from_dict(data)), [np.random.default_rng(0)])
    engine.dice.take = lambda n: np.array([[0.0, 0.0, 0.0, 0.99, 0.0, 0.0]])
    engine.play_round()
    agenda = RunResult.of(engine.record([None])).agenda
    done = agenda[agenda["action"].isin(["carried_out", "broke"])]
    assert done[["actor", "action"]].astype(str).values.tolist() == [["north", "carried_out"], ["south", "broke"]]
