"""Sampled designs: Latin hypercube and Sobol' points over named config values, checked and reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.errors import ScenarioError
from sim.study.designs import parse_design

RANGES = {"scenario": {"shock_scale": [0.2, 0.8], "talks": {"peace_treaty": {"horizon": [10, 40]}}}}


def design(**changes):
    return parse_design({"method": "lhs", "samples": 50, "seed": 3, "ranges": RANGES} | changes)


@given(samples=st.integers(2, 200), seed=st.integers(0, 2**32))
def test_a_latin_hypercube_puts_one_point_in_each_slice_of_each_range(samples, seed):
    points = design(samples=samples, seed=seed, ranges={"x": [0.0, 1.0], "y": [-2.0, 3.0]}).points()
    for key, (low, high) in {"x": (0.0, 1.0), "y": (-2.0, 3.0)}.items():
        values = np.array([p[key] for p in points])
        slices = np.floor((values - low) / (high - low) * samples).astype(int)
        assert sorted(slices) == list(range(samples))


def test_points_are_named_by_their_config_key_whole_where_the_bounds_are_and_reproducible():
    points = design().points()
    assert len(points) == 50 and set(points[0]) == {"scenario.shock_scale", "scenario.talks.peace_treaty.horizon"}
    assert all(isinstance(p["scenario.talks.peace_treaty.horizon"], int) for p in points)
    assert all(10 <= p["scenario.talks.peace_treaty.horizon"] <= 40 for p in points)
    assert design().points() == points and design(seed=4).points() != points


def test_sobol_points_fill_the_space_at_powers_of_two():
    points = design(method="sobol", samples=64).points()
    values = np.array([p["scenario.shock_scale"] for p in points])
    assert len(points) == 64 and values.min() >= 0.2 and values.max() <= 0.8
    counts, _ = np.histogram(values, bins=8, range=(0.2, 0.8))
    assert counts.min() >= 6  # even filling: 8 per bin expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "grid"}, "design.method: got 'grid'; allowed: one of lhs, sobol"),
        ({"method": "sobol", "samples": 50}, "a power of 2"),
        ({"samples": 1}, "design.samples: got 1"),
        ({"ranges": {}}, "at least one config value"),
        ({"ranges": {"x": [1, 0]}}, "low < high"),
        ({"ranges": {"x": 3}}, "bounds [low, high]"),
        ({"seed": -1}, "design.seed: got -1"),
        ({"spread": 2}, "design.spread"),
    ],
)
def test_bad_designs_name_the_key(changes, message):
    with pytest.raises(ScenarioError) as error:
        design(**changes)
    assert message in str(error.value)
