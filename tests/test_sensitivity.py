"""Sensitivity analysis: SALib's known indices on the Ishigami function through our analysis path; on tokyo_2013, a
parameter the model ignores gets no index while an influential one does; studies are resumable and checked."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import yaml
from numpy.testing import assert_allclose
from SALib.test_functions import Ishigami

from sim.cli.sensitivity import load_study, main
from sim.io.library import config_dir, read_yaml
from sim.model.errors import ScenarioError
from sim.study import executor
from sim.study.cells import run_chunk
from sim.study.keypaths import get_path, nested, set_path, with_values
from sim.study.sensitivity.design import Design
from sim.study.sensitivity.report import run_study
from sim.study.sensitivity.study import available_studies

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# Analytical indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008, Primer), checked with the
# tolerances of SALib's own regression tests (atol 0.05, rtol 0.1).
ISHIGAMI_S1 = [0.314, 0.442, 0.0]
ISHIGAMI_ST = [0.558, 0.442, 0.244]
ISHIGAMI_S13 = 0.244  # the only interaction: x1 with x3

# Japan's leader attends only the summits, where it alone votes on the one cooperative item, frictions weigh no
# priority, and talk utilities renormalise priorities over the talks' dimensions (sim/plan.py, sim/talks.py): its
# priority on a friction cannot move anything.
# Japan's quota: below the leader's influence (0.45) the leader's veto alone decides ratification, so it is ignored.
IGNORED = "scenario.countries.japan.quota"
INFLUENTIAL = "scenario.countries.japan.ministries.leader.confidence.russia"
TRUST_GAIN = "scenario.ministry_defaults.trust_gain"


def analyse_ishigami(design: Design) -> tuple[pd.DataFrame, pd.DataFrame]:
    x = design.sample(ISHIGAMI)
    return design.analyze(ISHIGAMI, x, pd.DataFrame({"f": Ishigami.evaluate(x)}))


def test_sobol_recovers_the_ishigami_indices():
    indices, pairs = analyse_ishigami(Design("sobol", 1024, second_order=True, seed=3))
    assert_allclose(indices["S1"], ISHIGAMI_S1, atol=0.05, rtol=0.1)
    assert_allclose(indices["ST"], ISHIGAMI_ST, atol=0.05, rtol=0.1)
    assert (indices[["S1_conf", "ST_conf"]] > 0).all().all()
    s2 = pairs.set_index(["parameter", "other"])["S2"]
    assert_allclose(s2[("x1", "x3")], ISHIGAMI_S13, atol=0.05, rtol=0.1)
    assert_allclose([s2[("x1", "x2")], s2[("x2", "x3")]], [0.0, 0.0], atol=0.05)


def exact_morris_mu_star(factor: int, levels: int = 4) -> float:
    """Expected μ* of the Ishigami function on Morris's grid: |elementary effect| averaged over every base point."""
    grid, step = np.linspace(0, 1, levels), levels / (2 * (levels - 1))
    effects = []
    for others in itertools.product(grid, repeat=2):
        for start in grid[grid + step <= 1 + 1e-12]:
            points = np.array([np.insert(others, factor, start), np.insert(others, factor, start + step)])
            f = Ishigami.evaluate(-np.pi + 2 * np.pi * points)
            effects.append(abs(f[1] - f[0]) / step)
    return float(np.mean(effects))


def test_morris_recovers_the_ishigami_mu_star():
    indices, pairs = analyse_ishigami(Design("morris", 200, levels=4, seed=3))
    expected = [exact_morris_mu_star(i) for i in range(3)]  # 7.70, 7.875, 6.25
    assert_allclose(indices["mu_star"], expected, rtol=0.1)
    assert indices["mu_star"][1] == pytest.approx(7.875)  # a step of x2 changes sin² by 3/4 anywhere on the grid
    assert pairs.empty


def write_study(tmp_path, method: str, samples: int, **settings) -> str:
    shipped = read_yaml(config_dir() / "study.yaml")  # a file of its own gives every setting
    study = (
        {key: value for key, value in shipped.items() if key != "defaults"}
        | {
            "defaults": [{"/scenario@scenario": "tokyo_2013"}, "_self_"],  # a Hydra config, as the shipped studies
            "method": method,
            "samples": samples,
            "replicates": 8,
            "rounds": 80,
            "seed": 11,
            "output_dir": str(tmp_path / method),
            "parameters": nested({IGNORED: [0.0, 0.4], INFLUENTIAL: [0.2, 0.6], TRUST_GAIN: [0.05, 0.3]}),
        }
        | settings
    )
    path = tmp_path / f"{method}.yaml"
    path.write_text(yaml.safe_dump(study))
    return str(path)


