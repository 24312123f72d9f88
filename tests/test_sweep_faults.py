"""Sweeps whose numbers can be trusted, tested through the real command: each aggregate holds exactly its command's
cells, cells computed by other code are recomputed, nothing that goes wrong ends in exit 0 or a traceback, seeds of
any size, and faults (SIGKILL, Ctrl-C, two commands at once, a worker killed) leave only complete cells.

The command runs in this process (:func:`conftest.run_here`) where that tests the same thing; faults need a program
of their own to kill or interrupt (marked slow)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import Done, run_here

from sim.cli.sweep_app import default_name
from sim.study.version import source_digest

NEGSIM = [sys.executable, "-m", "sim"]
SHOCK = ["experiment=shock_recovery", "sweep.replicates=6", "rounds=10"]
FOUR = [*SHOCK, "shock_round=6,12", "shock_goldstein=-5.0,-10.0"]
TIMINGS = ["seconds", "error"]  # what differs between two runs of the same cells (error: a failed cell's text)


def negsim(*args: str, cwd: Path) -> Done:
    """``negsim ARGS`` run in ``cwd``, in this process."""
    return run_here(*args, cwd=cwd)


def program(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``negsim ARGS`` run as a program of its own."""
    return subprocess.run([*NEGSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*NEGSIM, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def folder(cwd: Path, name: str = "shock_recovery") -> Path:
    return cwd / "multirun" / name


def cells_table(cwd: Path, name: str = "shock_recovery") -> pd.DataFrame:
    table = pd.read_parquet(folder(cwd, name) / "aggregate" / "cells.parquet")
    return table.drop(columns=TIMINGS).sort_values("cell").reset_index(drop=True)


def replicates_table(cwd: Path, name: str = "shock_recovery") -> pd.DataFrame:
    table = pd.read_parquet(folder(cwd, name) / "aggregate" / "replicates.parquet")
    return table.sort_values(["cell", "replicate"]).reset_index(drop=True)


def summary(cwd: Path, name: str = "shock_recovery") -> dict:
    return json.loads((folder(cwd, name) / "aggregate" / "sweep.json").read_text())


def leftovers(cwd: Path) -> list[Path]:
    """Half-written folders and cells without a complete record."""
    partial = [p for p in cwd.rglob("*") if ".partial-" in p.name]
    cells = [c for c in cwd.glob("multirun/*/cells/*") if not (c / "cell.json").exists()]
    return partial + cells


def wait_for_cells(cwd: Path, n: int, process: subprocess.Popen, timeout: float = 120) -> None:
    end = time.time() + timeout
    while len(list(cwd.glob("multirun/*/cells/*/cell.json"))) < n:
        assert process.poll() is None, process.communicate()
        assert time.time() < end, "no cell finished in time"
        time.sleep(0.02)


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def four(tmp_path_factory):
    """The reference: four cells of shock_recovery, uninterrupted."""
    cwd = tmp_path_factory.mktemp("four")
    done = negsim("sweep", *FOUR, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return cwd


# 1. A sweep knows its cells
def test_a_second_command_into_the_same_folder_aggregates_only_its_own_cells(tmp_path, four):
    shutil.copytree(four / "multirun", tmp_path / "multirun")
    done = negsim("sweep", *SHOCK, "sweep.replicates=4", "shock_round=6", "shock_goldstein=-5.0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 of 1 cells complete" in done.stdout
    assert len(cells_table(tmp_path)) == 1 and summary(tmp_path)["cells"] == 1
    assert len(replicates_table(tmp_path)) == 4
    grid = json.loads((folder(tmp_path) / "grid.json").read_text())
    assert [c["values"] for c in grid["cells"]] == [{"rounds": 10, "shock_round": 6, "shock_goldstein": -5.0}]
    again = negsim("sweep", *FOUR, cwd=tmp_path)  # the first grid again: its cells are reused, its aggregate back
    assert again.returncode == 0 and again.stdout.count("— skipped") == 4
    assert cells_table(tmp_path).equals(cells_table(four))


def test_ad_hoc_sweeps_get_names_that_do_not_collide(tmp_path):
    assert default_name(["seed=range(0,5)", "scenario.shock_scale=0.3,0.6"]) != default_name(["scenario=a,b"])
    assert default_name(["a=1", "b=2,3", "sweep.workers=2"]) == default_name(["b=2,3", "a=1"])
    for grid in ("seed=1,2", "seed=3,4"):
        assert negsim("sweep", grid, "sweep.replicates=2", "rounds=2", cwd=tmp_path).returncode == 0
    names = sorted(p.name for p in (tmp_path / "multirun").iterdir())
    assert len(names) == 2 and all(n.startswith("adhoc-") for n in names)
    assert [summary(tmp_path, n)["cells"] for n in names] == [2, 2]


# 2. Versioned cells
def test_cells_computed_by_another_model_version_are_recomputed(tmp_path, four, monkeypatch):
    shutil.copytree(four / "multirun", tmp_path / "multirun")
    with monkeypatch.context() as patched:
        for module in ("sim.study.cells", "sim.study.pipeline"):
            patched.setattr(f"{module}.model_version", lambda: "v-next")
        done = negsim("sweep", *FOUR, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("— complete") == 4 and "skipped" not in done.stdout
    assert summary(tmp_path)["model_versions"] == ["v-next"]
    assert set(cells_table(tmp_path)["cell"]).isdisjoint(cells_table(four)["cell"])
    statuses = [json.loads(p.read_text()) for p in folder(tmp_path).glob("cells/*/cell.json")]
    expected = ["v-next"] * 4 + summary(four)["model_versions"] * 4
    assert sorted(s["model_version"] for s in statuses) == sorted(expected)
    assert negsim("sweep", *FOUR, cwd=tmp_path).stdout.count("— skipped") == 4  # the current code's cells


def test_the_model_version_changes_with_the_code_of_a_rule_and_not_with_a_figure(tmp_path):
    package = Path(__file__).resolve().parents[1] / "sim"
    copy = shutil.copytree(package, tmp_path / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    before = source_digest(copy)
    assert before == source_digest(package)
    with open(copy / "views" / "sweep_figures.py", "a") as f:
        f.write("\n# a figure's change\n")
    assert source_digest(copy) == before
    with open(copy / "model" / "rules" / "confidence.py", "a") as f:
        f.write("\n# a rule's change\n")
    assert source_digest(copy) != before


# 3. Finishing a sweep cannot fail quietly
@pytest.mark.parametrize("broken", ["aggregate", "draw_sweep_plots"])
def test_a_failure_after_the_cells_is_one_line_and_exit_1(tmp_path, broken, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError(f"{broken} broke")

    monkeypatch.setattr(f"sim.cli.sweep_app.{broken}", boom)
    done = negsim("sweep", *SHOCK, "shock_round=6", "shock_goldstein=-5.0", cwd=tmp_path)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert f"failed: RuntimeError: {broken} broke; the traceback is in" in last  # beside the outputs
    assert "Traceback (most recent call last)" in (folder(tmp_path) / "negsim-error.log").read_text()
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    assert (folder(tmp_path) / "aggregate" / "cells.parquet").exists() == (broken == "draw_sweep_plots")


def test_a_failed_cell_records_its_whole_error(tmp_path, monkeypatch):
    def run_chunk(*_args):
        raise ZeroDivisionError("deep inside")

    monkeypatch.setattr("sim.study.executor.run_chunk", run_chunk)
    done = negsim("sweep", *SHOCK, "shock_round=6", "shock_goldstein=-5.0", cwd=tmp_path)
    assert done.returncode == 1 and "1 cell(s) did not complete" in done.stderr
    (status,) = [json.loads(p.read_text()) for p in folder(tmp_path).glob("cells/*/cell.json")]
    assert status["status"] == "failed"
    assert status["error"].startswith("Traceback") and "in run_chunk" in status["error"]
    assert status["error"].endswith("ZeroDivisionError: deep inside")


def test_negsim_plot_names_an_unreadable_cell_and_never_shows_a_traceback(tmp_path, four):
    shutil.copytree(four / "multirun", tmp_path / "multirun")
    assert negsim("plot", str(folder(tmp_path)), cwd=tmp_path).returncode == 0
    broken = sorted(folder(tmp_path).glob("cells/*/cell.json"))[0]
    broken.write_text("{not json")
    shutil.rmtree(folder(tmp_path) / "aggregate")
    done = negsim("plot", str(folder(tmp_path)), cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"1 cell(s) did not complete: {broken.parent.name}" in done.stderr
    assert (summary(tmp_path)["cells"], summary(tmp_path)["complete"]) == (4, 3)
    for argv in ([str(tmp_path)], [], [str(folder(tmp_path)), "x"]):
        done = negsim("plot", *argv, cwd=tmp_path)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and not done.stdout


def test_a_grid_value_that_does_not_resolve_is_a_failed_cell(tmp_path):
    done = negsim("sweep", *SHOCK, "shock_round=6,${oops}", "shock_goldstein=-5.0", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    cells = cells_table(tmp_path)
    assert sorted(cells["status"]) == ["complete", "failed"]
    assert "oops" in pd.read_parquet(folder(tmp_path) / "aggregate" / "cells.parquet")["error"].dropna().iloc[0]


# 5. and 7. Seeds
def test_seeds_of_any_size_and_replicates_reproduced_from_the_aggregate(tmp_path):
    done = negsim("sweep", "seed=3,9223372036854775808", "sweep.replicates=3", "rounds=6", "sweep.name=s", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    cells, table = cells_table(tmp_path, "s"), replicates_table(tmp_path, "s")
    assert cells["cell_seed"].dtype == "UInt64" and sorted(cells["cell_seed"]) == [3, 2**63]
    assert table["cell_seed"].dtype == table["replicate_seed"].dtype == "uint64"
    row = table[table["cell_seed"] == 2**63].iloc[1]
    run = negsim("run", f"seed={row['replicate_seed']}", "rounds=6", "plot=false", "output_dir=one", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    finals = {
        (c["country"], c["counterpart"]): c["final"]
        for c in json.loads((tmp_path / "one/summary.json").read_text())["confidence"]
    }
    assert finals[("japan", "russia")] == row["confidence.japan.russia"]
    assert finals[("russia", "japan")] == row["confidence.russia.japan"]
    huge = negsim("sweep", "seed=1,4722366482869645213696", "sweep.replicates=2", "rounds=2", cwd=tmp_path)
    assert huge.returncode == 2 and not huge.stdout.strip()
    assert huge.stderr.strip() == (
        "negsim: error: seed: got 4722366482869645213696; allowed: a whole number in [0, 2^64 - 1] (18446744073709551615)"
    )


# 6. Faults
@pytest.mark.slow
def test_a_sweep_killed_and_rerun_gives_the_tables_of_an_uninterrupted_one(tmp_path_factory):
    grid = ["experiment=shock_recovery", "sweep.replicates=40", "rounds=30"]  # 12 cells
    whole, killed = tmp_path_factory.mktemp("whole"), tmp_path_factory.mktemp("killed")
    assert negsim("sweep", *grid, cwd=whole).returncode == 0
    process = start("sweep", *grid, cwd=killed)
    wait_for_cells(killed, 3, process)
    process.kill()
    process.wait()
    assert len(list(killed.glob("multirun/*/cells/*/cell.json"))) < 12
    rerun = negsim("sweep", *grid, cwd=killed)
    assert rerun.returncode == 0, rerun.stderr
    assert cells_table(killed).equals(cells_table(whole)) and len(cells_table(whole)) == 12
    assert replicates_table(killed).equals(replicates_table(whole))


@pytest.mark.slow
def test_workers_die_with_a_sweep_killed_by_sigkill(tmp_path):
    process = start("sweep", *FOUR, "sweep.replicates=4000", "sweep.workers=2", "sweep.chunk=200", cwd=tmp_path)
    end = time.time() + 60
    while len(workers := children(process.pid)) < 2 and time.time() < end:
        time.sleep(0.1)
    assert len(workers) >= 2, process.communicate()
    process.kill()
    process.wait()
    end = time.time() + 10
    while any(alive(w) for w in workers) and time.time() < end:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers)


@pytest.mark.slow
def test_two_identical_sweeps_at_once_both_end_cleanly(tmp_path, four):
    processes = [start("sweep", *FOUR, cwd=tmp_path) for _ in range(2)]
    ended = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    assert sorted(code for code, *_ in ended)[0] == 0
    for code, _out, err in ended:
        assert code in (0, 2) and "Traceback" not in err
        if code == 2:
            assert len(err.strip().splitlines()) == 1 and "is in use by negsim sweep, process" in err
    assert cells_table(tmp_path).equals(cells_table(four)) and not leftovers(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_ends_with_one_line_exit_130_and_only_complete_cells(tmp_path, workers):
    settings = [f"sweep.workers={workers}", "sweep.chunk=100", "sweep.replicates=1500", "rounds=40"]
    process = start("sweep", *FOUR, *settings, cwd=tmp_path)
    wait_for_cells(tmp_path, 1, process)
    pool = children(process.pid)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=60)
    _out, err = process.communicate()
    assert code == 130, err
    assert err.strip().splitlines()[-1].startswith("negsim: error: interrupted") and "Traceback" not in err
    assert not leftovers(tmp_path)
    statuses = [json.loads(p.read_text()) for p in tmp_path.glob("multirun/*/cells/*/cell.json")]
    assert statuses and {s["status"] for s in statuses} == {"complete"}
    time.sleep(1)
    assert not any(alive(p) for p in pool)


@pytest.mark.slow
def test_a_worker_killed_mid_sweep_fails_its_cells_and_the_rest_aggregate(tmp_path):
    settings = ["sweep.workers=2", "sweep.chunk=100", "sweep.replicates=1500", "rounds=40"]
    process = start("sweep", *FOUR, *settings, cwd=tmp_path)
    wait_for_cells(tmp_path, 1, process)
    victim = max(children(process.pid) - {os.getpid()})
    os.kill(victim, signal.SIGKILL)
    code = process.wait(timeout=300)
    _out, err = process.communicate()
    assert code == 1 and "Traceback" not in err, err
    cells = cells_table(tmp_path)
    assert len(cells) == 4 and "complete" in set(cells["status"]) and set(cells["status"]) - {"complete"}
    errors = pd.read_parquet(folder(tmp_path) / "aggregate" / "cells.parquet")["error"].dropna()
    assert errors.str.contains("BrokenProcessPool").all() and "did not complete" in err
    assert not leftovers(tmp_path)


@pytest.mark.slow
def test_two_runs_into_one_output_dir_at_once_get_a_folder_each(tmp_path):
    run = ["run", "rounds=20", "plot=false", "output_dir=out"]
    processes = [start(*run, cwd=tmp_path) for _ in range(3)]
    ended = [(p.wait(timeout=300), *p.communicate()) for p in processes]
    assert [code for code, *_ in ended] == [0, 0, 0], [err for *_, err in ended]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out-1", "out-2"]
    assert all((tmp_path / name / "summary.json").exists() for name in ("out", "out-1", "out-2"))


@pytest.mark.slow
def test_ctrl_c_in_a_sensitivity_study_leaves_only_complete_cells(tmp_path):
    """Cells queued ahead of the one being finished are removed with it (issue 25: their temporary folders stayed)."""
    study = ["config=tokyo_morris", "samples=2", "workers=2", "replicates=1500", "chunk=100", "rounds=40"]
    process = start("sensitivity", *study, cwd=tmp_path)
    cells = tmp_path / "outputs" / "sensitivity" / "tokyo_morris" / "cells"
    end = time.time() + 120
    while len(list(cells.glob(".*.partial-*"))) < 2:  # the cell being finished and one queued ahead of it
        assert process.poll() is None, process.communicate()
        assert time.time() < end, "no cell started in time"
        time.sleep(0.02)
    pool = children(process.pid)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=60)
    _out, err = process.communicate()
    assert code == 130, err
    assert err.strip().splitlines()[-1].endswith("interrupted; finished outputs are kept, unfinished ones removed")
    assert "Traceback" not in err and not leftovers(tmp_path)
    assert all((cell / "manifest.json").is_file() for cell in cells.iterdir())
    time.sleep(1)
    assert not any(alive(p) for p in pool)
