"""Batches across parameters: a point run inside a batch gives exactly the tables it gives alone (same seed, same
bits), over random scenarios and random batch compositions; what a batch cannot vary is refused in one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.io.library import scenario_data
from sim.io.synthetic import synthetic_scenario
from sim.model.errors import ScenarioError
from sim.model.plan.batch import batch_values
from sim.model.run import simulate, simulate_points
from sim.model.scenario.keypaths import leaves, with_values

BEHAVIOUR = ["trust_gain", "trust_loss", "forgiveness", "drift", "reliability", "hawkishness", "memory"]


def alone_equals_batch(base: dict, points: list[dict], seeds: list[int], rounds: int) -> None:
    batch = simulate_points(base, points, seeds, rounds=rounds).tables()
    for r, (point, seed) in enumerate(zip(points, seeds, strict=True)):
        for name, table in simulate(with_values(base, point, create=True), seed=seed, rounds=rounds).tables().items():
            mine = batch[name]
            if "replicate" in mine:
                mine = mine[mine["replicate"] == r].reset_index(drop=True).assign(replicate=0)
            pd.testing.assert_frame_equal(table, mine, check_exact=True, check_categorical=False, obj=f"{name}[{r}]")


def keys_of(data: dict) -> dict[str, st.SearchStrategy]:
    """Every value of ``data`` a batch may vary, with the values it may take."""
    unit, out = st.floats(0.02, 0.98), {}
    for b in BEHAVIOUR:
        out[f"ministry_defaults.{b}"] = unit
    out["ministry_defaults.concession"] = st.floats(0.25, 4.0)
    out |= {"shock_scale": unit, "spillover": unit}
    for path, value in leaves(data):
        last = path.rsplit(".", 1)[-1]
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if last in ("hawkishness", "reliability", "trust_gain", "trust_loss", "severity", "benefit", "exposure"):
            out[path] = unit
        elif last == "concession":
            out[path] = st.floats(0.25, 4.0)
        elif ".confidence" in path:
            out[path] = unit
    for t in data.get("talks", {}):
        out[f"talks.{t}.confidence_effect"] = st.floats(0.0, 4.0)
        out[f"talks.{t}.discount"] = st.floats(0.5, 0.99)
        out[f"talks.{t}.horizon"] = st.integers(2, 40)
    return out


@st.composite
def batches(draw):
    data = synthetic_scenario(
        draw(st.integers(2, 4)), seed=draw(st.integers(0, 999)), talks_share=draw(st.sampled_from([0.0, 1.0]))
    )
    choices = keys_of(data)
    keys = draw(st.lists(st.sampled_from(sorted(choices)), min_size=1, max_size=6, unique=True))
    size = draw(st.integers(1, 4))
    points = [{k: draw(choices[k]) for k in keys} for _ in range(size)]
    seeds = draw(st.lists(st.integers(0, 2**32), min_size=size, max_size=size))
    return data, points, seeds


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_a_point_in_a_batch_is_the_point_alone(batch):
    data, points, seeds = batch
    alone_equals_batch(data, points, seeds, rounds=10)


def test_tokyo_points_of_every_kind_are_themselves_in_a_batch():
    """tokyo_2013 with behaviour, confidence, spill-over, shock scale, the talks' pace and an event's weight varied
    at once: every table of every point equals the point run alone."""
    base, rng = scenario_data("tokyo_2013"), np.random.default_rng(1)
    points = [
        {
            "ministry_defaults.trust_gain": float(rng.uniform(0.05, 0.3)),
            "countries.japan.ministries.leader.hawkishness": float(rng.uniform(0.1, 0.9)),
            "countries.russia.ministries.leader.confidence.japan": float(rng.uniform(0.15, 0.6)),
            "shock_scale": float(rng.uniform(0.2, 1.0)),
            "spillover": float(rng.uniform(0.0, 0.6)),
            "talks.peace_treaty.confidence_effect": float(rng.uniform(0.0, 4.0)),
            "talks.peace_treaty.horizon": int(rng.integers(10, 50)),
            "events.2.weight": float(rng.uniform(0.2, 1.2)),
        }
        for _ in range(5)
    ]
    alone_equals_batch(base, points, [11, 12, 13, 14, 15], rounds=40)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("countries.japan.ministries.leader.influence", 0.3, "leaves the scenario's structure as it is"),
        ("countries.japan.ministries.leader.priorities.islands", 2.0, "leaves the scenario's structure as it is"),
        ("countries.japan.ministries.leader.hawkishness", 1.5, r"hawkishness: got 1.5; allowed: a number in \[0, 1\]"),
        ("countries.japan.ministries.leader.veto", False, "leaves the scenario's structure as it is"),
    ],
)
def test_what_a_batch_cannot_vary_is_refused(key, value, message):
    base = scenario_data("tokyo_2013")
    with pytest.raises(ScenarioError, match=message):
        simulate_points(base, [{key: value}, {key: value}], [1, 2], rounds=2)


def test_points_change_the_same_values_and_have_a_seed_each():
    base = scenario_data("tokyo_2013")
    with pytest.raises(ScenarioError, match=r"points\[1\]"):
        simulate_points(base, [{"shock_scale": 0.2}, {"spillover": 0.2}], [1, 2])
    with pytest.raises(ScenarioError, match="one seed per point"):
        simulate_points(base, [{"shock_scale": 0.2}], [1, 2])
    with pytest.raises(ScenarioError, match="a scenario without dated changes"):
        simulate_points(scenario_data("tokyo_2013_decade"), [{"shock_scale": 0.2}], [1])


def test_each_batch_is_checked_where_a_path_lands_is_known_already():
    """Where a key path lands is found once per scenario; every batch still checks its own smallest and largest
    values, so a value out of range is refused however many batches of the scenario ran before."""
    base = scenario_data("tokyo_2013")
    batch_values(base, [{"shock_scale": 0.3}, {"shock_scale": 0.5}])
    with pytest.raises(ScenarioError, match=r"shock_scale: got 1.5; allowed: a number in \[0, 1\]"):
        batch_values(base, [{"shock_scale": 0.3}, {"shock_scale": 1.5}])
    _, values = batch_values(base, [{"shock_scale": 0.2}, {"shock_scale": 0.9}])
    assert values.shock_scale.tolist() == [0.2, 0.9]


def test_two_paths_that_set_one_value_are_refused():
    """A default and a ministry's own value of the same behaviour (added by the point) both set that ministry's value:
    which one holds would depend on their order, so the batch refuses the pair."""
    base = scenario_data("tokyo_2013")
    points = [
        {"ministry_defaults.trust_gain": v, "countries.japan.ministries.leader.trust_gain": v} for v in (0.1, 0.2)
    ]
    with pytest.raises(ScenarioError, match="these two set the same one"):
        batch_values(base, points)
