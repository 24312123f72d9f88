"""Seats: a person decides in the agent model where a ministry, a delegation or a leader's office would by its rules.

A game whose every decision is answered as the rules would is ``simulate``'s run (every table); a scripted seat plays
a scenario to the end; a counterfactual changes only what follows the changed decision; what a seat sees holds no
private value of the other side; bad input gets one error naming what is allowed.
"""

from __future__ import annotations

import copy
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_agent_model import assert_same_run, scenarios

from sim.io.library import config_dir, load_scenario, scenario_data
from sim.model.agents.game import Game
from sim.model.agents.seat import RULES, Ask, Question
from sim.model.agents.seat_view import CountryView
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import plan_for
from sim.model.run import simulate, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec

PRACTICE = "tokyo_2013_practice"
ROUNDS = {"tokyo_2013_practice": 6, "asean_regional_forum": 8, "synthetic": 8, "tokyo_2013_decade": 110}


@pytest.fixture(scope="module")
def practice() -> ScenarioSpec:
    return load_scenario(PRACTICE)


def yes(question: Question) -> str:
    """A seat that cooperates: adopts, carries out, understands, accepts and ratifies; in the talks, offers the deal
    best for its own country among those its home would ratify now (silent if none)."""
    if question.ask is not Ask.TABLE:
        return question.options[0].key
    talks = question.view.talks_named(question.about)
    deals = [d for d in talks.deals if d.ratifies_now and d.number != talks.status_quo]
    return f"offer {max(deals, key=lambda d: d.utility).number}" if deals else "silent"


def tables_before(result, round_: int) -> dict[str, pd.DataFrame]:
    """Each table's rows of the rounds before ``round_``."""
    return {
        name: table[table["round"] < round_].reset_index(drop=True)
        for name, table in result.tables().items()
        if "round" in table
    }


# --- the rules' game is simulate's --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.stem for p in (config_dir() / "scenario").glob("*.yaml")))
def test_a_game_answered_as_the_rules_is_simulate(name):
    """Every shipped scenario, a ministry's seat and a whole country's: every table as ``simulate`` gives it."""
    scenario = load_scenario(name)
    rounds = ROUNDS.get(name, 40)
    first, second = scenario.countries[0], scenario.countries[1]
    expected = simulate(scenario, seed=11, rounds=rounds)
    foreign = next((m for m in first.ministries if m.role == "foreign"), first.ministries[0])
    for seat in (foreign.key, second.name):
        game = Game(scenario, seat, seed=11, rounds=rounds)
        assert_same_run(game.play(), expected)
        assert game.decisions, f"{seat} was asked nothing in {name}"


def test_answering_the_rules_choice_by_name_is_the_same_game(practice):
    """Choosing, by its key, the option the rules would choose takes exactly the rules' decision: a choice's effect
    is the rules' own where they agree (a vote's weight, a proposal's terms, a refusal's reason)."""
    for seat in ("japan.foreign", "russia", "japan.leader"):
        by_rules = Game(practice, seat, seed=5, rounds=6)
        by_rules.play()
        rules = iter(d.rule for d in by_rules.decisions)
        by_name = Game(practice, seat, seed=5, rounds=6)
        by_name.play(lambda q, rules=rules: next(rules))
        assert [d.choice for d in by_name.decisions] == [d.rule for d in by_rules.decisions]
        assert_same_run(by_name.result(), simulate(practice, seed=5, rounds=6))


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=scenarios(), seed=st.integers(0, 2**64 - 1), pick=st.integers(0, 10_000), whole=st.booleans())
def test_generated_scenarios_with_a_seat_run_as_simulate(data, seed, pick, whole):
    """2–4 countries, both protocols, deadlines, lapses, changes, events: a seat answered by the rules changes
    nothing."""
    scenario = ScenarioSpec.from_dict(copy.deepcopy(data))
    names = [c.name for c in scenario.countries] if whole else [m.key for m in scenario.ministries]
    game = Game(scenario, names[pick % len(names)], seed=seed, rounds=10)
    assert_same_run(game.play(), simulate_ensemble(scenario, [seed], rounds=10))


def test_two_seats_in_one_game(practice):
    """Japan's MOFA against Russia's MID: each question goes to its own seat, with its own view."""
    game = Game(practice, ["japan.foreign", "russia.foreign"], seed=2, rounds=6)
    asked = []
    while (question := game.pending) is not None:
        assert question.view.seat == question.seat and question.view.country == question.seat.split(".")[0]
        asked.append(question.seat)
        game.decide(RULES)
    assert set(asked) == {"japan.foreign", "russia.foreign"}
    assert_same_run(game.result(), simulate(practice, seed=2, rounds=6))


