"""Sampled designs through the real `negsim sweep` (run in this process): one cell per point with the usual guarantees,
the swept keys in grid.json for `negsim discover`, and bad designs refused in one line before any cell."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import Done, run_here

from sim.study.designs import parse_design

RANGES = ["+design.ranges.scenario.shock_scale=[0.2,1.0]", "+design.ranges.scenario.talks.peace_treaty.horizon=[6,30]"]
SMALL = ["rounds=6", "sweep.replicates=4", "sweep.name=d"]


def negsim(*args: str, cwd) -> Done:
    """``negsim ARGS`` run in ``cwd``, in this process."""
    return run_here(*args, cwd=cwd)


def points(samples: int) -> list[dict]:
    """The points conf/design/lhs.yaml gives over RANGES (its seed, 2013)."""
    ranges = {"scenario": {"shock_scale": [0.2, 1.0], "talks": {"peace_treaty": {"horizon": [6, 30]}}}}
    return parse_design({"method": "lhs", "samples": samples, "seed": 2013, "ranges": ranges}).points()


def test_a_design_is_one_cell_per_point_times_the_grid_resumable_and_recorded(tmp_path):
    done = negsim("sweep", "design=lhs", "design.samples=3", *RANGES, "seed=1,2", *SMALL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sweep = tmp_path / "multirun" / "d"
    grid = json.loads((sweep / "grid.json").read_text())
    assert grid["swept"] == ["scenario.shock_scale", "scenario.talks.peace_treaty.horizon"]
    values = [{k: v for k, v in c["values"].items() if k != "rounds"} for c in grid["cells"]]
    assert values == points(3) * 2  # the grid's seeds times the design's points: 6 cells
    cells = pd.read_parquet(sweep / "aggregate" / "cells.parquet")
    assert sorted(cells["cell"]) == sorted(c["cell"] for c in grid["cells"])
    assert sorted(cells["cell_seed"]) == [1, 1, 1, 2, 2, 2]  # each point with the seeds of the grid
    assert set(grid["swept"]) <= set(cells.columns)
    assert grid["sampled"] and "negsim discover" in done.stdout and not list((sweep / "aggregate").glob("*.png"))
    plotted = negsim("plot", str(sweep), cwd=tmp_path)  # redrawing a design's figures: none, and where they are
    assert (
        plotted.returncode == 0
        and "negsim discover" in plotted.stdout
        and not list((sweep / "aggregate").glob("*.png"))
    )

    again = negsim("sweep", "design=lhs", "design.samples=3", *RANGES, "seed=1,2", *SMALL, cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.count("— skipped") == 6

    # a point given as a grid value is the same cell: a design changes how cells are chosen, not what they are
    first = points(3)[0]
    single = [f"{k}={v!r}" for k, v in first.items()]
    alone = negsim("sweep", *single, "seed=1", *SMALL, cwd=tmp_path)
    assert alone.returncode == 0 and alone.stdout.count("— skipped") == 1
    assert json.loads((sweep / "grid.json").read_text())["cells"][0]["cell"] == grid["cells"][0]["cell"]


def test_sobol_points_from_a_config_group(tmp_path):
    done = negsim("sweep", "design=sobol", "design.samples=4", "design.seed=7", RANGES[0], *SMALL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    grid = json.loads((tmp_path / "multirun" / "d" / "grid.json").read_text())
    shocks = [c["values"]["scenario.shock_scale"] for c in grid["cells"]]
    assert len(set(shocks)) == 4 and all(0.2 <= s <= 1.0 for s in shocks) and grid["swept"] == ["scenario.shock_scale"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["design=lhs", "+design.ranges.scenario.shok_scale=[0.2,1.0]"], "did you mean 'shock_scale'"),
        (["design=lhs", "+design.ranges.scenario.shock_scale=[1.0,0.2]"], "low < high"),
        (["design=lhs", "design.samples=2.5", RANGES[0]], "design.samples: got 2.5; allowed: a whole number"),
        (["design=latin", RANGES[0]], "no design 'latin'; allowed: one of lhs, sobol"),
        (["design=sobol", "design.samples=6", RANGES[0]], "a power of 2"),
        (["design=lhs", RANGES[0], "scenario.shock_scale=0.3,0.5"], "also set on the command line"),
        (["design=lhs", "+design.ranges.seed=[1,9]"], "design.ranges.seed: not sampled"),
    ],
)
def test_a_bad_design_is_one_line_and_exit_2_before_any_cell(tmp_path, args, message):
    done = negsim("sweep", *args, *SMALL, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "multirun").exists()


def test_discover_reads_the_design_inputs_from_the_record(tmp_path):
    pytest.importorskip("ema_workbench", reason="install the discover extra: pip install -e '.[discover]'")
    ranges = [*RANGES, "+design.ranges.scenario.ministry_defaults.trust_loss=[0.15,0.45]"]
    done = negsim("sweep", "design=lhs", "design.samples=24", *ranges, "rounds=12", "sweep.replicates=8", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (sweep,) = (tmp_path / "multirun").glob("adhoc-*")
    table = pd.read_parquet(sweep / "aggregate" / "replicates.parquet")
    threshold = float(table["confidence.japan.russia"].median())
    found = negsim("discover", str(sweep), "outcome=confidence.japan.russia", f"threshold={threshold}", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    boxes = json.loads((sweep / "discovery" / "confidence.japan.russia" / "boxes.json").read_text())
    assert boxes["samples"] == 24 * 8
    named = {r["parameter"] for r in boxes["chosen"]["restrictions"]}
    swept = {"scenario.shock_scale", "scenario.talks.peace_treaty.horizon", "scenario.ministry_defaults.trust_loss"}
    assert named and named <= swept  # never `rounds`, a setting given once, nor a statistic


def test_a_grid_records_the_keys_it_swept_as_hydra_combined_them(tmp_path):
    # the experiment sweeps shock_round and shock_goldstein; the command line fixes the second
    done = negsim("sweep", "experiment=shock_recovery", "shock_goldstein=-5.0", *SMALL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "multirun" / "d" / "grid.json").read_text())["swept"] == ["shock_round"]
