"""Calibration to event data (ABC-SMC with pyabc): no real event data ships, so what proves it works is recovering
values negsim itself hid in a generated record; and a bad record is refused in one line."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import small_scenario
from PIL import Image

from sim import load_scenario, simulate
from sim.cli.main import main
from sim.model.errors import ScenarioError
from sim.model.record.acts import Acts, acts_table, event_records, generated_acts
from sim.model.scenario.keypaths import with_values
from sim.study.calibration.config import parse_calibration
from sim.study.calibration.diagnostics import warnings
from sim.study.calibration.observed import country_pairs, observed_acts
from sim.study.calibration.summaries import Summaries, scenario_codes
from sim.views import calibration_figures
from sim.views.calibration_figures import plot_predictive
from sim.views.style import FIGURE_DPI, Calendar

pytest.importorskip("pyabc", reason="install the calibrate extra: pip install -e '.[calibrate]'")
from sim.study.calibration.abc import calibrate, workers  # after the skip: they need pyabc
from sim.study.calibration.check import case_rows, check
from sim.study.calibration.distance import FLOOR, FlooredScale, ridge

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


def raw_calibration(tmp_path, observed, seed: int) -> dict:
    return {
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


def calibration(tmp_path, observed, seed: int, **settings):
    return parse_calibration(raw_calibration(tmp_path, observed, seed) | settings, "recovery")


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
    assert {"diagnostics.png", "marginals.parquet", "statistics.parquet"} <= names
    assert drawn == [Calendar("2020-01")] * 2  # months on the predictive's round axis, as the scenario has them
    for figure in ("posterior_pairs.png", "predictive.png", "diagnostics.png"):
        with Image.open(first / figure) as image:
            assert image.info["dpi"] == pytest.approx((FIGURE_DPI, FIGURE_DPI), abs=0.1)  # as every figure negsim saves
    generations = [line for line in lines if line.startswith("generation ")]
    assert len(generations) == 2 and generations[0].startswith("generation 1/2: epsilon ")
    pd.testing.assert_frame_equal(
        pd.read_parquet(first / "posterior.parquet"), pd.read_parquet(second / "posterior.parquet")
    )
    assert all(np.array_equal(a, b) for a, b in zip(state[1:2], np.random.get_state()[1:2], strict=True))
    calibrated = load_scenario(first / "scenario" / "small_calibrated.yaml")  # ready for negsim run
    median = intervals(first).loc["scenario.ministry_defaults.reliability", "median"]
    assert calibrated.ministries[0].behaviour.reliability == pytest.approx(median)
    run = yaml.safe_load((first / "calibration.yaml").read_text())["run"]
    assert run["sampler"] == "SingleCoreSampler" and run["workers"] == 1 and run["reproducible"] is True
    # no statistic has weight 0 unless it was dropped from the start (the same in every history from the priors)
    statistics = pd.read_parquet(first / "statistics.parquet")
    zero = set(statistics.loc[statistics["weight"] == 0, "statistic"])
    assert zero == set(statistics.loc[(statistics["generation"] == 0) & (statistics["weight"] == 0), "statistic"])
    assert zero == set(run["dropped"]) and run["statistics"] == statistics["statistic"].nunique() - len(zero) > 0
    dropped = [line for line in lines if " statistics are the same in every history drawn from the priors " in line]
    assert len(dropped) == 1 and dropped[0].startswith(f"{len(zero)} of {statistics['statistic'].nunique()} "), lines
    assert parse_calibration(yaml.safe_load((first / "calibration.yaml").read_text()), "again").seed == 5


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


# --- the statistics ---------------------------------------------------------------------------------------------------


def acts(**columns) -> Acts:
    n = len(columns["round"])
    filler = {"act": np.full(n, "", dtype=object), "note": np.full(n, "", dtype=object)}
    return Acts(
        **{k: np.array(v, dtype=object if k in ("source", "target", "cameo") else None) for k, v in columns.items()}
        | filler
    )


def test_statistics_count_and_time_each_kind_of_act_per_pair():
    summaries = Summaries(pairs=(("a", "b"), ("b", "a")), kinds=("031", "060"), rounds=5, period=5)
    vectors = summaries(
        acts(
            replicate=[0, 0, 0, 1],
            round=[1, 5, 3, 2],
            source=["a", "a.leader", "b", "a"],
            target=["b", "b", "a.foreign", "b"],
            cameo=["031", "0311", "060", "999"],
            goldstein=[5.2, 5.2, 6.0, 1.0],
        ),
        replicates=2,
    )
    first, second = (dict(zip(summaries.names, v, strict=True)) for v in vectors)
    assert first["act 031 count a→b"] == 2 and first["act 031 timing a→b"] == 0  # rounds 1 and 5 of 5: −1 and +1
    assert first["act 060 count b→a"] == 1 and first["act 060 timing b→a"] == 0  # round 3 of 5: the middle
    assert first["act 031 count b→a"] == 0 and first["goldstein a→b period 1"] == pytest.approx(10.4)
    assert second["goldstein a→b period 1"] == 1.0 and not any(v for k, v in second.items() if k.startswith("act "))


def test_a_new_kind_of_act_flows_into_the_statistics():
    """The kinds are the codes the scenario writes: an act given another code in the scenario's acts block is counted
    under that code, with no change to the statistics' code."""
    data = base_scenario() | {"acts": {"offer": "036"}}
    assert "036" in scenario_codes(load_scenario(data)) and "037" not in scenario_codes(load_scenario(data))
    assert "037" in scenario_codes(load_scenario(base_scenario()))