# --- a scripted seat ----------------------------------------------------------------------------------------------


def test_a_scripted_seat_plays_the_practice_to_the_end(practice):
    game = Game(practice, "japan.foreign", seed=3, rounds=6)
    result = game.play(yes)
    assert game.over and game.pending is None and result.rounds == 6
    asks = Counter(d.question.ask for d in game.decisions)
    assert {Ask.VOTE, Ask.CARRY_OUT, Ask.FRICTION, Ask.TABLE, Ask.ANSWER} <= set(asks)
    assert all(d.taken == yes(d.question) for d in game.decisions)
    agenda = result.agenda
    for d in game.decisions:
        q = d.question
        if q.ask is Ask.CARRY_OUT:  # what it chose is what the record says Japan did
            row = agenda[(agenda["round"] == q.round) & (agenda["meeting"] == q.meeting) & (agenda["item"] == q.about)]
            assert "carried_out" in set(row[row["actor"] == "japan"]["action"])
        if q.ask is Ask.TABLE and d.taken != "silent":
            offers = result.offers
            mine = offers[
                (offers["round"] == q.round) & (offers["meeting"] == q.meeting) & (offers["proposer"] == "japan")
            ]
            terms = q.view.talks_named(q.about).deals[int(d.taken.split()[1]) - 1].terms
            assert (mine[list(terms)] == pd.Series(terms)).all(axis=1).any()
            assert set(mine["kind"]) == {"offer"}


def test_deciding_one_by_one_is_the_policy_played_at_once(practice):
    """The notebook's way (pending, decide) and a script's (play) give the same game."""
    scripted = Game(practice, "russia", seed=8, rounds=6)
    scripted.play(yes)
    by_hand = Game(practice, "russia", seed=8, rounds=6)
    while (question := by_hand.play_until_decision()) is not None:
        by_hand.decide(yes(question))
    assert [d.question.key for d in by_hand.decisions] == [d.question.key for d in scripted.decisions]
    assert_same_run(by_hand.result(), scripted.result())


def test_a_seat_that_breaks_and_rebuffs_costs_confidence(practice):
    """The other side reads what the seat does: breaking every item and rebuffing every friction leaves Russia less
    confident in Japan than cooperating does, on the same draws."""

    def no(question: Question) -> str:
        return question.options[1].key if question.ask is not Ask.TABLE else "silent"

    final = {}
    for name, policy in (("yes", yes), ("no", no)):
        result = Game(practice, "japan", seed=4, rounds=6).play(policy)
        confidence = result.country_confidence
        final[name] = confidence.query("round == 6 and country == 'russia'")["confidence"].item()
    assert final["no"] < final["yes"]


# --- counterfactual -----------------------------------------------------------------------------------------------


def test_the_counterfactual_changes_only_what_follows_the_changed_decision(practice):
    game = Game(practice, "japan.foreign", seed=3, rounds=6)
    played = game.play(yes)
    index = next(k for k, d in enumerate(game.decisions) if d.question.round >= 2 and d.question.ask is Ask.ANSWER)
    changed = game.decisions[index]
    other = next(o.key for o in changed.question.options if o.key not in (changed.taken, RULES))
    replay = game.counterfactual(index, other)
    r = changed.question.round
    assert replay.over and replay.decisions[index].taken == other
    assert [(d.question.key, d.choice) for d in replay.decisions[:index]] == [
        (d.question.key, d.choice) for d in game.decisions[:index]
    ]
    before, after = tables_before(played, r), tables_before(replay.result(), r)
    for name, table in before.items():
        pd.testing.assert_frame_equal(after[name], table, check_exact=True, obj=name)
    assert not played.offers.equals(replay.result().offers)  # and the changed answer shows from its round on


def test_a_counterfactual_keeps_later_choices_where_the_same_question_comes(practice):
    game = Game(practice, "japan", seed=6, rounds=6)
    game.play(yes)
    first_carry = next(k for k, d in enumerate(game.decisions) if d.question.ask is Ask.CARRY_OUT)
    replay = game.counterfactual(first_carry, "break")
    kept = {d.question.key: d.choice for d in game.decisions[first_carry + 1 :]}
    again = [d for d in replay.decisions[first_carry + 1 :] if d.question.key in kept]
    assert again and all(d.choice == kept[d.question.key] for d in again if d.question.allows(kept[d.question.key]))


# --- what a seat sees ---------------------------------------------------------------------------------------------

