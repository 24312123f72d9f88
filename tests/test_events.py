"""Events: dates on a calendar, random events drawn at a rate, and event records imported from CSV files."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from conftest import small_scenario

from sim.io.event_records import EXAMPLE_ACTORS, EXAMPLE_CSV, read_events
from sim.model.engine.engine import Engine
from sim.model.errors import ScenarioError
from sim.model.plan.compiled import plan_for
from sim.model.run import replicate_seeds, simulate, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec


def event(**fields) -> dict:
    return {"source": "north", "target": "south", "goldstein": -5, **fields}


def error_for(data) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        ScenarioSpec.from_dict(data)
    return caught.value


# --- dates ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "round_months", "expected"),
    [
        ("2013-11", 1, 1),
        ("2013-11-30", 1, 1),
        ("2014-03-18", 1, 5),
        ("20140318", 1, 5),  # GDELT's SQLDATE
        (datetime.date(2014, 3, 18), 1, 5),  # plain YAML reads an unquoted date as a date
        ("2014-01", 3, 1),  # quarters: Nov–Jan is round 1
        ("2014-02", 3, 2),
        ("2016-12-16", 12, 4),
    ],
)
def test_dates_map_to_rounds(date, round_months, expected):
    data = small_scenario(calendar_start="2013-11", round_months=round_months, events=[event(date=date)])
    assert ScenarioSpec.from_dict(data).events[0].round == expected


def test_tokyo_events_fall_in_the_months_the_article_gives(tokyo):
    """Round 1 is November 2013: Crimea in March 2014 is round 5, Nagato in December 2016 round 38."""
    assert tokyo.calendar_start == "2013-11"
    assert [e.round for e in tokyo.events] == [5, 10, 10, 22, 31, 38, 38]


@pytest.mark.parametrize(
    ("changes", "path", "allowed"),
    [
        (
            {"calendar_start": "2013-11", "events": [event(date="2013-10-31")]},
            "events[0].date",
            "from calendar_start (2013-11) on",
        ),
        ({"calendar_start": "2013-11", "events": [event(date="March 2014")]}, "events[0].date", "'YYYY-MM'"),
        ({"calendar_start": "2013-11", "events": [event(date="2014-02-30")]}, "events[0].date", "'YYYY-MM-DD'"),
        ({"calendar_start": "2013-11", "events": [event(date=201403)]}, "events[0].date", "'YYYY-MM'"),
        ({"events": [event(date="2014-03")]}, "events[0].date", "set calendar_start"),
        (
            {"calendar_start": "2013-11", "events": [event(date="2014-03", round=5)]},
            "events[0]",
            "exactly one of 'round'",
        ),
        ({"events": [event()]}, "events[0]", "exactly one of 'round'"),
        ({"calendar_start": "11/2013"}, "calendar_start", "'YYYY-MM'"),
        ({"calendar_start": "2013-11", "round_months": 0}, "round_months", "≥ 1"),
        ({"round_months": 3}, "round_months", "only with calendar_start"),
        ({"events": [event(round=2, weight=3)]}, "events[0].weight", "within [-10, 10]"),
        ({"events": [event(round=2, weight=-1)]}, "events[0].weight", "[0, inf]"),
        ({"events": [event(round=2, note=["a"])]}, "events[0].note", "a text"),
        ({"events": {"round": 2}}, "scenario.events", "a list of events"),
    ],
)
def test_date_and_event_mistakes(changes, path, allowed):
    error = error_for(small_scenario(**changes))
    assert path in error.path
    assert allowed in error.allowed


def test_weight_scales_the_goldstein_value_and_keeps_the_code():
    data = small_scenario(events=[{"round": 2, "source": "north", "target": "south", "cameo": "163", "weight": 0.5}])
    e = ScenarioSpec.from_dict(data).events[0]
    assert (e.cameo, e.goldstein) == ("163", -4.0)


# --- random events ----------------------------------------------------------------------------------------------------


def with_random(**entries) -> ScenarioSpec:
    return ScenarioSpec.from_dict(small_scenario(random_events=entries))


def test_random_events_are_recorded_per_replicate_with_their_draws():
    scenario = with_random(
        tests={"rate": 1.0, "between": ["north", "south"], "cameo": ["150", "036"]},
        noise={"rate": 0.0, "between": [["south.defence", "north"]], "goldstein": [-3, 2]},
    )
    result = simulate_ensemble(scenario, replicate_seeds(1, 3), rounds=10)
    events = result.events
    assert list(events.columns) == ["replicate", "round", "source", "target", "cameo", "goldstein", "note"]
    assert len(events) == 3 * 10 * 2  # rate 1: both directions, every round, every replicate; rate 0: never
    assert set(events["note"]) == {"tests"}
    assert set(zip(events["cameo"], events["goldstein"], strict=True)) <= {("150", -7.2), ("036", 4.0)}
    assert events.groupby("replicate")["round"].apply(lambda r: r.is_monotonic_increasing).all()


def test_random_values_stay_in_their_range():
    scenario = with_random(noise={"rate": 1.0, "between": ["north", "south"], "goldstein": [-3, 2]})
    events = simulate(scenario, rounds=30).events
    assert events["goldstein"].between(-3, 2).all() and events["cameo"].isna().all()
    assert events["goldstein"].std() > 1  # drawn, not fixed


def test_random_events_take_the_same_draws_whatever_strikes():
    """The fixed-slot discipline: a rate changes what strikes, never how many uniforms a round takes."""
    positions = []
    for rate in (0.0, 0.5, 1.0):
        scenario = with_random(shock={"rate": rate, "between": ["north", "south"], "goldstein": [-10, 10]})
        engine = Engine(plan_for(scenario), [np.random.default_rng(7)])
        for _ in range(9):
            engine.play_round()
        positions.append(engine.dice.take(1)[0, 0])
    assert positions[0] == positions[1] == positions[2]


def test_random_events_replicate_alone_equals_replicate_in_a_batch():
    scenario = with_random(shock={"rate": 0.3, "between": ["north", "south"], "cameo": ["150", "057", "111"]})
    seeds = replicate_seeds(5, 4)
    batch = simulate_ensemble(scenario, seeds, rounds=20)
    for k in (0, 3):
        alone = simulate(scenario, seed=seeds[k], rounds=20)
        assert np.array_equal(alone.ministry_states[:, 0], batch.ministry_states[:, k])
        mine = batch.events[batch.events["replicate"] == k].drop(columns="replicate").reset_index(drop=True)
        assert alone.events.drop(columns="replicate").equals(mine)


def test_hostile_random_events_lower_confidence():
    calm = small_scenario(**{"calendar.talks.start": 1000})  # no meetings: only drift and events move confidence
    hostile = small_scenario(
        **{
            "calendar.talks.start": 1000,
            "random_events": {"raids": {"rate": 0.5, "between": ["north", "south"], "cameo": "190"}},
        }
    )
    final = [simulate(ScenarioSpec.from_dict(d), rounds=12).country_states[-1, 0] for d in (calm, hostile)]
    assert (final[1][~np.eye(2, dtype=bool)] < final[0][~np.eye(2, dtype=bool)]).all()


@pytest.mark.parametrize(
    ("entry", "path", "allowed"),
    [
        ({"rate": 1.5, "between": ["north", "south"], "goldstein": 1}, "r.rate", "[0, 1]"),
        ({"between": ["north", "south"], "goldstein": 1}, "r.rate", "required"),
        ({"rate": 0.1, "between": ["north", "sooth"], "goldstein": 1}, "r.between[1]", "did you mean 'south'"),
        ({"rate": 0.1, "between": ["north"], "goldstein": 1}, "r.between", "at least 2"),
        ({"rate": 0.1, "between": ["north", "north.defence"], "goldstein": 1}, "r.between", "different countries"),
        ({"rate": 0.1, "between": [["north", "north.defence"]], "goldstein": 1}, "r.between[0]", "another country"),
        (
            {"rate": 0.1, "between": [["north", "south"], ["north.defence", "south"]], "goldstein": 1},
            "r.between",
            "each directed pair",
        ),
        ({"rate": 0.1, "between": [["north", "south", "north"]], "goldstein": 1}, "r.between[0]", "without repeated"),
        ({"rate": 0.1, "between": "north", "goldstein": 1}, "r.between", "a list"),
        ({"rate": 0.1, "between": ["north", "south"], "cameo": ["150", "999"]}, "r.cameo[1]", "CAMEO"),
        ({"rate": 0.1, "between": ["north", "south"], "cameo": []}, "r.cameo", "at least 1"),
        ({"rate": 0.1, "between": ["north", "south"], "goldstein": [3, -3]}, "r.goldstein", "low ≤ high"),
        ({"rate": 0.1, "between": ["north", "south"], "goldstein": [1, 2, 3]}, "r.goldstein", "[low, high]"),
        ({"rate": 0.1, "between": ["north", "south"], "goldstein": [-11, 2]}, "r.goldstein[0]", "[-10, 10]"),
        ({"rate": 0.1, "between": ["north", "south"]}, "r", "exactly one of 'cameo'"),
        ({"rate": 0.1, "between": ["north", "south"], "goldstein": 1, "every": 2}, "r.every", "a known key"),
    ],
)
def test_random_event_mistakes(entry, path, allowed):
    error = error_for(small_scenario(random_events={"r": entry}))
    assert error.path == f"scenario.random_events.{path}"
    assert allowed in error.allowed


# --- event records from CSV files -------------------------------------------------------------------------------------


def test_example_record_replays_the_tokyo_events(tokyo, tokyo_dict):
    """The shipped CSV holds the events tokyo_2013 lists, under the actor names of an event record."""
    data = dict(tokyo_dict, events=read_events(EXAMPLE_CSV, EXAMPLE_ACTORS))
    imported = ScenarioSpec.from_dict(data).events

    def key(e):
        return e.round, e.source, e.target, e.cameo, e.goldstein, e.note

    assert [key(e) for e in imported] == [key(e) for e in tokyo.events]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("date,source,target,cameo", "2014-03-18,Japan,Russia,164"),
        ("SQLDATE\tActor1Name\tActor2Name\tEventCode", "20140318\tJAPAN\tRUSSIA\t164"),  # GDELT-like, tab-separated
        ("Event Date;Source Name;Target Name;CAMEO Code", "2014-03-18;Japan;Russia;164"),  # ICEWS-like, semicolons
        ("Actor1Code,Actor2Code,EventCode,SQLDATE,NumMentions", "JPN,RUS,164,20140318,12"),  # codes as actors
    ],
)
def test_common_header_spellings(tmp_path, header, row):
    path = tmp_path / "record.csv"
    path.write_text(f"{header}\n{row}\n")
    actors = {"japan": "japan", "russia": "russia", "JPN": "japan", "RUS": "russia"}
    [entry] = read_events(path, actors)
    assert (entry["source"], entry["target"], entry["cameo"]) == ("japan", "russia", "164")
    assert entry["note"] == "record.csv line 2"


def test_weight_column_scales_the_code(tmp_path):
    path = tmp_path / "record.csv"
    path.write_text("date,source,target,cameo,weight\n2014-03,JAPAN,RUSSIA,163,0.5\n2014-04,JAPAN,RUSSIA,163,\n")
    entries = read_events(path, {"japan": "japan", "russia": "russia"})
    assert entries[0]["weight"] == 0.5 and "weight" not in entries[1]
    data = small_scenario(calendar_start="2014-01")
    data["events"] = read_events(path, {"japan": "north", "russia": "south"})
    assert [e.goldstein for e in ScenarioSpec.from_dict(data).events] == [-4.0, -8.0]


@pytest.mark.parametrize(
    ("rows", "where", "allowed"),
    [
        ("2014-03-18,JAPAN,CHINA,164", "line 3, target", "an actor named in the mapping"),
        ("2014-03-18,JAPAN,RUSIA,164", "line 3, target", "did you mean 'russia'"),
        ("2014-03-18,JAPAN,RUSSIA,999", "line 3, cameo", "CAMEO code"),
        ("2014-03-18,JAPAN,RUSSIA,36", "line 3, cameo", "did you mean '036'"),
        ("18/03/2014,JAPAN,RUSSIA,164", "line 3, date", "'YYYY-MM-DD'"),
        ("2014-03-18,JAPAN,JAPAN,164", "line 3, target", "another country"),
        ("2014-03-18,JAPAN,RUSSIA,164,heavy", "line 3, weight", "a number ≥ 0"),
        ("2014-03-18,JAPAN,RUSSIA,164,2", "line 3, weight", "within [-10, 10]"),
    ],
)
def test_record_mistakes_name_file_line_and_column(tmp_path, rows, where, allowed):
    path = tmp_path / "record.csv"
    path.write_text(f"date,source,target,cameo,weight\n2014-03-01,JAPAN,RUSSIA,036,1\n{rows}\n")
    with pytest.raises(ScenarioError) as caught:
        read_events(path, {"JAPAN": "japan", "RUSSIA": "russia"})
    assert caught.value.path == f"{path} {where}"
    assert allowed in caught.value.allowed


def test_record_without_the_needed_columns(tmp_path):
    path = tmp_path / "record.csv"
    path.write_text("when,who,whom\n2014,a,b\n")
    with pytest.raises(ScenarioError, match="missing: date, source, target, cameo"):
        read_events(path, {})
    with pytest.raises(ScenarioError, match="a readable file"):
        read_events(tmp_path / "absent.csv", {})
