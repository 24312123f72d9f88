"""The negsim command as a user runs it: outputs on success; one clear line and nothing on disk on a mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.errors import LOG_FILE
from sim.cli.main import main
from sim.cli.overrides import checked_configs, hydra_arguments
from sim.io.library import load_scenario
from sim.io.run_output import write_run
from sim.model.run import simulate

NEGSIM = [sys.executable, "-m", "sim"]
TABLES = ["country_confidence", "ministry_confidence", "meetings", "agenda", "offers", "events"]


def negsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*NEGSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_run_writes_everything(tmp_path):
    done = negsim("run", "seed=3", "rounds=24", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / done.stdout.strip().splitlines()[-1].split("outputs in ")[1]
    for name in TABLES:
        assert len(pd.read_parquet(out / f"{name}.parquet").columns) > 0
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["seed"], summary["rounds"]) == (3, 24)
    assert "seed: 3" in (out / "config.yaml").read_text()
    for figure in ("confidence", "talks", "bargaining"):
        assert (out / f"{figure}.png").stat().st_size > 10_000
    talks = done.stdout.splitlines()[
        done.stdout.splitlines().index("  peace_treaty: no settlement after 12 sessions") + 1
    ]
    assert "positions" in talks and "refused: " in talks and "outside win set" in talks  # what was tabled, and why not
    again = negsim("run", "seed=3", "rounds=24", f"output_dir={out}", cwd=tmp_path)
    assert again.returncode == 0
    assert pd.read_parquet(out / "agenda.parquet").equals(pd.read_parquet(Path(f"{out}-1") / "agenda.parquet"))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("seed=abc", "seed: got 'abc'"),
        ("rounds=0", "rounds: got 0"),
        ("scenario.countries.japan.ministries.foreign.confidence.russia=1.4", "confidence.russia: got 1.4"),
        ("scenario.events.0.cameo=999", "events[0].cameo: got 999"),
        ("scenario=synthetic scenario.synthetic.countries=3000", "scenario.synthetic.countries: got 3000"),
        ("scenario=synthetic +scenario.synthetic.size=3", "scenario.synthetic.size: got 3; allowed: a known key"),
        ("+scenario.talks.peace_treaty.deadline=0", "peace_treaty.deadline: got 0; allowed: a whole number ≥ 1"),
        ("+scenario.talks.peace_treaty.margin=1.5", "peace_treaty.margin: got 1.5; allowed: a number in [0, 1]"),
    ],
)
@pytest.mark.slow
def test_mistakes_exit_non_zero_with_one_line_and_no_output(tmp_path, override, message):
    done = negsim("run", *override.split(), cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "outputs").exists()


@pytest.mark.slow
def test_a_synthetic_scenario_of_any_size_runs_from_the_command_line(tmp_path):
    done = negsim("run", "scenario=synthetic", "scenario.synthetic.countries=12", "rounds=6", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / done.stdout.strip().splitlines()[-1].split("outputs in ")[1]
    assert out.name.endswith("_synthetic_seed2013")
    assert pd.read_parquet(out / "country_confidence.parquet")["country"].nunique() == 12


@pytest.mark.slow
def test_unknown_keys_and_scenarios_are_refused_with_the_nearest_name(tmp_path):
    for override, nearest in (
        ("scenario=tokio", "no scenario 'tokio'"),
        ("scenario.countries.japn.quota=1", "'japan'"),
    ):
        done = negsim("run", override, cwd=tmp_path)
        assert done.returncode == 2 and nearest in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "outputs").exists()


def test_the_pre_check_gives_every_value_of_a_sweep_one_composition():
    """The checked configs: the first value of each swept key, then each other value once (3 + 2 - 1 = 4, not 6)."""
    configs = checked_configs(["--multirun", "seed=1,2,3", "scenario=tokyo_2013,shared_threat"], multirun=True)
    assert [(c.seed, c.scenario.name) for c in configs] == [
        (1, "tokyo_2013"),
        (2, "tokyo_2013"),
        (3, "tokyo_2013"),
        (1, "shared_threat"),
    ]


def test_hydras_command_line_parser_reads_negsims_flags():
    """negsim reads its command lines with Hydra's own (private) parser: the flags it relies on are still there."""
    args = hydra_arguments(["--multirun", "--config-dir", "x", "seed=1"])
    assert (args.multirun, args.config_dir, args.overrides) == (True, "x", ["seed=1"])
    assert hydra_arguments(["--cfg", "job"]).cfg == "job"
    assert {"help", "hydra_help", "info", "shell_completion", "experimental_rerun", "config_path"} <= set(vars(args))


def test_an_unexpected_failure_in_a_sweep_leaves_its_traceback_beside_the_outputs(tmp_path, monkeypatch, capsys):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the pipeline broke")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.cli.sweep_app.aggregate", broken)
    monkeypatch.delenv("NEGSIM_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", "sweep.replicates=2", "rounds=2", "sweep.name=broken"])
    err = capsys.readouterr().err
    log = tmp_path / "multirun" / "broken" / LOG_FILE
    assert exit_.value.code == 1
    last = err.strip().splitlines()[-1]  # after the progress bars
    message = "aggregating multirun/broken failed: RuntimeError: the pipeline broke; the traceback is in"
    assert last == f"negsim: error: {message} {log.relative_to(tmp_path)}"
    assert "Traceback" in log.read_text() and "the pipeline broke" in log.read_text()


@pytest.mark.slow
def test_help_lists_commands(tmp_path):
    done = negsim("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "run" in done.stdout and "scenarios" in done.stdout
    assert "tokyo_2013" in negsim("scenarios", cwd=tmp_path).stdout


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    """Outputs are written under a temporary name and renamed: a failure part-way leaves no directory."""
    import sim.io.run_output

    def broken(_result):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sim.io.run_output, "plot_confidence", broken)
    with pytest.raises(RuntimeError):
        write_run(simulate(load_scenario("tokyo_2013"), rounds=5), tmp_path / "run")
    assert list(tmp_path.iterdir()) == []
