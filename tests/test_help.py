"""What a new user meets first: each command's ``--help``, the studies' questions, the run's console summary."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim.cli.main import COMMANDS, main
from sim.cli.summary import MAX_MOVES, run_summary


def help_of(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0, command
    return capsys.readouterr().out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_answers_help(command, capsys):
    out = help_of(command, capsys)
    assert f"negsim {command}" in out
    assert "powered by Hydra" not in out


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_hydra_commands_say_what_they_do_with_two_examples_and_how_to_see_the_config(command, capsys):
    out = help_of(command, capsys)
    assert len(out.splitlines()) < 40, "a screenful, not the config dump"
    assert sum(line.strip().startswith(f"negsim {command} ") for line in out.splitlines()) >= 2
    assert "--cfg job" in out
    assert "tokyo_2013" in out and "shared_threat" in out  # the scenarios on offer


def test_help_shows_the_values_the_overrides_give(capsys):
    with pytest.raises(SystemExit):
        main(["run", "seed=7", "--help"])
    assert "(now: 7)" in capsys.readouterr().out


def test_experiments_prints_each_study_s_question(capsys):
    main(["experiments"])
    out = capsys.readouterr().out
    assert "@package" not in out
    assert "shock_recovery" in out and "how long confidence takes to recover" in out


def summary(pairs: int, talks: int) -> dict:
    return {
        "scenario": "big",
        "seed": 1,
        "rounds": 5,
        "talks": [
            {
                "talks": f"t{k}",
                "settled": False,
                "sessions": 2,
                "proposals": {"position": 4},
                "answers": {"not_trusted": 4},
            }
            for k in range(talks)
        ],
        "confidence": [
            {"country": f"c{k}", "counterpart": "c0", "initial": 0.5, "final": 0.5 + k / (2 * pairs)}
            for k in range(pairs)
        ],
        "counts": {"meetings": 3, "events": 0},
    }


def test_the_console_summary_fits_on_a_screen_and_says_where_the_rest_is():
    lines = run_summary(summary(40_000, 30), "out/dir", ["scenario=synthetic", "rounds=5"])
    assert len(lines) <= 24
    assert "scenario=synthetic rounds=5" in lines[1]
    assert "c39999 → c0" in "\n".join(lines)  # the largest move comes first
    assert any("out/dir/summary.json" in line for line in lines)
    assert lines[-1] == "negsim: outputs in out/dir"


def test_a_small_run_lists_every_pair():
    lines = run_summary(summary(2, 1), "out", [])
    assert sum("confidence c" in line for line in lines) == 2 <= MAX_MOVES
    assert "none (the defaults)" in lines[1]


def test_a_misspelt_key_gets_the_nearest_name(capsys):
    with pytest.raises(SystemExit) as done:
        main(["run", "scenario.countries.japan.ministries.foriegn.hawkishness=0.3"])
    assert done.value.code == 2 and "did you mean 'foreign'" in capsys.readouterr().err


def test_the_command_list_is_one_column_of_names_and_one_of_descriptions(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out.split("commands:\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in listed] == list(COMMANDS)
    starts = {len(line) - len(line.split(maxsplit=1)[1]) for line in listed}
    assert len(starts) == 1, listed


@pytest.mark.slow
def test_run_help_answers_without_starting_hydra_s_app_or_importing_the_simulation_s_heavy_libraries():
    """Hydra's app lists every option of every config group before it prints a help page, and SciPy's statistics
    take a second to import: `negsim run --help` took about 4 s of CPU (7 s on a loaded machine)."""
    code = (
        "import resource, sys\n"
        "from sim.cli.main import main\n"
        "try:\n    main(['run', 'seed=7', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('scipy.stats', 'matplotlib.pyplot', 'sim.cli.hydra_apps') if m in sys.modules]\n"
        "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print('HEAVY', heavy, usage.ru_utime + usage.ru_stime)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "(now: 7)" in done.stdout, done.stderr
    heavy, seconds = done.stdout.split("HEAVY ")[1].rsplit(" ", 1)
    assert heavy == "[]"
    assert float(seconds) < 2.5, f"{seconds} s of CPU"
