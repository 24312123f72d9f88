"""Calibration to event data (ABC-SMC with pyabc): no real event data ships, so what proves it works is recovering
values negsim itself hid in a generated record; and a bad record is refused in one line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario
from PIL import Image

from sim import load_scenario, simulate
from sim.cli.main import main
from sim.model.errors import ScenarioError
from sim.model.record.acts import acts_table, event_records
from sim.study.calibration.config import parse_calibration
from sim.study.keypaths import with_values
from sim.views import calibration_figures
from sim.views.style import FIGURE_DPI, Calendar

pytest.importorskip("pyabc", reason="install the calibrate extra: pip install -e '.[calibrate]'")
from sim.study.calibration.abc import calibrate  # after the skip: it needs pyabc

HIDDEN = {"scenario.ministry_defaults.reliability": 0.7, "scenario.ministry_defaults.trust_gain": 0.15}
PRIORS = {"reliability": [0.3, 1.0], "trust_gain": [0.02, 0.4], "hawkishness": [0.0, 1.0]}
IGNORED = "scenario.ministry_defaults.hawkishness"  # every ministry sets its own: the default is never used
ROUNDS = 24


def base_scenario() -> dict:
    """The small two-country scenario meeting every month from January 2020, each ministry with its own
    hawkishness (so that ``ministry_defaults.hawkishness`` changes nothing)."""
    data = small_scenario(calendar_start="2020-01", **{"calendar.talks.every": 1})
    data["ministry_defaults"] = {"reliability": 0.9, "trust_gain": 0.15, "hawkishness": 0.2}
    for country in data["countries"].values():
        for ministry in country["ministries"].values():
            ministry["hawkishness"] = 0.3
    return data


def history(path, seed: int, values=HIDDEN, data=None) -> None:
    """A "history": one replicate of the scenario with ``values``, written as an event record at ``path``."""
    scenario = with_values({"scenario": data or base_scenario()}, values)["scenario"]
    result = simulate(load_scenario(scenario), seed=seed, rounds=ROUNDS)
    event_records(acts_table(result)).to_csv(path, index=False)


def calibration(tmp_path, observed, seed: int, **settings):
    raw = {
        "scenario": base_scenario(),
        "observed": str(observed),
        "priors": {"scenario": {"ministry_defaults": PRIORS}},
        "rounds": ROUNDS,
        "period": 4,
        "population": 60,
        "generations": 3,
        "predictive": 10,
        "seed": seed,
        "output_dir": str(tmp_path / f"out{seed}"),
    }
    return parse_calibration(raw | settings, "recovery")


def intervals(out) -> pd.DataFrame:
    return pd.read_parquet(out / "intervals.parquet").set_index("parameter")


def test_a_calibration_writes_its_outputs_and_is_reproducible(tmp_path, monkeypatch):
    drawn, draw = [], calibration_figures.plot_predictive  # the calendar each predictive figure was drawn with

    def plot_predictive(bands, observed, calendar=None):
        drawn.append(calendar)
        return draw(bands, observed, calendar)

    monkeypatch.setattr("sim.views.calibration_figures.plot_predictive", plot_predictive)
    observed = tmp_path / "history.csv"
    history(observed, seed=1)
    state = np.random.get_state()
    lines: list[str] = []
    first = calibrate(
        calibration(tmp_path, observed, 5, population=20, generations=2, replicates=3), progress=lines.append
    )
    second = calibrate(calibration(tmp_path, observed, 5, population=20, generations=2, replicates=3))
    assert first.name == "out5" and second.name == "out5-1"  # a calibration never overwrites another
    names = {p.name for p in first.iterdir()}
    assert {"posterior.parquet", "posterior_pairs.png", "predictive.png", "predictive.parquet", "scenario"} <= names
    assert drawn == [Calendar("2020-01")] * 2  # months on the predictive's round axis, as the scenario has them
    for figure in ("posterior_pairs.png", "predictive.png"):
        with Image.open(first / figure) as image:
            assert image.info["dpi"] == pytest.approx((FIGURE_DPI, FIGURE_DPI), abs=0.1)  # as every figure negsim saves
    assert len(lines) == 2 and lines[0].startswith("generation 1/2: epsilon ")
    pd.testing.assert_frame_equal(
        pd.read_parquet(first / "posterior.parquet"), pd.read_parquet(second / "posterior.parquet")
    )
    assert all(np.array_equal(a, b) for a, b in zip(state[1:2], np.random.get_state()[1:2], strict=True))
    calibrated = load_scenario(first / "scenario" / "small_calibrated.yaml")  # ready for negsim run
    median = intervals(first).loc["scenario.ministry_defaults.reliability", "median"]
    assert calibrated.ministries[0].behaviour.reliability == pytest.approx(median)


@pytest.mark.slow
def test_parameter_recovery_and_an_ignored_parameter_keeps_its_prior(tmp_path):
    """Ten independent recoveries (each its own history and seed): each identifiable parameter's 90% interval holds
    the hidden value in at least 8, and reliability's is narrower than the prior's (0.70 of its range); the ignored
    one stays about as wide as its prior (a uniform prior's 90% interval is 0.9 of its range). About 9 minutes on a
    loaded 2-core machine."""
    covered = dict.fromkeys(HIDDEN, 0)
    widths: dict[str, list[float]] = {p: [] for p in [*HIDDEN, IGNORED]}
    for k in range(10):
        observed = tmp_path / f"history{k}.csv"
        history(observed, seed=100 + k)
        found = intervals(calibrate(calibration(tmp_path, observed, k)))
        for path, value in HIDDEN.items():
            covered[path] += bool(found.loc[path, "low"] <= value <= found.loc[path, "high"])
        for path in widths:
            low, high = PRIORS[path.rpartition(".")[2]]
            widths[path].append((found.loc[path, "high"] - found.loc[path, "low"]) / (high - low))
    assert all(c >= 8 for c in covered.values()), covered
    assert np.mean(widths["scenario.ministry_defaults.reliability"]) < 0.8, widths
    assert np.mean(widths[IGNORED]) > 0.8, widths


def test_the_ignored_parameter_is_ignored():
    """The premise of the test above: ministry_defaults.hawkishness changes nothing in this scenario."""
    runs = [
        acts_table(
            simulate(load_scenario(with_values({"scenario": base_scenario()}, {IGNORED: h})["scenario"]), seed=3)
        )
        for h in (0.0, 1.0)
    ]
    pd.testing.assert_frame_equal(*runs)


def write(tmp_path, rows: list[str]):
    path = tmp_path / "record.csv"
    path.write_text("date,source,target,cameo\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["2014-01-05,japan,mars,036"], "line 2, target: got 'mars'; allowed: an actor named in the mapping"),
        (["2014-13-45,japan,russia,036"], "line 2, date: got '2014-13-45'; allowed: a date as 'YYYY-MM'"),
        (
            ["1990-01-01,japan,russia,036", "1991-05-01,russia,japan,120"],
            "observed: its events run from 1990-01 to 1991-05; allowed: events within the scenario's calendar, "
            "2013-11 to 2017-02 (40 rounds)",
        ),
    ],
    ids=["unknown actor", "bad date", "no overlap"],
)
def test_a_bad_record_is_one_clear_line_and_exit_2(tmp_path, capsys, rows, message):
    path = write(tmp_path, rows)
    with pytest.raises(SystemExit) as exit_:
        main(["calibrate", "config=tokyo_2013", f"observed={path}", f"output_dir={tmp_path / 'out'}"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and message in err, err
    assert err.startswith("negsim: error: ") and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["priors.scenario.ministry_defaults.reliability=[0.9,0.2]"], "bounds [low, high] with low < high"),
        (["+priors.scenario.ministry_defaults.drfit=[0,1]"], "did you mean 'drift'?"),
        (["distance=manhattan"], "distance: got 'manhattan'; allowed: one of adaptive, euclidean"),
        (["population=1"], "population: got 1"),
    ],
)
def test_bad_settings_are_refused_before_any_work(overrides, message):
    from sim.cli.calibrate import load_calibration

    with pytest.raises(ScenarioError, match=None) as error:
        load_calibration("tokyo_2013", overrides)
    assert message in str(error.value)


@pytest.mark.slow
def test_the_real_command_refuses_a_record_without_overlap(tmp_path):
    path = write(tmp_path, ["1990-01-01,japan,russia,036"])
    done = subprocess.run(
        [sys.executable, "-m", "sim", "calibrate", "config=tokyo_2013", f"observed={path}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
    assert "events within the scenario's calendar" in done.stderr
