"""Scenario discovery: PRIM finds a known box, CART agrees, bad inputs get one line (library and command)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench", reason="install the discover extra: pip install -e '.[discover]'")

from conftest import run_here

from sim.cli.main import main
from sim.io.atomic import write_manifest
from sim.model.errors import ScenarioError
from sim.study.aggregate import write_grid
from sim.study.discovery import MIN_SAMPLES, _choose, discover, read_sweep, write_discovery

BOX = {"concession": (1.0, 3.0), "initial_confidence": (0.45, 1.0)}  # the outcome holds exactly inside
TOLERANCE = 0.08  # of each input's range: PRIM peels 5% slices, so bounds land within about one slice


def synthetic(n: int = 600, seed: int = 5) -> pd.DataFrame:
    """A sampled design over three inputs whose outcome is 1 exactly inside :data:`BOX`; ``noise`` plays no part."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "initial_confidence": rng.uniform(0.0, 1.0, n),
            "concession": rng.uniform(0.25, 4.0, n),
            "noise": rng.uniform(0.0, 1.0, n),
        }
    )
    inside = np.ones(n, bool)
    for name, (low, high) in BOX.items():
        inside &= table[name].between(low, high)
    return table.assign(settlement_probability=inside.astype(float))


def test_prim_recovers_a_known_box():
    table = synthetic()
    inputs = ["initial_confidence", "concession", "noise"]
    found = discover(table, inputs, "settlement_probability", threshold=0.5, min_density=0.95)
    box = found.box.set_index("parameter")
    assert set(box.index) <= set(BOX) and "concession" in box.index and "initial_confidence" in box.index
    for name, (low, high) in BOX.items():
        span = table[name].max() - table[name].min()
        found_low = box.loc[name, "low"] if np.isfinite(box.loc[name, "p_low"]) else table[name].min()
        found_high = box.loc[name, "high"] if np.isfinite(box.loc[name, "p_high"]) else table[name].max()
        assert abs(found_low - max(low, table[name].min())) <= TOLERANCE * span, (name, found_low)
        assert abs(found_high - min(high, table[name].max())) <= TOLERANCE * span, (name, found_high)
    step = found.trajectory.iloc[found.chosen]
    assert step["density"] >= 0.95 and step["coverage"] >= 0.8
    assert (box["p_low"].dropna() < 1e-3).all()  # each restriction matters
    best_leaf = found.tree.sort_values("density").iloc[-1]
    assert best_leaf["density"] == 1.0  # CART isolates the same region


def test_the_outcome_may_hold_below_a_threshold_or_be_true_or_false():
    table = synthetic().assign(long=lambda d: 1.0 - d["settlement_probability"])
    below = discover(table, ["initial_confidence", "concession"], "long", threshold=0.5, below=True)
    flags = table.assign(settled=table["settlement_probability"] > 0.5)
    flagged = discover(flags, ["initial_confidence", "concession"], "settled")
    assert below.rule == "long ≤ 0.5" and flagged.rule == "settled"
    pd.testing.assert_frame_equal(below.box, flagged.box)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": "settlement_probabilty"}, "did you mean 'settlement_probability'"),
        ({"threshold": 2.0}, "some samples where settlement_probability ≥ 2 and some not"),
        ({"threshold": None}, "threshold: got None; allowed: a number"),
        ({"rows": MIN_SAMPLES - 1}, f"at least {MIN_SAMPLES} samples"),
    ],
)
def test_bad_inputs_get_one_clear_line(change, message):
    table = synthetic().head(change.pop("rows", 600))
    arguments = {"outcome": "settlement_probability", "threshold": 0.5} | change
    outcome = arguments.pop("outcome")
    with pytest.raises(ScenarioError, match=message):
        discover(table, ["initial_confidence", "concession"], outcome, **arguments)


def fake_sweep(tmp_path, swept=("initial_confidence", "concession", "noise")):
    """A sweep folder with only its grid's record of the swept keys and an aggregate, as negsim discover reads it;
    ``other`` varies between cells but was not swept (a statistic, say)."""
    folder = tmp_path / "sweep" / "aggregate"
    folder.mkdir(parents=True)
    cells = synthetic(400).assign(cell=lambda d: [f"c{k}" for k in range(len(d))], status="complete")
    cells.assign(other=np.linspace(0, 1, len(cells))).to_parquet(folder / "cells.parquet", index=False)
    write_manifest(folder)
    write_grid(tmp_path / "sweep", [], swept)
    return tmp_path / "sweep"


def test_the_inputs_are_the_keys_the_sweep_recorded_as_swept(tmp_path):
    table, inputs = read_sweep(fake_sweep(tmp_path), "settlement_probability")
    assert inputs == ["initial_confidence", "concession", "noise"] and len(table) == 400