def test_the_talks_acts_are_statistics():
    """Positions tabled and proposals refused (issue 24) are counted per pair by their codes, as an offer would be: 100
    a position, 111 a proposal criticised (as a friction raised is coded), 12 one declined or a deal rejected."""
    scenario = load_scenario("tokyo_2013")
    acts = generated_acts(simulate(scenario, seed=7, rounds=40))
    kinds = tuple(sorted(scenario_codes(scenario)))
    assert {"037", "100", "111", "12"} <= set(kinds)
    summaries = Summaries(pairs=tuple(country_pairs(scenario)), kinds=kinds, rounds=40, period=4)
    statistics = dict(zip(summaries.names, summaries(acts, 1)[0], strict=True))
    for code, names in (("100", {"position"}), ("111", {"criticised", "raised"}), ("12", {"declined", "rejected"})):
        counted = sum(statistics[f"act {code} count {a}→{b}"] for a, b in summaries.pairs)
        assert counted == np.isin(acts.act, list(names)).sum(), code
    assert (acts.act == "position").any() and (acts.act == "criticised").any()


def test_a_record_gives_the_statistics_of_the_history_it_was_written_from(tmp_path):
    path = tmp_path / "history.csv"
    scenario = load_scenario(base_scenario())
    record = simulate(scenario, seed=4, rounds=ROUNDS)
    event_records(acts_table(record)).to_csv(path, index=False)
    observed = observed_acts(path, None, scenario, ROUNDS)
    kinds = tuple(sorted(scenario_codes(scenario)))
    summaries = Summaries(pairs=tuple(country_pairs(scenario)), kinds=kinds, rounds=ROUNDS, period=4)
    np.testing.assert_allclose(summaries(observed, 1), summaries(generated_acts(record), 1), atol=1e-9)


def test_the_scale_never_zeroes_a_statistic_that_varies_and_drops_one_that_never_does():
    """pyabc's median absolute deviation is 0 for a count that is 0 in most histories; the floored scale is not."""
    prior = np.array([[0, 3.0, 7], [0, 0, 7], [1, -2.0, 7], [0, 1.0, 7], [0, 0, 7]])
    scale = FlooredScale()
    first = scale(samples=prior)
    assert first[0] > 0 and first[2] == 0  # the count rarely 1: kept; the constant: dropped
    later = scale(samples=np.zeros((4, 3)))  # a generation where every statistic is the same
    np.testing.assert_allclose(later, FLOOR * prior.std(axis=0) * [1, 1, 0])


