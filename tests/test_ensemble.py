"""Statistics of ensembles of confidence trajectories: bands, recovery from the largest fall and from a scheduled
shock."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.model.scenario.specs import Event
from sim.study.ensemble import bands, recovery, shock_recovery

PAIRS = [("japan", "russia"), ("russia", "japan")]


def test_bands_are_the_quantiles_over_replicates():
    cube = np.zeros((101, 3, 2))
    cube[:, :, 0] = np.linspace(0, 1, 101)[:, None]  # replicate r holds r / 100 in every round
    cube[:, :, 1] = 0.4
    table = bands([cube], PAIRS)
    assert list(table.columns) == ["round", "country", "counterpart", "q05", "median", "q95"]
    assert len(table) == 3 * 2
    first = table[(table["country"] == "japan")]
    assert first["q05"].to_numpy() == pytest.approx([0.05] * 3)
    assert first["median"].to_numpy() == pytest.approx([0.5] * 3)
    assert first["q95"].to_numpy() == pytest.approx([0.95] * 3)
    assert (table.loc[table["country"] == "russia", ["q05", "median", "q95"]].to_numpy() == 0.4).all()


def test_bands_are_the_same_in_blocks_of_pairs_from_batches():
    rng = np.random.default_rng(1)
    cube = rng.random((50, 7, 5))
    pairs = [(f"a{k}", f"b{k}") for k in range(5)]
    whole = bands([cube], pairs)
    assert bands([cube[:20], cube[20:35], cube[35:]], pairs, memory=50 * 7 * 8 * 2).equals(whole)


def test_recovery_finds_the_largest_fall_and_the_rounds_to_climb_back():
    path = [0.5, 0.5, 0.2, 0.3, 0.45, 0.5, 0.6]  # falls by 0.3 at round 2, back at 0.5 in round 5
    never = [0.5, 0.35, 0.3, 0.3, 0.3, 0.3, 0.3]  # largest fall at round 1 (0.15), never back
    cube = np.stack([np.stack([path, never], axis=-1), np.stack([never, path], axis=-1)])
    table = recovery(cube, PAIRS)
    assert table.loc[0, "fall_round.japan.russia"] == 2
    assert table.loc[0, "fall_size.japan.russia"] == pytest.approx(0.3)
    assert table.loc[0, "recovery_rounds.japan.russia"] == 3
    assert table.loc[0, "fall_round.russia.japan"] == 1
    assert np.isnan(table.loc[0, "recovery_rounds.russia.japan"])
    assert table.loc[1, "recovery_rounds.russia.japan"] == 3


def test_recovery_is_undefined_when_confidence_never_fell():
    """Rising or flat confidence has no fall to recover from: NaN round and recovery, a fall of 0 (not negative)."""
    rising = [0.3, 0.35, 0.5, 0.5, 0.6]
    flat = [0.4] * 5
    table = recovery(np.stack([np.stack([rising, flat], axis=-1)]), PAIRS)
    for pair in ("japan.russia", "russia.japan"):
        assert np.isnan(table.loc[0, f"fall_round.{pair}"])
        assert np.isnan(table.loc[0, f"recovery_rounds.{pair}"])
        assert table.loc[0, f"fall_size.{pair}"] == 0.0


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 8), st.just(2)), elements=st.floats(0, 1)))
def test_bands_are_ordered_and_recovery_is_after_the_fall(cube):
    table = bands([cube], PAIRS)
    assert (table["q05"] <= table["median"] + 1e-12).all() and (table["median"] <= table["q95"] + 1e-12).all()
    back = recovery(cube, PAIRS)
    assert len(back) == cube.shape[0]
    fell = back["fall_round.japan.russia"].notna()
    assert (back.loc[fell, "fall_round.japan.russia"] >= 1).all() and (back["fall_size.japan.russia"] >= 0).all()
    assert (back.loc[fell, "fall_round.japan.russia"] < cube.shape[1]).all()
    rounds = back["recovery_rounds.japan.russia"].dropna()
    assert (rounds >= 0).all()
    after = back.loc[fell, "fall_round.japan.russia"] + back.loc[fell, "recovery_rounds.japan.russia"].fillna(0)
    assert (after < cube.shape[1]).all()
    assert back.loc[~fell, "recovery_rounds.japan.russia"].isna().all()


def test_shock_recovery_measures_the_scheduled_shock_not_the_largest_fall():
    """Japan's confidence in Russia: a shock in round 2 (0.5 → 0.4, back in round 4), then a larger fall in round 5
    that never heals. The largest fall is round 5's; the shock's own recovery takes 2 rounds."""
    japan = [0.5, 0.5, 0.4, 0.45, 0.5, 0.2, 0.2]
    cube = np.stack([np.stack([japan, [0.5] * 7], axis=-1)])
    shock = Event(2, "russia.defence", "japan", -7.2, "150", "exercises")
    events = [Event(1, "russia", "japan", -2.0, "111", "criticism"), shock, Event(3, "japan", "russia", 4.0, "051", "")]
    table = shock_recovery(cube, PAIRS, events)
    assert list(table.columns) == [
        "shock_round.japan.russia",
        "shock_fall.japan.russia",
        "shock_recovery_rounds.japan.russia",
    ]
    assert table.iloc[0].tolist() == pytest.approx([2, 0.1, 2])
    assert np.isnan(recovery(cube, PAIRS).loc[0, "recovery_rounds.japan.russia"])  # the largest fall's
    unhealed = shock_recovery(cube, PAIRS, [Event(5, "russia", "japan", -9.0, None, "")])
    assert np.isnan(unhealed.loc[0, "shock_recovery_rounds.japan.russia"])
    late = shock_recovery(cube, PAIRS, [Event(9, "russia", "japan", -9.0, None, "")])  # after the last round
    assert late.loc[0, ["shock_fall.japan.russia", "shock_recovery_rounds.japan.russia"]].isna().all()