@pytest.fixture(scope="module")
def morris_study(tmp_path_factory):
    """A Morris study of tokyo_2013, run once."""
    study = load_study(write_study(tmp_path_factory.mktemp("morris"), "morris", 4))
    return study, run_study(study, progress=False)


def test_an_ignored_parameter_has_no_effect_and_an_influential_one_has(morris_study):
    _, out = morris_study
    indices = pd.read_parquet(out / "indices.parquet").set_index(["output", "parameter"])
    ignored = indices.xs(IGNORED, level="parameter")
    assert (ignored[["mu", "mu_star", "sigma"]] == 0).all().all()  # exactly: the same replicate seeds everywhere
    assert indices.loc[("final_confidence.japan.russia", INFLUENTIAL), "mu_star"] > 0.05
    assert indices.loc[("final_confidence.japan.russia", INFLUENTIAL), "mu"] > 0  # more at the start, more at the end
    assert indices.loc[("final_confidence.russia.japan", TRUST_GAIN), "mu_star"] > 0.01  # faster learning moves it
    for output, table in indices.groupby("output"):
        assert table.loc[(output, IGNORED), "mu_star"] == table["mu_star"].min(), output  # the least (ties: all 0)


def test_a_study_writes_its_tables_ranking_and_plot(morris_study):
    study, out = morris_study
    samples = pd.read_parquet(out / "samples.parquet")
    assert len(samples) == 4 * (3 + 1)  # trajectories × (parameters + 1)
    assert samples["cell"].nunique() <= len(samples)
    assert set(pd.read_csv(out / "indices.csv")["output"]) == {
        "settlement_probability.peace_treaty",
        "median_time_to_settlement.peace_treaty",
        "final_confidence.japan.russia",
        "final_confidence.russia.japan",
    }
    ranking = (out / "ranking.txt").read_text().splitlines()
    assert ranking[0].startswith("Morris screening of tokyo_2013: 3 parameters, 16 samples × 8 replicates")
    indices = pd.read_parquet(out / "indices.parquet")
    moved = {o for o, t in indices.groupby("output") if (t["mu_star"] > 0).any()}  # (tokyo_2013 never settles here)
    text = "\n".join(ranking)
    assert moved
    for output in moved:  # the ignored parameter comes last in each output that moved at all
        block = text.split(f"\n{output}:", 1)[1].split("\n\n", 1)[0]
        assert "japan.quota" in block.strip().splitlines()[-1], output
    assert (out / "morris.png").stat().st_size > 10_000
    assert load_study(str(out / "study.yaml")) == study


def test_a_rerun_skips_complete_cells_and_gives_the_same_indices(morris_study):
    study, out = morris_study
    before = {p: p.stat().st_mtime_ns for p in (study.output_dir / "cells").glob("*/cell.json")}
    indices = pd.read_parquet(out / "indices.parquet")
    again = run_study(load_study(str(out / "study.yaml"), ["workers=2"]), progress=False)
    assert {p: p.stat().st_mtime_ns for p in (study.output_dir / "cells").glob("*/cell.json")} == before
    pd.testing.assert_frame_equal(pd.read_parquet(again / "indices.parquet"), indices)