def test_the_regression_finds_the_statistic_that_carries_a_parameter():
    """Semi-automatic ABC's summary: a ridge regression (penalty by leave-one-out error) on standardised statistics
    keeps the one that moves with the parameter and shrinks the 29 that are noise."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 30))
    y = 2 * x[:, [0]] + rng.normal(scale=0.5, size=(200, 1))
    penalty, beta = ridge(x - x.mean(axis=0), y - y.mean(axis=0))
    assert beta[0, 0] == pytest.approx(2, abs=0.15) and np.abs(beta[1:]).max() < 0.15 and penalty > 0


# --- diagnostics ------------------------------------------------------------------------------------------------------


CLEAN = {
    "generations": pd.DataFrame(
        {"generation": range(4), "epsilon": [40.0, 30, 25, 21], "acceptance_rate": [0.5, 0.3, 0.2, 0.1]}
        | {"ess": [100.0, 80, 70, 60]}
    ),
    "weights": {0: np.array([1.0, 2, 0]), 1: np.array([1.0, 3, 0])},
    "names": ["a", "b", "c"],
    "dropped": ["c"],
    "intervals": pd.DataFrame({"parameter": ["x"], "low": [0.2], "median": [0.3], "high": [0.5]}),
    "priors": {"x": (0.0, 1.0)},
    "population": 100,
}


def changed(**columns) -> pd.DataFrame:
    return CLEAN["generations"].assign(**columns)


@pytest.mark.parametrize(
    ("change", "warning"),
    [
        ({"generations": changed(epsilon=[40.0, 22.5, 22.5, 22.4])}, "epsilon stalled at 22.4 for generations 2–4"),
        ({"generations": changed(epsilon=[40.0, 30, 1e-3, 4e-16])}, "epsilon collapsed to 4e-16 in generation 4"),
        ({"generations": changed(acceptance_rate=[0.5, 0.3, 0.2, 1.0])}, "acceptance 100.0% in generation 4"),
        ({"generations": changed(acceptance_rate=[0.5, 0.3, 0.2, 0.004])}, "acceptance 0.40% in generation 4"),
        ({"weights": {0: np.array([1.0, 2, 0]), 1: np.array([1.0, 0, 0])}}, "1 statistic(s) with weight 0 in some"),
        ({"generations": changed(ess=[100.0, 80, 70, 12])}, "effective sample size 12 of 100 in generation 4"),
        (
            {"intervals": pd.DataFrame({"parameter": ["x"], "low": [0.06], "median": [0.5], "high": [0.94]})},
            "the record does not inform x: its 90% interval is 0.88 of the prior's range",
        ),
    ],
    ids=["stalled", "collapsed", "all accepted", "none accepted", "zero weight", "ess", "uninformed"],
)
def test_each_diagnostic_fires_alone_when_its_sign_is_there(change, warning):
    assert warnings(**CLEAN) == []
    lines = warnings(**(CLEAN | change))
    assert len(lines) == 1 and lines[0].startswith(warning), lines


def test_the_command_prints_its_warnings_and_accepts_settings_its_file_leaves_out(tmp_path, capsys):
    observed = tmp_path / "history.csv"
    history(observed, seed=2)
    raw = raw_calibration(tmp_path, observed, 3)
    del raw["output_dir"]  # a setting the file leaves out is taken from the command line all the same
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(raw))
    out = tmp_path / "given"
    main(["calibrate", f"config={tmp_path / 'mine.yaml'}", f"output_dir={out}", "population=15", "generations=1"])
    captured = capsys.readouterr()
    assert f"negsim: warning: the record does not inform {IGNORED}: " in captured.err
    warned = [line for line in captured.err.splitlines() if line.startswith("negsim: warning: ")]
    assert warned and warned == [
        f"negsim: warning: {w}" for w in yaml.safe_load((out / "calibration.yaml").read_text())["run"]["warnings"]
    ]


# --- checked coverage -------------------------------------------------------------------------------------------------


def test_a_hidden_value_is_ranked_among_posterior_draws_and_its_intervals_checked():
    posterior = pd.DataFrame({"x": np.linspace(0, 1, 1001), "weight": np.full(1001, 1 / 1001)})
    rng = np.random.default_rng(1)
    middle, edge = (case_rows(posterior, {"x": v}, {"x": (0.0, 2.0)}, rng)[0] for v in (0.5, 0.97))
    assert middle["covered50"] and middle["covered90"] and 30 <= middle["rank"] <= 70
    assert not edge["covered50"] and not edge["covered90"] and edge["rank"] >= 90
    assert middle["width90"] == pytest.approx(0.45, abs=0.01) and middle["width50"] == pytest.approx(0.25, abs=0.01)


def test_check_reports_coverage_widths_and_a_rank_histogram(tmp_path, capsys):
    raw = raw_calibration(tmp_path, tmp_path / "unused.csv", 3)
    history(tmp_path / "unused.csv", seed=1)  # the file's record is not used: each case writes its own
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(raw | {"output_dir": str(tmp_path / "c")}))
    settings = ["cases=2", "population=12", "generations=1", "predictive=2"]
    main(["calibrate", "check", f"config={tmp_path / 'mine.yaml'}", *settings])
    out = tmp_path / "c_check"
    table = pd.read_parquet(out / "check.parquet")
    assert len(table) == 2 * 3 and set(table["case"]) == {1, 2} and table["rank"].between(0, 99).all()
    assert table["truth"].nunique() == 6 and (out / "check.png").is_file() and (out / "cases" / "case2").is_dir()
    stdout = capsys.readouterr().out
    for path in HIDDEN:
        assert f"{path}: 50% interval holds " in stdout and "90% holds " in stdout


@pytest.mark.slow
def test_a_check_over_two_processes_is_the_check_on_one(tmp_path):
    """Cases side by side (workers=2), each calibrated in one process: the same hidden values, histories and
    posteriors as one after another."""
    observed = tmp_path / "history.csv"
    history(observed, seed=1)
    tables = [
        pd.read_parquet(
            check(calibration(tmp_path, observed, 3, population=10, generations=1, predictive=2, workers=w), 2)
            / "check.parquet"
        ).drop(columns="seconds")
        for w in (1, 2)
    ]
    pd.testing.assert_frame_equal(*tables)


def test_check_needs_one_number_of_cases(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["calibrate", "check", "config=tokyo_2013", "cases=0"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "cases: got '0'" in err, err


# --- the defects of issue 28 ------------------------------------------------------------------------------------------


def test_predictive_bands_span_the_rounds_of_their_period():
    """Periods of 4 rounds (the last cut at round 10): each band covers its rounds, each observed dot sits at the
    middle of its period."""
    periods = pd.DataFrame({"first_round": [1, 5, 9], "last_round": [4, 8, 10]})
    base = periods.assign(country="a", counterpart="b", statistic="goldstein")
    bands = pd.concat([base.assign(quantile=q, value=v) for q, v in [(0.05, 1.0), (0.5, 2.0), (0.95, 3.0)]])
    ax = plot_predictive(bands, base.assign(value=[2.0, 2.5, 1.0])).axes[0]
    band, median = ax.patches  # steps: each period's value over its rounds' edges
    for steps, (values, baseline) in ((band, ([3.0] * 3, [1.0] * 3)), (median, ([2.0] * 3, None))):
        data = steps.get_data()
        np.testing.assert_array_equal(data.edges, [0.5, 4.5, 8.5, 10.5])
        np.testing.assert_array_equal(data.values, values)
        assert (baseline is None and data.baseline is None) or np.array_equal(data.baseline, baseline)
    np.testing.assert_array_equal(ax.lines[-1].get_xdata(), [2.5, 6.5, 9.5])  # the observed dots


def test_a_ministry_value_the_scenario_does_not_write_can_take_a_prior_once_written():
    from sim.cli.calibrate import load_calibration

    prior = "+priors.scenario.countries.japan.ministries.leader.trust_gain=[0.1,0.3]"
    with pytest.raises(ScenarioError) as error:
        load_calibration("tokyo_2013", [prior])
    hint = "+scenario.countries.japan.ministries.leader.trust_gain=0.12"
    assert f"add it first, e.g. {hint}" in str(error.value)
    calibration = load_calibration("tokyo_2013", [hint, prior])
    assert calibration.priors["scenario.countries.japan.ministries.leader.trust_gain"] == (0.1, 0.3)


def test_the_sampler_is_named_with_its_workers():
    import pyabc

    assert workers(pyabc.sampler.MulticoreEvalParallelSampler(n_procs=2)) == 2
    assert workers(pyabc.sampler.SingleCoreSampler()) == 1


@pytest.fixture
def redis_port(tmp_path):
    """A redis-server of the test's own on a free port, and an abc-redis-worker serving it; both stopped after."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (Debian: apt-get install redis-server; .ci/run installs it)")
    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    worker = None
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        abc_worker = shutil.which("abc-redis-worker", path=str(Path(sys.executable).parent))
        worker = subprocess.Popen(
            [abc_worker, "--host", "localhost", "--port", str(port), "--runtime", "5m", "--processes", "1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            if client.pubsub_numsub("msg_pubsub")[0][-1]:
                break
            time.sleep(0.05)
        yield port
    finally:
        for process in (worker, server):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


@pytest.mark.slow
def test_redis_calibrates_twice_in_a_row_on_one_broker(tmp_path, redis_port):
    """negsim runs pyabc's generations itself: unless it stops the sampler, the broker stays busy with the first
    calibration and refuses the second ("The server seems busy with an analysis already")."""
    import pyabc

    observed = tmp_path / "history.csv"
    history(observed, seed=1)
    for seed in (1, 2):
        sampler = pyabc.sampler.RedisEvalParallelSampler(host="localhost", port=redis_port)
        out = calibrate(
            calibration(tmp_path, observed, seed, population=8, generations=1, predictive=2), sampler=sampler
        )
        run = yaml.safe_load((out / "calibration.yaml").read_text())["run"]
        assert run["sampler"] == "RedisEvalParallelSampler" and run["workers"] == 1 and run["reproducible"] is False