PRIVATE = ("trust_gain", "trust_loss", "forgiveness", "drift", "reliability", "hawkishness", "concession", "memory")


def with_private_values(data: dict, country: str, shift: float) -> dict:
    """``data`` with every private value of ``country`` changed to values nothing else in the scenario has: its
    behaviour, its priorities and its confidence."""
    data = copy.deepcopy(data)
    for k, m in enumerate(data["countries"][country]["ministries"].values()):
        for j, name in enumerate(PRIVATE):
            m[name] = 0.1 + (0.1373 * (k + 1) + 0.0711 * j + shift) % 0.77
        m["concession"] = 0.3 + 0.4137 * (k + 1) + shift
        m["priorities"] = {
            issue: 1.13 + (0.3131 * (i + 1) ** 2 + 0.517 * k + shift) % 4.17 for i, issue in enumerate(m["priorities"])
        }
        m["confidence"] = {c: 0.2 + (0.1913 * k + 0.0737 * i + shift) % 0.6 for i, c in enumerate(m["confidence"])}
    return data


def test_a_seat_knows_the_same_before_the_game_whatever_the_other_side_privately_values():
    data = dict(scenario_data(PRACTICE))
    views = [
        Game(ScenarioSpec.from_dict(with_private_values(data, "russia", shift)), "japan.foreign", seed=1, rounds=6)
        for shift in (0.0, 0.2113)
    ]
    assert views[0].view_at_start() == views[1].view_at_start()
    first = [g.pending for g in views]
    assert first[0].facts == first[1].facts and first[0].options == first[1].options


def test_what_a_seat_sees_holds_no_private_value_of_the_other_side():
    """Every number in every view and fact of a whole game, against every private value of Russia: its behaviour,
    its priorities (as written and normalised), its ministries' confidence in Japan's at every round, and its
    country-level confidence in Japan."""
    scenario = ScenarioSpec.from_dict(with_private_values(dict(scenario_data(PRACTICE)), "russia", 0.0313))
    game = Game(scenario, "japan.foreign", seed=9, rounds=6)
    result = game.play(yes)
    russia = next(c for c in scenario.countries if c.name == "russia")
    private = []
    for m in russia.ministries:
        private += [getattr(m.behaviour, name) for name in PRIVATE] + list(m.priorities.values())
    plan = plan_for(scenario)
    block = plan.blocks["russia"]
    private += list(result.ministry_states[:, 0, block, :].ravel())
    confidence = result.country_confidence
    private += list(confidence[confidence["country"] == "russia"]["confidence"])
    private = np.array([p for p in private if 0 < p < 1])
    seen = [v for d in game.decisions for v in (*d.question.view.values(), *d.question.facts.values())]
    seen += list(game.view().values())
    numbers = np.array([float(v) for v in seen if isinstance(v, float | int) and not isinstance(v, bool)])
    assert len(numbers) > 1000 and len(private) > 50
    close = np.abs(numbers[:, None] - private[None, :]) < 1e-9
    assert not close.any(), numbers[close.any(axis=1)]


def test_the_other_side_is_seen_only_as_anyone_sees_it():
    assert [f for f in CountryView.__dataclass_fields__] == ["name", "roles", "vetoes", "quota", "positions"]


def test_a_decision_both_sides_take_at_once_is_hidden_until_taken(practice):
    """Russia decides on an item after Japan in the model's order; its seat does not see Japan's decision on it."""
    game = Game(practice, "russia.foreign", seed=1, rounds=6)
    question = game.pending
    assert question.ask is Ask.VOTE
    same = [
        s
        for s in question.view.record
        if (s.round, s.meeting, s.about, s.actor) == (question.round, question.meeting, question.about, "japan")
    ]
    assert same == []
    following = game.decide(RULES)
    heard = [
        s for s in following.view.record if (s.meeting, s.about, s.actor) == (question.meeting, question.about, "japan")
    ]
    assert "adopt" in [s.ask for s in heard]