@pytest.mark.slow
def test_worker_processes_give_the_same_samples_and_indices(tmp_path):
    serial, parallel = (
        run_study(load_study(write_study(tmp_path, "sobol", 2), [f"workers={w}", f"output_dir={tmp_path}/{w}"]))
        for w in (1, 2)
    )
    for table in ("samples.parquet", "indices.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(parallel / table), pd.read_parquet(serial / table))


def test_sobol_gives_an_ignored_parameter_no_variance_on_the_scenario(tmp_path):
    out = run_study(load_study(write_study(tmp_path, "sobol", 4)), progress=False)
    indices = pd.read_parquet(out / "indices.parquet").set_index(["output", "parameter"])
    assert (indices.xs(IGNORED, level="parameter")[["S1", "ST"]] == 0).all().all()
    assert indices.loc[("final_confidence.japan.russia", INFLUENTIAL), "ST"] > 0.1
    assert indices.loc[("settlement_probability.peace_treaty", TRUST_GAIN), "ST"] > 0.1
    assert len(pd.read_parquet(out / "samples.parquet")) == 4 * (3 + 2)
    assert (out / "sobol.png").stat().st_size > 10_000


def test_key_paths_find_keys_with_dots_and_refuse_missing_ones(tokyo_dict):
    config = {"scenario": tokyo_dict}
    path = "scenario.countries.japan.ministries.foreign.confidence.russia.defence"
    assert get_path(config, path) == 0.25
    changed = with_values(config, {path: 0.5, "scenario.shock_scale": 0.1})
    assert (get_path(changed, path), changed["scenario"]["shock_scale"]) == (0.5, 0.1)
    assert get_path(config, path) == 0.25 and tokyo_dict["shock_scale"] == 0.6  # the base is untouched
    with pytest.raises(ScenarioError, match=r"ministries\.foreign: got 'hawkishnes'.*did you mean 'hawkishness'"):
        with_values(config, {"scenario.countries.japan.ministries.foreign.hawkishnes": 0.5})
    with pytest.raises(ScenarioError, match="a mapping holding 'high'"):
        get_path(config, "scenario.shock_scale.high")
    data = {"a": {"b": 1}}
    set_path(data, "a.c", 2, create=True)
    assert data == {"a": {"b": 1, "c": 2}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["samples=100"], "samples: got 100; allowed: a power of 2"),
        (["method=fast"], "method: got 'fast'; allowed: one of morris, sobol"),
        (["samplez=64"], "did you mean 'samples'"),
        (["parameters.scenario.shock_scale=[0.5, 0.2]"], "low < high"),
        (["parameters.scenario.shock_scale=[0.2, 1.5]"], "scenario.shock_scale: got 1.5; allowed: a number in [0, 1]"),
        (["+parameters.scenario.name=[0, 1]"], "scenario.name: got 'tokyo_2013'; allowed: a number to vary"),
        (["+parameters.scenario.countries.japan.ministries.leader.hawkishnes=[0, 1]"], "did you mean 'hawkishness'"),
        (["parameters.scenario.ministry_defaults.drift=[0, 0.1]"], "drift"),
        (["scenario.countries.japan.quota=2"], "scenario.countries.japan.quota: got 2"),
        (["outputs=[settlement]"], "outputs[0]: got 'settlement'"),
        (["samples"], "samples: not an override"),
    ],
)
def test_mistakes_in_a_study_name_the_key(overrides, message):
    with pytest.raises(ScenarioError) as error:
        load_study("tokyo_sobol", overrides)
    assert message in str(error.value)


@pytest.mark.parametrize("name", available_studies())
def test_shipped_studies_load(name):
    study = load_study(name)
    assert study.scenario["name"] == "tokyo_2013"
    assert len(study.parameters) >= 10
    assert study.outputs == ("settlement_probability", "median_time_to_settlement", "final_confidence")


def test_overrides_add_remove_and_fix_values():
    forgiveness = "scenario.ministry_defaults.forgiveness"  # not in tokyo_2013.yaml: added with +
    overrides = [f"+{forgiveness}=0.3", f"+parameters.{forgiveness}=[0.1, 0.5]", "~parameters.scenario.shock_scale"]
    study = load_study("tokyo_sobol", [*overrides, "scenario.shock_scale=0.1", "replicates=7"])
    assert study.parameters[forgiveness] == (0.1, 0.5)
    assert "scenario.shock_scale" not in study.parameters and study.scenario["shock_scale"] == 0.1
    assert study.replicates == 7 and study.cell_config({})["scenario"]["ministry_defaults"]["forgiveness"] == 0.3


def test_main_prints_the_ranking_and_reports_mistakes(tmp_path, capsys):
    main([f"config={write_study(tmp_path, 'sobol', 2)}", "rounds=12"])
    printed = capsys.readouterr().out
    assert printed.startswith("Sobol indices of tokyo_2013: 3 parameters, 10 samples × 8 replicates, 12 rounds")
    assert f"analysis in {tmp_path}/sobol/analysis" in printed
    with pytest.raises(SystemExit) as end:
        main(["config=tokyo_sobol", "samples=3"])
    assert end.value.code == 2
    assert capsys.readouterr().err.strip().startswith("negsim: error: samples: got 3")


def test_failed_replicates_stop_the_analysis_and_are_reported(tmp_path, monkeypatch, capsys):
    def second_batch_fails(scenario_json, start, seeds, rounds, parts):
        if start > 0:
            raise RuntimeError("engine down")
        return run_chunk(scenario_json, start, seeds, rounds, parts)

    monkeypatch.setattr(executor, "run_chunk", second_batch_fails)
    config = [f"config={write_study(tmp_path, 'sobol', 2)}", "rounds=4", "replicates=2", "chunk=1"]
    with pytest.raises(SystemExit) as end:
        main(config)
    assert end.value.code == 1
    assert "10 cell(s) did not complete" in capsys.readouterr().err
    assert not (tmp_path / "sobol" / "analysis").exists()
