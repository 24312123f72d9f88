"""The model's acts as event data (docs/model.md §3.1): every act an event with its CAMEO code and Goldstein value,
derived from the run's record without touching the engine, and reduced like an observed record."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from sim import load_scenario, read_events, simulate, simulate_ensemble
from sim.io.run_output import write_run
from sim.model.cameo import goldstein_table
from sim.model.errors import ScenarioError
from sim.model.record.acts import ACT_COLUMNS, acts_table, event_records, generated_acts, period_summaries
from sim.model.scenario.specs import ACT_CAMEO

VALUE = {c: e.goldstein for c, e in goldstein_table().items()}


@pytest.fixture(scope="module")
def settled():
    """tokyo_1956_formula settles within 120 rounds: offers, a signed deal, the sanctions imposed."""
    return simulate(load_scenario("tokyo_1956_formula"), seed=2013, rounds=120)


def test_every_agenda_action_and_offer_is_an_event_with_its_code_and_value(settled):
    table = acts_table(settled)
    assert list(table.columns) == ACT_COLUMNS
    agenda = table[table["act"].isin(settled.agenda["action"].unique())]
    done = settled.agenda["action"].value_counts()
    assert agenda["act"].value_counts().sort_index().equals(done[done > 0].sort_index())
    offers = settled.offers
    for kind in ("offer", "position"):  # each proposal tabled is an act; so is each refusal, by the responder
        assert (table["act"] == kind).sum() == (offers["kind"] == kind).sum()
    refused = offers[(offers["kind"] != "silent") & ~offers["accepted"]]
    assert table["act"].isin(["declined", "criticised"]).sum() == len(refused) > 0
    assert (table["act"] == "criticised").sum() == (refused["answer"] == "outside_win_set").sum()
    coded = table[table["act"] != "imposed"]
    mapped = coded[coded["act"] != "event"]
    assert (mapped["cameo"] == mapped["act"].map(ACT_CAMEO)).all()
    assert np.allclose(mapped["goldstein"], mapped["cameo"].map(VALUE))
    assert (table["act"] == "signed").sum() == 2  # one ratified deal: each side towards the other
    assert set(table.loc[table["act"] == "signed", "cameo"]) == {"057"}
    assert table["date"].iloc[0] == "2013-11"  # round 1 of a scenario starting in November 2013


def test_events_that_struck_and_measures_keep_their_own_codes(tokyo):
    result = simulate(tokyo, seed=2013, rounds=40)
    table = acts_table(result)
    struck = table[table["act"] == "event"]
    assert len(struck) == len(result.events)
    assert (struck["cameo"].to_numpy() == result.events["cameo"].to_numpy()).all()
    imposed = table[table["act"] == "imposed"]
    assert list(imposed["cameo"]) == ["163"] and imposed["goldstein"].iloc[0] == VALUE["163"]  # Japan's sanctions
    assert imposed["round"].iloc[0] == result.measures["round"].min()


def test_a_measure_lifted_or_ended_within_the_run():
    data = small_scenario(
        measures={
            "embargo": {"source": "north", "target": "south", "cameo": "163", "from": 2, "until": 5},
            "joint_fund": {"source": "south", "target": "north", "cameo": "061", "from": 3, "until": 6},
        }
    )
    table = acts_table(simulate(load_scenario(data), seed=1, rounds=8))
    rows = table[table["act"].isin(["imposed", "lifted", "ended"])][["round", "act", "cameo", "source"]]
    assert rows.values.tolist() == [
        [2, "imposed", "163", "north"],
        [3, "imposed", "061", "south"],
        [5, "lifted", ACT_CAMEO["lifted"], "north"],
        [6, "ended", ACT_CAMEO["ended"], "south"],
    ]


def test_a_rejection_at_home_is_an_act_of_the_rejecting_side():
    data = small_scenario(**{"countries.south.quota": 1.0, "talks.border.horizon": 2})
    data["countries"]["south"]["ministries"]["defence"]["hawkishness"] = 1.0
    result = simulate(load_scenario(data), seed=3, rounds=30)
    table = acts_table(result)
    offers = result.offers
    for side, by in (("proposer", "ratified_by_proposer"), ("responder", "ratified_by_responder")):
        rejected = offers[offers["accepted"] & ~offers[by]]
        expected = sorted(zip(rejected["round"], rejected[side], strict=True))
        got = table[(table["act"] == "rejected") & table["source"].isin(rejected[side])]
        assert sorted(zip(got["round"], got["source"], strict=True)) >= expected
    assert (table["act"] == "rejected").sum() == (offers["accepted"] & ~offers["ratified_by_proposer"]).sum() + (
        offers["accepted"] & ~offers["ratified_by_responder"]
    ).sum()


def test_the_scenario_chooses_the_codes():
    data = small_scenario(acts={"carried_out": "062", "raised": "112"})
    spec = load_scenario(data)
    assert spec.acts["carried_out"] == "062" and spec.acts["broke"] == ACT_CAMEO["broke"]
    table = acts_table(simulate(spec, seed=1, rounds=10))
    assert set(table.loc[table["act"] == "carried_out", "cameo"]) == {"062"}
    assert set(table.loc[table["act"] == "raised", "goldstein"]) == {VALUE["112"]}


@pytest.mark.parametrize(
    ("acts", "message"),
    [
        ({"carried_out": "999"}, "scenario.acts.carried_out: got '999'; allowed: a CAMEO code"),
        ({"carried_out": 62}, "scenario.acts.carried_out: got 62; allowed: a CAMEO code"),
        ({"caried_out": "062"}, "did you mean 'carried_out'?"),
        ("062", "scenario.acts: got '062'"),
    ],
)
def test_a_bad_code_or_kind_is_one_clear_line(acts, message):
    with pytest.raises(ScenarioError) as error:
        load_scenario(small_scenario(acts=acts))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_codes_never_change_the_run():
    plain = simulate(load_scenario(small_scenario()), seed=5, rounds=20)
    recoded = simulate(load_scenario(small_scenario(acts={"accepted": "036", "broke": "1621"})), seed=5, rounds=20)
    pd.testing.assert_frame_equal(plain.country_confidence, recoded.country_confidence)
    pd.testing.assert_frame_equal(plain.agenda, recoded.agenda)


def test_a_replicate_has_the_same_acts_alone_or_in_a_batch(tokyo):
    batch = acts_table(simulate_ensemble(tokyo, [11, 12, 13], rounds=24))
    for r, seed in enumerate([11, 12, 13]):
        alone = acts_table(simulate(tokyo, seed=seed, rounds=24))
        mine = batch[batch["replicate"] == r].assign(replicate=0).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_period_summaries_by_hand():
    series = period_summaries(
        np.array([0, 0, 0, 1, 0, 0]),
        np.array([1, 2, 3, 1, 1, 9]),
        np.array(["a.leader", "a", "b", "a", "a", "a"], dtype=object),
        np.array(["b", "b", "a.foreign", "b", "outside", "b"], dtype=object),
        np.array([5.0, -4.0, 2.0, -1.0, 3.0, 7.0]),
        replicates=2,
        pairs=[("a", "b"), ("b", "a")],
        rounds=4,
        period=2,
    )
    assert series.shape == (2, 2, 2, 3)
    assert series[0, 0, 0].tolist() == [1.0, 1, 1]  # a → b in rounds 1–2: +5 and −4
    assert series[0, 1, 1].tolist() == [2.0, 1, 0]  # b → a.foreign in round 3
    assert series[1, 0, 0].tolist() == [-1.0, 0, 1]
    assert series.sum() == pytest.approx(3 + 3 + 0)  # the outside actor and round 9 are left out


def test_generated_events_read_back_as_an_event_record_and_reduce_alike(tmp_path, tokyo):
    result = simulate(tokyo, seed=4, rounds=30)
    table = acts_table(result)
    path = tmp_path / "generated.csv"
    event_records(table).to_csv(path, index=False)
    entries = read_events(path, {a: a for a in ("japan", "russia", "japan.leader", "russia.leader", "russia.defence")})
    assert len(entries) == len(table[table["cameo"] != ""])
    assert [e["cameo"] for e in entries] == list(table.loc[table["cameo"] != "", "cameo"])
    acts = generated_acts(result)
    pairs = result.country_pairs
    generated = period_summaries(
        acts.replicate, acts.round, acts.source, acts.target, acts.goldstein, replicates=1, pairs=pairs, rounds=30
    )
    from sim.study.calibration.observed import observed_series

    assert np.allclose(observed_series(path, None, tokyo, 30, 1), generated[0])


def test_a_run_writes_its_acts(tmp_path):
    result = simulate(load_scenario("tokyo_2013"), rounds=5)
    out = write_run(result, tmp_path / "run", plot=False)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "events_generated.parquet"), acts_table(result))