def test_a_sweep_that_did_not_record_its_swept_keys_is_refused_in_one_line(tmp_path):
    sweep = fake_sweep(tmp_path, swept=None)
    with pytest.raises(
        ScenarioError, match=r"does not record which keys were swept; allowed: .*rerun its negsim sweep"
    ):
        read_sweep(sweep, "settlement_probability")


def test_the_command_writes_the_boxes_and_the_figures(tmp_path):
    sweep = fake_sweep(tmp_path)
    done = run_here("discover", str(sweep), "outcome=settlement_probability", "threshold=0.5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = sweep / "discovery" / "settlement_probability"
    boxes = json.loads((out / "boxes.json").read_text())
    assert boxes["rule"] == "settlement_probability ≥ 0.5"
    assert {r["parameter"] for r in boxes["chosen"]["restrictions"]} == set(BOX)
    for name in ("peeling.png", "box.png"):
        assert (out / name).stat().st_size > 10_000
    assert "concession:" in done.stdout and "initial_confidence:" in done.stdout
    bad = run_here("discover", str(sweep), "outcome=nope", "threshold=0.5", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "outcome: got 'nope'" in bad.stderr


def test_writing_replaces_an_older_discovery_whole(tmp_path):
    table = synthetic()
    found = discover(table, ["initial_confidence", "concession"], "settlement_probability", threshold=0.5)
    first = write_discovery(found, tmp_path / "d")
    (first / "stale.txt").write_text("old")
    again = write_discovery(found, tmp_path / "d")
    assert not (again / "stale.txt").exists() and (again / "boxes.json").exists()


def test_of_the_steps_with_the_highest_coverage_the_densest_is_chosen():
    """Peeling a slice of misses keeps a box's coverage and raises its density: the step before is dominated."""
    trajectory = pd.DataFrame(
        {
            "coverage": [1.0, 1.0, 1.0, 1.0, 0.9, 0.5],
            "density": [0.5, 0.80, 0.85, 0.94, 0.99, 1.0],
            "mass": [1.0, 0.9, 0.8, 0.7, 0.6, 0.3],
            "res_dim": [0, 1, 1, 2, 2, 3],
        }
    )
    assert _choose(trajectory, 0.8) == 3
    assert _choose(trajectory, 0.95) == 4
    assert _choose(trajectory.iloc[:4], 0.99) == 3  # none reaches 0.99: the densest


def noisy(n: int = 400, flipped: float = 0.3, seed: int = 3) -> pd.DataFrame:
    """:func:`synthetic` with a share of the outcomes flipped: no box is much denser than 1 − ``flipped``."""
    table = synthetic(n)
    flip = np.random.default_rng(seed).random(n) < flipped
    return table.assign(
        settlement_probability=np.where(flip, 1 - table["settlement_probability"], table["settlement_probability"])
    )


@pytest.mark.parametrize("min_density", [0.6, 0.7, 0.8])
def test_the_chosen_box_is_dominated_by_no_step_that_reaches_min_density(min_density):
    found = discover(
        noisy(flipped=0.1),
        ["initial_confidence", "concession", "noise"],
        "settlement_probability",
        threshold=0.5,
        min_density=min_density,
    )
    steps, chosen = found.trajectory, found.trajectory.iloc[found.chosen]
    dense = steps[steps["density"] >= min_density]
    better = dense[(dense["coverage"] >= chosen["coverage"]) & (dense["density"] > chosen["density"])]
    assert found.reached and better.empty, better


def test_a_box_that_does_not_reach_min_density_is_said_in_one_line(tmp_path, capsys):
    sweep = fake_sweep(tmp_path)
    cells = pd.read_parquet(sweep / "aggregate" / "cells.parquet")
    noisy_cells = cells.assign(settlement_probability=noisy(len(cells))["settlement_probability"])
    noisy_cells.to_parquet(sweep / "aggregate" / "cells.parquet", index=False)
    write_manifest(sweep / "aggregate")  # the aggregate as negsim would have written it with these outcomes
    main(["discover", str(sweep), "outcome=settlement_probability", "threshold=0.5", "min_density=0.99"])
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("negsim:")]
    boxes = json.loads((sweep / "discovery" / "settlement_probability" / "boxes.json").read_text())
    assert boxes["min_density"] == 0.99 and boxes["min_density_reached"] is False
    assert len(said) == 1 and said[0].startswith("negsim: warning: no peeling step reaches min_density=0.99"), said
    main(["discover", str(sweep), "outcome=settlement_probability", "threshold=0.5", "min_density=0.5"])
    assert "negsim: warning" not in capsys.readouterr().err
