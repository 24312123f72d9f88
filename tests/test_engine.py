"""The engine against its invariants, its theory and its promises of reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small_scenario
from hypothesis import given
from hypothesis import strategies as st

from sim.model.engine.engine import Engine
from sim.model.plan.compiled import plan_for
from sim.model.record.records import ACTION_LABELS
from sim.model.record.result import RunResult
from sim.model.run import replicate_seeds, simulate, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec

unit = st.floats(0.0, 1.0)


def test_full_tokyo_run(tokyo):
    """The default scenario runs end to end: every table is filled and the summary is consistent with them."""
    result = simulate(tokyo)
    tables = result.tables()
    assert len(tables["country_confidence"]) == 41 * 2
    assert len(tables["ministry_confidence"]) == 41 * 18
    assert set(tables["meetings"]["format"]) == {f.name for f in tokyo.formats}
    assert len(tables["events"]) == len(tokyo.events)
    summary = result.summary
    assert summary["counts"]["meetings"] == tables["meetings"]["held"].sum()
    assert summary["counts"]["offers"] + summary["counts"]["positions"] == (tables["offers"]["kind"] != "silent").sum()
    assert summary["talks"][0]["parties"] == ["japan", "russia"]
    for table in tables.values():
        assert not table.select_dtypes("number").isna().any().any()


def test_same_seed_same_tables_other_seed_differs(tokyo):
    a, b, c = simulate(tokyo, seed=5), simulate(tokyo, seed=5), simulate(tokyo, seed=6)
    for name, table in a.tables().items():
        assert table.equals(b.tables()[name]), name
    assert not a.agenda.equals(c.agenda)


def test_names_in_the_tables_are_categoricals_of_the_scenarios_names(tokyo):
    """Categories come from the scenario, not from what happened: an agenda with no rows has them too."""
    countries = sorted(c.name for c in tokyo.countries)
    before = RunResult.of(Engine(plan_for(tokyo), [np.random.default_rng(5)]).record([5]))  # round 0: no meetings
    for result in (before, simulate(tokyo, seed=5, rounds=12)):
        assert list(result.country_confidence["counterpart"].cat.categories) == countries
        assert list(result.ministry_confidence["ministry"].cat.categories) == sorted({m.name for m in tokyo.ministries})
        assert list(result.agenda["action"].cat.categories) == sorted(ACTION_LABELS)
        assert list(result.agenda["actor"].cat.categories) == countries
    assert len(before.agenda) == 0 < len(result.agenda)


def test_replicate_alone_equals_replicate_in_a_batch(tokyo):
    """Serial or vectorised, a seed gives the same history (each replicate draws from its own generator)."""
    seeds = replicate_seeds(11, 6)
    batch = simulate_ensemble(tokyo, seeds, rounds=30)
    for k in (0, 5):
        alone = simulate(tokyo, seed=seeds[k], rounds=30)
        assert np.array_equal(alone.ministry_states[:, 0], batch.ministry_states[:, k])
        mine = batch.agenda[batch.agenda["replicate"] == k].drop(columns="replicate").reset_index(drop=True)
        assert alone.agenda.drop(columns="replicate").equals(mine)


def test_replicate_seeds_are_spawned_and_stable():
    assert replicate_seeds(3, 4) == replicate_seeds(3, 4)
    assert len(set(replicate_seeds(3, 100))) == 100
    assert replicate_seeds(3, 2) != replicate_seeds(4, 2)


@given(
    confidence=unit,
    gain=unit,
    loss=unit,
    forgiveness=unit,
    hawkishness=unit,
    spillover=unit,
    shock=unit,
    seed=st.integers(0, 2**32),
)
def test_confidence_stays_in_unit_interval(confidence, gain, loss, forgiveness, hawkishness, spillover, shock, seed):
    """Whatever the parameters, confidence stays in [0, 1] and nothing is NaN."""
    data = small_scenario(
        **{
            "ministry_defaults": {
                "confidence": confidence,
                "trust_gain": gain,
                "trust_loss": loss,
                "forgiveness": forgiveness,
                "hawkishness": hawkishness,
            },
            "spillover": spillover,
            "shock_scale": shock,
            "events": [{"round": 3, "source": "north", "target": "south", "cameo": "192"}],
        }
    )
    result = simulate(ScenarioSpec.from_dict(data), seed=seed, rounds=12)
    states = result.ministry_states
    assert np.isfinite(states).all()
    assert (states >= 0).all() and (states <= 1).all()
    assert ((result.country_states >= 0) & (result.country_states <= 1 + 1e-12)).all()


def _first_meeting_adoptions(confidence: float, seed: int) -> int:
    data = small_scenario(**{"ministry_defaults": {"confidence": confidence}})
    plan = plan_for(ScenarioSpec.from_dict(data))
    engine = Engine(plan, [np.random.default_rng(seed)])
    for _ in range(2):  # the calendar meets in round 1
        engine.play_round()
    return sum((a.codes == 0).sum() for a in engine.recorder.actions if a.kind == "cooperation")


@given(low=unit, high=unit, seed=st.integers(0, 1000))
def test_more_confidence_never_fewer_acceptances(low, high, seed):
    """Monotonicity: with everything else equal, raising starting confidence never lowers acceptance of cooperation."""
    low, high = sorted((low, high))
    assert _first_meeting_adoptions(high, seed) >= _first_meeting_adoptions(low, seed)


def test_carrying_out_builds_confidence_and_breaking_destroys_it():
    """Reciprocity: a reliable partner is trusted more over time than an unreliable one (same seed, same calendar)."""
    finals = {}
    for reliability in (0.0, 1.0):
        data = small_scenario(
            **{"ministry_defaults": {"confidence": 0.6, "reliability": reliability, "forgiveness": 0.0}}
        )
        data["formats"]["ministers"]["agenda"] = ["exercise"]
        finals[reliability] = simulate(ScenarioSpec.from_dict(data), rounds=20).country_states[-1, 0, 0, 1]
    assert finals[1.0] > 0.6 > finals[0.0]


def test_drift_returns_to_baseline_between_contacts():
    """With no meetings, a shock decays geometrically back to the baseline (docs/model.md §2.2)."""
    data = small_scenario(
        **{
            "ministry_defaults": {"confidence": 0.5, "drift": 0.1},
            "calendar.talks.start": 1000,
            "events": [{"round": 1, "source": "north", "target": "south", "goldstein": -10}],
        }
    )
    k = simulate(ScenarioSpec.from_dict(data), rounds=30).country_states[:, 0, 1, 0]
    gap = 0.5 - k[1:]
    assert gap[0] == pytest.approx(0.5 * 0.3 * 0.5)  # strength 0.5·10/10 × α⁻ 0.3 × c 0.5
    assert np.allclose(gap[1:] / gap[:-1], 0.9)


def test_hawkish_veto_blocks_ratification():
    """Two-level game: a deal accepted at the table fails at home when a veto holder (here one that never learns to
    trust) demands more than it gives."""
    data = small_scenario(**{"ministry_defaults": {"confidence": 0.9, "concession": 5.0, "hawkishness": 0.0}})
    south = data["countries"]["south"]["ministries"]
    south["foreign"] |= {"influence": 0.1, "hawkishness": 1.0, "confidence": {"north": 0.0}, "trust_gain": 0.0}
    south["defence"] |= {"influence": 0.9, "priorities": {"exercise": 1, "land": 1, "aid": 1}}
    result = simulate(ScenarioSpec.from_dict(data), rounds=40)
    accepted = result.offers[result.offers["accepted"]]
    assert len(accepted) > 0
    assert not (accepted["ratified_by_proposer"] & accepted["ratified_by_responder"]).any()
    assert result.summary["talks"][0]["ratification_failures"] == len(accepted)
    assert not result.summary["settled"]


def test_settlement_is_final_and_signed():
    """A ratified settlement ends the talks: no proposal after it; its terms beat the status quo for both."""
    data = small_scenario(**{"ministry_defaults": {"confidence": 0.9, "hawkishness": 0.0, "concession": 3.0}})
    result = simulate(ScenarioSpec.from_dict(data), rounds=40)
    talks = result.summary["talks"][0]
    assert talks["settled"]
    assert result.offers["round"].max() == talks["settled_round"]
    assert all(u > r for u, r in zip(talks["utility"], talks["reservation"], strict=True))


@pytest.mark.parametrize("every", [1, 3, 0])
def test_recording_ministry_pairs_every_k_rounds(tokyo, every):
    """Ministry pairs every k rounds (or never); country confidence every round, identical either way."""
    full = simulate(tokyo, rounds=12)
    sparse = simulate(tokyo, rounds=12, ministry_every=every)
    expected = list(range(0, 13, every)) if every else []
    assert list(sparse.ministry_rounds) == expected
    assert np.allclose(sparse.country_states, full.country_states)


def test_many_countries_and_bilateral_pairs():
    """The engine serves any number of countries: a 12-country synthetic ring with a forum of all of them."""
    from sim.io.synthetic import synthetic_scenario

    scenario = ScenarioSpec.from_dict(synthetic_scenario(12, seed=1))
    result = simulate(scenario, rounds=24, ministry_every=0)
    assert result.country_states.shape == (25, 1, 12, 12)
    assert set(result.meetings["meeting"]) == {"neighbours", "forum"}
    assert len(result.agenda) > 0


def test_mesa_agents_read_the_engine(tokyo):
    """Countries and ministries are Mesa agents whose confidence is read from the engine, never stored twice."""
    from sim.model.agents.mesa_model import NegotiationModel

    model = NegotiationModel(tokyo, rng=4)
    for _ in range(6):
        model.step()
    japan, russia = model.countries["japan"], model.countries["russia"]
    assert len(model.agents) == 2 + 6 and len(japan.ministries) == 3
    recorded = model.result().country_states[-1, 0]
    assert japan.confidence_in(russia) == pytest.approx(recorded[0, 1])
    foreign = japan.members[1]
    assert foreign.confidence_in(russia) == pytest.approx(
        model.confidence_matrix[foreign.index, [m.index for m in russia.members]] @ russia.influence
    )


@given(st.lists(st.integers(1, 1200), min_size=1, max_size=8), st.integers(1, 3))
def test_draws_are_each_generators_stream_in_order(requests, replicates):
    """However the draws are requested (within a buffer, across its end, more than a block at once), replicate r's
    draws are its generator's stream in order: the buffer changes the cost, never a value."""
    seeds = range(replicates)
    engine = Engine(plan_for(ScenarioSpec.from_dict(small_scenario())), [np.random.default_rng(s) for s in seeds])
    drawn = np.concatenate([engine.dice.take(n) for n in requests], axis=1)
    expected = np.stack([np.random.default_rng(s).random(sum(requests)) for s in seeds])
    assert np.array_equal(drawn, expected)