def test_a_view_starts_with_the_brief(practice):
    view = Game(practice, "japan.foreign", seed=1, rounds=6).view_at_start()
    assert view.round == 0 and view.date == "2013-11" and view.record == ()
    assert [m.name for m in view.ministries] == ["japan.foreign"]
    # 0.60 in Russia's leader and MID, 0.50 in its defence ministry, weighted by their influence (0.6, 0.2, 0.2)
    assert view.ministries[0].confidence == pytest.approx({"russia": 0.58})
    assert [u.round for u in view.calendar] == [1, 1, 2, 3, 4, 5, 6]
    assert view.calendar[0].part == (
        "vote on pko_information_sharing",
        "vote on multilateral_security_cooperation",
        "carry out multilateral_security_cooperation if adopted",
        "answer missile_defence_shield",
    )
    assert "negotiate peace_treaty" in view.calendar[1].part
    assert view.calendar[3].part == ("vote at home on any deal of peace_treaty",)  # the leaders' summit
    assert {o.name for o in view.others} == {"russia"} and view.talks[0].counterpart == "russia"


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seat", "message"),
    [
        ("japan.foriegn", "seat: got 'japan.foriegn'; allowed: one of japan, japan.defence, japan.foreign, "),
        ("japan.foriegn", "(did you mean 'japan.foreign'?)"),
        ("china", "seat: got 'china'; allowed: one of japan"),
        (["japan", "japan.foreign"], "allowed: seats that do not overlap (a country's seat takes its ministries'"),
        (["russia.leader", "russia.leader"], "allowed: seats that do not overlap"),
        ([], "seat: got []; allowed: a country or country.ministry of tokyo_2013_practice, or a list of them"),
    ],
)
def test_an_unknown_seat_is_refused(practice, seat, message):
    with pytest.raises(ScenarioError) as refused:
        Game(practice, seat, seed=1, rounds=6)
    assert message in str(refused.value)


def test_an_invalid_choice_is_refused_naming_what_is_allowed(practice):
    game = Game(practice, "japan.foreign", seed=1, rounds=6)
    with pytest.raises(
        ScenarioError,
        match=r"^choice \(vote pko_information_sharing\): got 'yes'; allowed: one of "
        r"adopt, refuse, rules$",
    ):
        game.decide("yes")
    assert len(game.decisions) == 0  # nothing half done: the question is still pending
    while game.pending.ask is not Ask.TABLE:
        game.decide(RULES)
    for bad in ("offer 999", "offer", "position 0", "accept", 3):
        with pytest.raises(
            ScenarioError,
            match=r"allowed: 'offer N' or 'position N' \(N a deal, 1–\d+, not \d+: the "
            r"status quo\), 'silent' or 'rules'$",
        ):
            game.decide(bad)
    sq = game.pending.view.talks_named("peace_treaty").status_quo
    with pytest.raises(ScenarioError, match=f"got 'offer {sq}'"):
        game.decide(f"offer {sq}")
    game.play()
    with pytest.raises(ScenarioError, match=r"^decide: got 'adopt'; allowed: no choice: the game is over"):
        game.decide("adopt")
    with pytest.raises(ScenarioError, match=r"^decision: got 99; allowed: a decision's number, 0 to \d+$"):
        game.counterfactual(99, "adopt")
    with pytest.raises(ScenarioError, match=r"^choice \(vote pko_information_sharing\): got 'maybe'"):
        game.counterfactual(0, "maybe")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"seed": -1}, "^seed: got -1; allowed: a whole number ≥ 0"),
        ({"rounds": 0}, "^rounds: got 0; allowed: a whole number ≥ 1"),
        ({"scenario": "tokyo_2013"}, r"^scenario: got 'tokyo_2013'; allowed: a ScenarioSpec or a mapping"),
    ],
)
def test_a_game_needs_a_scenario_a_seed_and_a_length(practice, settings, message):
    arguments = {"scenario": practice, "seed": 1, "rounds": 6} | settings
    scenario = arguments.pop("scenario")
    with pytest.raises(ScenarioError, match=message):
        Game(scenario, "japan", **arguments)


# --- the talks' record --------------------------------------------------------------------------------------------


def test_terms_that_are_no_candidate_rejected_at_home_are_not_remembered_as_a_candidate(practice):
    """A seat may table terms no rule would (here Russia's ideal, which no candidate is); accepted at the table and
    rejected at home, they leave the memory of rejected candidates as it was."""
    talks = plan_for(practice).talks["peace_treaty"]
    ideal = talks.ideal[1]
    assert talks.candidate_of[ideal] < 0

    def concede_everything(question: Question) -> str:
        if question.ask is Ask.TABLE:
            return f"offer {ideal + 1}"
        return "reject" if question.ask is Ask.RATIFY else RULES

    game = Game(practice, "japan", seed=1, rounds=2)
    result = game.play(concede_everything)
    offers = result.offers
    first = offers[(offers["proposer"] == "japan")].iloc[0]
    assert first["accepted"] and not first["ratified_by_proposer"]
    assert np.isneginf(game.model.talks["peace_treaty"].rejected_at).all()
