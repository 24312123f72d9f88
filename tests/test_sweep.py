"""Sweeps: cells that are reproducible whichever way they run, resumable, fault-tolerant, and aggregated."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile

import pandas as pd
import pytest
from conftest import run_here

from hydra_plugins.negsim_sweeper.negsim_sweeper import jobs_to_check
from sim.io.library import config_dir, load_scenario, read_yaml
from sim.model.run import simulate_ensemble
from sim.study.aggregate import aggregate, wilson_interval
from sim.study.cells import MAX_BATCH_ROWS, batch_size
from sim.study.executor import Executor
from sim.study.pipeline import CellPipeline, run_cell, start_cell

NEGSIM = [sys.executable, "-m", "sim"]
SMALL = ["sweep.replicates=24", "rounds=24", "shock_round=6,12", "shock_goldstein=-5.0,-10.0"]


@pytest.fixture(scope="module")
def cell_config():
    return {
        "scenario": read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml"),
        "seed": 7,
        "replicates": 60,
        "rounds": 24,
    }


def tables(outcome):
    return [
        pd.read_parquet(outcome.directory / name)
        for name in ("replicates.parquet", "confidence.parquet", "bands.parquet")
    ]


def test_cell_is_the_same_serial_parallel_and_in_any_chunking(tmp_path, cell_config):
    serial = run_cell(cell_config, tmp_path / "a", chunk=60, progress=False)
    executor = Executor(workers=2)
    parallel = run_cell(cell_config, tmp_path / "b", executor=executor, chunk=7, progress=False)
    executor.close()
    assert serial.status == parallel.status == "complete"
    for x, y in zip(tables(serial), tables(parallel), strict=True):
        assert x.equals(y)
    assert len(tables(serial)[0]) == 60 and tables(serial)[0]["replicate_seed"].nunique() == 60


def test_cells_started_ahead_finish_in_order_with_the_same_tables(tmp_path, cell_config):
    executor = Executor(workers=2)
    pipeline = CellPipeline(ahead=2)
    seeds = (1, 2, 3, 4)
    finished = []
    for seed in seeds:
        cell = start_cell(cell_config | {"seed": seed}, tmp_path / "ahead", executor=executor, chunk=25)
        assert cell.in_background
        finished += pipeline.add(cell)
        assert len(pipeline.pending) <= 2
    finished += pipeline.drain()
    executor.close()
    assert [o.status for o in finished] == ["complete"] * 4
    for seed, outcome in zip(seeds, finished, strict=True):
        alone = run_cell(cell_config | {"seed": seed}, tmp_path / "alone", chunk=60, progress=False)
        assert outcome.directory.name == alone.directory.name
        for x, y in zip(tables(outcome), tables(alone), strict=True):
            assert x.equals(y)


def test_cells_run_in_this_process_are_finished_when_added(tmp_path, cell_config):
    cell = start_cell(cell_config, tmp_path, chunk=30)
    assert not cell.in_background
    assert [o.status for o in CellPipeline(ahead=3).add(cell)] == ["complete"]


def test_rerun_skips_complete_cells_and_redoes_interrupted_ones(tmp_path, cell_config):
    first = run_cell(cell_config, tmp_path, progress=False)
    assert run_cell(cell_config, tmp_path, progress=False).status == "skipped"
    (first.directory / "cell.json").unlink()  # as if killed before the cell was finished
    assert run_cell(cell_config, tmp_path, progress=False).status == "complete"
    other = run_cell(cell_config | {"seed": 8}, tmp_path, progress=False)
    assert other.directory != first.directory  # a cell is named by the hash of its resolved config


def test_a_bad_cell_is_recorded_and_aggregation_goes_on(tmp_path, cell_config):
    cells = tmp_path / "cells"
    run_cell(cell_config, cells, values={"x": 1}, progress=False)
    bad = json.loads(json.dumps(cell_config))
    bad["scenario"]["countries"]["japan"]["ministries"]["foreign"]["confidence"]["russia"] = 1.5
    outcome = run_cell(bad, cells, values={"x": 2}, progress=False)
    assert outcome.status == "failed" and "confidence.russia: got 1.5" in outcome.error
    report = aggregate(tmp_path)
    assert (report.cells, report.complete) == (2, 1)
    assert report.failed[0]["values"] == {"x": 2}
    table = pd.read_parquet(tmp_path / "aggregate" / "replicates.parquet")
    assert set(table["x"]) == {1, 2}
    assert table.loc[table["x"] == 2, "error"].str.contains("got 1.5").all()


def test_the_wilson_interval_is_exactly_0_with_no_success_and_exactly_1_with_no_failure():
    """The formula leaves 1.7e-18 at 0 successes of 10,000, which a table prints as such."""
    assert [wilson_interval(0, n)[0] for n in (1, 7, 194, 10_000)] == [0.0] * 4
    assert [wilson_interval(n, n)[1] for n in (1, 7, 194, 10_000)] == [1.0] * 4


def test_wilson_interval_known_values():
    """Wilson (1927): 0 of 10 → [0, 0.278]; 5 of 10 → [0.237, 0.763]."""
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)


def negsim(*args, cwd):
    return subprocess.run([*NEGSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def adhoc(cwd):
    """The folder of the one ad-hoc sweep run in ``cwd``."""
    (folder,) = (cwd / "multirun").glob("adhoc-*")
    return folder


def sweep_table(cwd) -> pd.DataFrame:
    table = pd.read_parquet(cwd / "multirun" / "shock_recovery" / "aggregate" / "replicates.parquet")
    return table.sort_values(["cell", "replicate"]).reset_index(drop=True)


def sweep_bands(cwd) -> pd.DataFrame:
    table = pd.read_parquet(cwd / "multirun" / "shock_recovery" / "aggregate" / "bands.parquet")
    return table.sort_values(["cell", "round", "country"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def basic_sweep(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("basic")
    done = negsim("sweep", "experiment=shock_recovery", *SMALL, cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert "[HYDRA]" not in done.stdout and "Warning" not in done.stderr
    return cwd, sweep_table(cwd)


@pytest.mark.slow
def test_sweep_command_writes_the_aggregate_and_plots(basic_sweep):
    cwd, table = basic_sweep
    out = cwd / "multirun" / "shock_recovery" / "aggregate"
    cells = pd.read_parquet(out / "cells.parquet")
    assert len(cells) == 4 and {"shock_round", "shock_goldstein", "settlement_probability", "ci_low"} <= set(
        cells.columns
    )
    assert len(table) == 4 * 24
    assert table["recovery_rounds.japan.russia"].notna().any()
    assert (table["shock_round.japan.russia"] == table["shock_round"]).all()  # the recovery from the study's shock
    timing = json.loads((out / "timing.json").read_text())
    assert set(timing) == {"total", "jobs", "hydra", "finishing", "aggregating", "plotting"}
    assert 0 < timing["hydra"] < timing["total"]
    assert not (out / "settlement_probability.png").exists()  # nothing settles in a few rounds: nothing to show
    for name in ("confidence_bands.png", "recovery.png"):
        (out / name).unlink()
    assert negsim("plot", str(cwd / "multirun" / "shock_recovery"), cwd=cwd).returncode == 0
    assert (out / "confidence_bands.png").exists() and (out / "recovery.png").exists()


@pytest.mark.slow
def test_failed_cell_makes_the_sweep_exit_non_zero(tmp_path):
    done = negsim(
        "sweep",
        "experiment=shock_recovery",
        "sweep.replicates=4",
        "rounds=8",
        "shock_round=6",
        "shock_goldstein=-5.0,-12.0",
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "1 cell(s) did not complete" in done.stderr
    assert "goldstein: got -12.0" in done.stdout
    assert len(pd.read_parquet(tmp_path / "multirun" / "shock_recovery" / "aggregate" / "cells.parquet")) == 2


@pytest.mark.parametrize(
    "launcher", ["sweep.workers=2 sweep.chunk=5", "hydra/launcher=joblib", "hydra/launcher=submitit_local"]
)
@pytest.mark.slow
def test_workers_and_other_launchers_give_the_same_tables(tmp_path, basic_sweep, launcher):
    """Worker processes (cells started ahead of the one being written), joblib's parallel jobs, submitit's."""
    if "launcher" in launcher:
        plugin = "hydra_joblib_launcher" if "joblib" in launcher else "hydra_submitit_launcher"
        pytest.importorskip(f"hydra_plugins.{plugin}")
    done = negsim("sweep", "experiment=shock_recovery", *SMALL, *launcher.split(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sweep_table(tmp_path).equals(basic_sweep[1])
    assert sweep_bands(tmp_path).equals(sweep_bands(basic_sweep[0]))


@pytest.mark.slow
def test_a_missing_config_group_option_stops_the_sweep_before_any_cell(tmp_path):
    done = negsim("sweep", "scenario=tokyo_2013,tokyo_2031", "sweep.replicates=2", "rounds=2", cwd=tmp_path)
    assert done.returncode == 2
    assert "no scenario 'tokyo_2031'" in done.stderr
    assert not (tmp_path / "multirun").exists()


def test_the_sweeper_checks_one_job_per_choice_of_config_groups():
    batch = [
        ["scenario=tokyo_2013", "seed=1"],
        ["scenario=tokyo_2013", "seed=2"],
        ["scenario=shared_threat", "seed=1"],
        ["scenario=shared_threat", "seed=2"],
    ]
    assert jobs_to_check(batch, {"scenario", "hydra/launcher"}) == [batch[0], batch[2]]
    assert jobs_to_check(batch[:2], {"experiment"}) == [batch[0]]


def stop_processes_under(folder: str) -> None:
    """Stop the processes whose command line names ``folder`` (those of the Ray cluster started with it as its temporary
    folder) and their children (its workers), and only those: terminated, then killed if they linger."""
    psutil = pytest.importorskip("psutil")
    named = [p for p in psutil.process_iter(["cmdline"]) if any(folder in a for a in p.info["cmdline"] or ())]
    mine = {*named, *(c for p in named for c in p.children(recursive=True))}
    for p in mine:
        p.terminate()
    for p in psutil.wait_procs(mine, timeout=30)[1]:
        p.kill()


@pytest.mark.slow
def test_ray_cluster_gives_the_same_cell(tmp_path, cell_config):
    """Replicates as tasks on a Ray cluster (started here, connected to by address) give the same tables. The test
    stops only the cluster it started (its own port and temporary folder), never another one on the machine."""
    pytest.importorskip("ray")
    ray_bin = shutil.which("ray") or str(__import__("pathlib").Path(sys.executable).with_name("ray"))
    with socket.socket() as probe:  # a free port for this cluster alone
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp = tempfile.mkdtemp(prefix="negsim-ray-", dir="/tmp")  # short: Ray's socket paths must fit 107 characters
    start = [ray_bin, "start", "--head", f"--port={port}", "--num-cpus=2", "--node-ip-address=127.0.0.1"]
    start += ["--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"]
    try:
        subprocess.run(start, check=True, capture_output=True, timeout=120)
        executor = Executor(backend="ray", address=f"127.0.0.1:{port}")
        on_ray = run_cell(cell_config, tmp_path / "ray", executor=executor, chunk=20, progress=False)
        local = run_cell(cell_config, tmp_path / "local", chunk=20, progress=False)
        assert on_ray.status == "complete"
        for x, y in zip(tables(on_ray), tables(local), strict=True):
            assert x.equals(y)
    finally:
        import ray

        ray.shutdown()
        stop_processes_under(temp)
        shutil.rmtree(temp, ignore_errors=True)


def test_seeds_have_one_type_whether_or_not_a_batch_holds_seeds_above_2_63():
    """Spawned seeds use all 64 bits: batches with and without large seeds must concatenate without becoming floats."""
    small = simulate_ensemble(load_scenario("tokyo_2013"), [1, 2], rounds=1).replicate_summaries
    large = simulate_ensemble(load_scenario("tokyo_2013"), [2**64 - 1], rounds=1).replicate_summaries
    both = pd.concat([small, large], ignore_index=True)
    assert both["seed"].dtype == "uint64" and both["seed"].iloc[-1] == 2**64 - 1


@pytest.mark.slow
def test_a_bad_sweep_setting_is_one_line_and_exit_2(tmp_path):
    done = negsim("sweep", "sweep.backend=dask", "sweep.replicates=2", "rounds=2", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "negsim: error: sweep.backend: got 'dask'; allowed: one of processes, ray"


@pytest.mark.slow
def test_a_sweep_whose_cells_all_fail_still_aggregates_and_exits_1(tmp_path):
    quota = "scenario.countries.japan.quota=2"
    done = negsim("sweep", quota, "sweep.replicates=2", "rounds=2", "seed=1,2", cwd=tmp_path)
    assert done.returncode == 1
    assert "2 cell(s) did not complete" in done.stderr and "Warning" not in done.stderr
    assert "scenario.countries.japan.quota: got 2" in done.stdout
    assert len(pd.read_parquet(adhoc(tmp_path) / "aggregate" / "cells.parquet")) == 2


@pytest.mark.slow
def test_a_sweep_over_config_group_options_names_them_in_the_aggregate(tmp_path):
    done = negsim("sweep", "scenario=tokyo_2013,tokyo_1956_formula", "sweep.replicates=4", "rounds=6", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cells = pd.read_parquet(adhoc(tmp_path) / "aggregate" / "cells.parquet")
    assert sorted(cells["scenario"]) == ["tokyo_1956_formula", "tokyo_2013"]


def test_batches_shrink_for_scenarios_with_many_pairs():
    assert batch_size(1000, pairs=2, rounds=120) == 1000
    assert batch_size(1000, pairs=702, rounds=120) * 702 * 121 <= MAX_BATCH_ROWS
    assert batch_size(1000, pairs=702, rounds=10**6) == 1
    assert batch_size(7, pairs=2, rounds=120) == 7


def test_the_private_hydra_names_the_sweeper_relies_on():
    """negsim's sweeper subclasses Hydra's basic sweeper and reads its list of batches before the first launch."""
    import inspect

    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    source = inspect.getsource(BasicSweeper.sweep)
    assert source.index("self.overrides = ") < source.index("self.validate_batch_is_legal(batch)")
    assert source.index("self.validate_batch_is_legal(batch)") < source.index("self.launcher.launch(batch")
    assert list(inspect.signature(BasicSweeper.setup).parameters) == [
        "self",
        "hydra_context",
        "task_function",
        "config",
    ]


def test_inspecting_a_sweep_config_runs_no_multirun(tmp_path):
    done = run_here("sweep", "experiment=shock_recovery", "--cfg", "job", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "shock_round: 12" in done.stdout and not (tmp_path / "multirun").exists()
