"""Broken and hostile input at every door, through the real ``negsim`` command: each mistake ends with one line on
standard error, the exit code of its class (2: bad input), no traceback and nothing written, within seconds and
bounded memory. Files built to exhaust (an alias bomb, a 50 MB file, nesting thousands deep) are refused by the limits
of ``sim.io.yaml_files`` before anything expands them, whatever route names them.

Most commands run in this process (:func:`command`: ``sim.cli.main.main``, the same code the ``negsim`` program runs,
without its second or two of start-up); the few that measure the program's own memory or need a terminal run it as
a program (:func:`negsim`, marked slow).
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from contextlib import suppress
from pathlib import Path

import pandas as pd
import pytest
from conftest import Done, run_here, stopped_after

from sim.cli import main as cli
from sim.io.event_records import read_events
from sim.model.errors import ScenarioError
from sim.study.limits import max_workers

SECONDS = 30  # of CPU per command (a refusal takes 2–5 s as a program, most of it importing; less in this process)
MIB = 2**20
PEAK_MEMORY = 400 * MIB  # a refusal peaks at about 200 MiB, the same for a hostile file as for a typo


@pytest.fixture
def command(tmp_path):
    """``negsim ARGS`` run in this process, in the test's own folder."""
    return lambda *args: run_here(*args, cwd=tmp_path)


# The command run as a program with its own peak memory measured: the kernel's VmHWM of the new program (counted from
# its exec), as ru_maxrss of a forked child also counts the memory of the test process it was forked from.
MEASURED = """import atexit, os, runpy, sys
def peak():
    with open("/proc/self/status") as status:
        kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    with open(os.environ["NEGSIM_TEST_PEAK"], "w") as out:
        out.write(str(kb * 1024))
atexit.register(peak)
sys.argv = ["negsim", *sys.argv[1:]]
runpy.run_module("sim", run_name="__main__", alter_sys=True)
"""


def negsim(*args: str, cwd: Path, env: dict | None = None) -> Done:
    """Run the program ``negsim ARGS`` in ``cwd``; measure its CPU time and its peak memory (the wall time of a shared
    machine says more about the other work on it). A watchdog ends a hang after 120 s."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
    ):
        peak_file = Path(scratch) / "peak"
        process = subprocess.Popen(
            [sys.executable, "-c", MEASURED, *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {}), "NEGSIM_TEST_PEAK": str(peak_file)},
        )
        watchdog = threading.Timer(120, process.kill)
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        peak = int(peak_file.read_text()) if peak_file.exists() else usage.ru_maxrss * 1024
        cpu = usage.ru_utime + usage.ru_stime
        return Done(process.returncode, out.read(), err.read(), cpu, peak)


def refused(done: Done, fragment: str, tmp_path: Path, *, code: int = 2, inputs: set[str] = frozenset()) -> None:
    """One line naming the problem, exit ``code``, no traceback, nothing written, within the time limit."""
    assert done.returncode == code, done.stderr
    assert done.stderr.startswith("negsim: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert fragment in done.stderr, done.stderr
    assert len(done.stderr) < 2000, "a message quotes at most a short part of the input"
    assert {p.name for p in tmp_path.iterdir()} <= set(inputs), "something was written"
    assert done.seconds < SECONDS
    assert done.peak_bytes is None or done.peak_bytes < PEAK_MEMORY


# --- Hydra overrides: unknown keys and options, syntax, sweeps given to `run`, `+key` -----------------------------

OVERRIDES = [
    ("scenario.countries.japan.ministries.foriegn.hawkishness=0.3", "did you mean 'foreign'?"),
    ("+scenario.countries.japan.ministries.foriegn.hawkishness=0.3", "did you mean 'foreign'?"),
    ("scenario.countries.japn.quota=1", "did you mean 'japan'?"),
    ("seedd=3", "did you mean 'seed'?"),
    ("sweep.nme=x", "did you mean 'name'?"),
    ("scenario=tokyo2013", "did you mean 'tokyo_2013'?"),
    ("scenario=tokio", "no scenario 'tokio'"),
    ("experiment=shok_recovery", "did you mean 'shock_recovery'?"),
    ("hydra/launcher=slurmm", "did you mean 'slurm'?"),
    ("seed=[1,", "not an override"),
    ("séed=3", "character 'é' at position 2"),
    ("scenario.name=é", "quoted value"),
    ("seed=1,2", "negsim sweep seed=1,2"),
    ("rounds=range(1,4)", "several values"),
    ("+no_such_key=1", "no key 'no_such_key' at the top level"),
    ("+sed=3", "did you mean 'seed'?"),
    ("+seed=3", "seed=3 (without +) to change it"),
    ("~nokey", "no key 'nokey' to delete"),
    ("--bogus", "unrecognized arguments: --bogus"),
    ("--cfg", "expected one argument"),
    ("--help scenario=tokio", "no scenario 'tokio'"),
    ("--cfg job seedd=1", "did you mean 'seed'?"),
]


@pytest.mark.parametrize(("override", "fragment"), OVERRIDES, ids=[o for o, _ in OVERRIDES])
def test_a_bad_override_is_refused_in_one_line_with_the_nearest_name(tmp_path, command, override, fragment):
    refused(command("run", *override.split()), fragment, tmp_path)


SWEEP_OVERRIDES = [
    ("scenario=tokyo_2013,tokio", "no scenario 'tokio'"),
    ("seed=interval(0,1)", "an interval cannot be swept"),
    ("scenario.countries.japan.ministries.foriegn.hawkishness=0.3,0.4", "did you mean 'foreign'?"),
]


@pytest.mark.parametrize(("override", "fragment"), SWEEP_OVERRIDES, ids=[o for o, _ in SWEEP_OVERRIDES])
def test_a_bad_sweep_override_is_refused_before_hydra_writes_anything(tmp_path, command, override, fragment):
    refused(command("sweep", *override.split()), fragment, tmp_path)


# --- Run settings and output places -------------------------------------------------------------------------------

RUN_SETTINGS = [
    ("seed=-1", "seed: got -1; allowed: a whole number ≥ 0"),
    ("seed=abc", "seed: got 'abc'"),
    ("rounds=0", "rounds: got 0; allowed: a whole number in [1, 10,000]"),
    ("rounds=1000000000", "rounds: got 1000000000"),
    ("rounds=2.5", "rounds: got 2.5"),
    ("plot=maybe", "plot: got 'maybe'; allowed: true or false"),
    ("record.ministry_every=-1", "record.ministry_every: got -1"),
    ("output_dir=/dev/null/run", "lies under /dev/null, which is not a folder"),
    ("output_dir=''", "output_dir: got ''; allowed: a folder path"),
    ("output_dir=/proc/negsim", "cannot write in /proc"),
    ("scenario=synthetic scenario.synthetic.countries=100 rounds=5000", "would record about"),
]


@pytest.mark.parametrize(("override", "fragment"), RUN_SETTINGS, ids=[o for o, _ in RUN_SETTINGS])
def test_a_bad_run_setting_is_refused_before_the_run(tmp_path, command, override, fragment):
    refused(command("run", *override.split()), fragment, tmp_path)


def test_an_output_dir_below_a_file_is_refused(tmp_path, command):
    (tmp_path / "a_file").write_text("")
    done = command("run", "output_dir=a_file/run")
    refused(done, "which is not a folder", tmp_path, inputs={"a_file"})


# --- Sweep settings: refused before the first job, nothing written ------------------------------------------------

SWEEP_SETTINGS = [
    ("sweep.workers=0", "sweep.workers: got 0; allowed: a whole number in [1, "),
    ("sweep.workers=-1", "sweep.workers: got -1"),
    ("sweep.workers=1000", "sweep.workers: got 1000"),
    ("sweep.workers=abc", "sweep.workers: got 'abc'"),
    ("sweep.replicates=0", "sweep.replicates: got 0; allowed: a whole number in [1, 1,000,000]"),
    ("sweep.replicates=1000000000", "sweep.replicates: got 1000000000"),
    ("sweep.chunk=0", "sweep.chunk: got 0"),
    ("seed=-1", "seed: got -1"),
    ("rounds=0", "rounds: got 0"),
    ("seed=1,-2", "seed: got -2"),
    ("rounds=5,0", "rounds: got 0"),
    ("sweep.backend=gpu", "sweep.backend: got 'gpu'"),
    ("sweep.name=a/b", "sweep.name: got 'a/b'"),
    ("hydra.sweep.dir=/dev/null/sweep", "lies under /dev/null, which is not a folder"),
    ("hydra.sweep.dir=''", "hydra.sweep.dir: got ''"),
    ("experiment=shock_recovery sweep.replicates=0", "sweep.replicates: got 0"),
    ("plot=maybe seed=1,2", "plot: got 'maybe'"),
]


@pytest.mark.parametrize(("override", "fragment"), SWEEP_SETTINGS, ids=[o for o, _ in SWEEP_SETTINGS])
def test_a_bad_sweep_setting_is_refused_before_the_first_job(tmp_path, command, override, fragment):
    refused(command("sweep", *override.split()), fragment, tmp_path)


# --- Scenario files that are not scenarios, and files built to exhaust ---------------------------------------------


def alias_bomb() -> str:
    """A "billion laughs": 9 levels of 9 aliases each, 9^10 values once expanded, in 800 bytes."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, cur in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join([*lines, "name: *j", ""])


SCENARIO_FILES = {
    "empty": ("", "the file holds no value"),
    "a_list": ("- japan\n- russia\n", "the file holds a list"),
    "a_scalar": ("just words\n", "the file holds a single value"),
    "tabs": ("name: x\ncountries:\n\tjapan: {}\n", "line 3, column 1: a tab character"),
    "country_twice": ("name: x\ncountries:\n  japan: {}\n  japan: {}\n", "key 'japan' given twice (first at line 3)"),
    "bad_syntax": ("name: [x\n", "valid YAML"),
    "unknown_alias": ("name: *nowhere\n", "valid YAML"),
    "python_tag": ("name: !!python/object/apply:os.system [ls]\n", "valid YAML"),
    "two_documents": ("name: x\n---\nname: y\n", "valid YAML"),
    "control_character": ("name: x\x00\n", "cannot appear in YAML"),
    "nested_200": ("name: " + "[" * 200 + "]" * 200 + "\n", "nesting deeper than 100 levels"),
    "nested_5000": ("name: " + "[" * 5000 + "]" * 5000 + "\n", "line 1"),
    "alias_bomb": (alias_bomb(), "aliases expand to more than 2,000,000 values"),
    "not_a_scenario": ("name: x\nfoo: 1\n", "scenario.foo: got 1; allowed: a known key"),
    "a_huge_key": ("name: x\n? " + "k" * MIB + "\n: 1\n", "kkk: got 1; allowed: a known key"),
    "a_huge_value": ("name: x\ncountries: '" + "v" * MIB + "'\n", "scenario.countries: got 'vvvvvvvvvvvv"),
}


EXHAUSTING = ("nested_5000", "alias_bomb", "a_huge_key", "a_huge_value")  # built to exhaust memory or time


def config_file(tmp_path: Path, name: str, content: str | bytes, group: str = "scenario") -> None:
    """``conf/<group>/<name>.yaml`` under ``tmp_path``, holding ``content``."""
    (tmp_path / "conf" / group).mkdir(parents=True, exist_ok=True)
    path = tmp_path / "conf" / group / f"{name}.yaml"
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)


@pytest.mark.parametrize("name", [n for n in SCENARIO_FILES if n not in EXHAUSTING])
def test_a_scenario_file_that_is_not_a_scenario_is_refused_at_its_line(tmp_path, command, name):
    text, fragment = SCENARIO_FILES[name]
    config_file(tmp_path, name, text)
    refused(command("run", "--config-dir", "conf", f"scenario={name}"), fragment, tmp_path, inputs={"conf"})


@pytest.mark.slow
@pytest.mark.parametrize("name", EXHAUSTING)
def test_a_scenario_file_built_to_exhaust_is_refused_in_bounded_memory(tmp_path, name):
    text, fragment = SCENARIO_FILES[name]
    config_file(tmp_path, name, text)
    refused(
        negsim("run", "--config-dir", "conf", f"scenario={name}", cwd=tmp_path), fragment, tmp_path, inputs={"conf"}
    )


def test_binary_garbage_is_refused_as_not_utf8(tmp_path, command):
    config_file(tmp_path, "garbage", bytes(range(256)) * 40)
    done = command("run", "--config-dir", "conf", "scenario=garbage")
    refused(done, "byte 0x80 at offset 128 is not UTF-8 text", tmp_path, inputs={"conf"})


def huge_file(path: Path) -> None:
    """A 50 MB scenario file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        f.write("name: huge\ndescription: '")
        for _ in range(50):
            f.write("x" * MIB)
        f.write("'\n")


@pytest.mark.slow
def test_a_50_mb_scenario_is_refused_by_its_size_before_it_is_read(tmp_path):
    huge_file(tmp_path / "conf" / "scenario" / "huge.yaml")
    done = negsim("run", "--config-dir", "conf", "scenario=huge", cwd=tmp_path)
    refused(done, "allowed: a YAML file of at most 16 MiB", tmp_path, inputs={"conf"})


@pytest.mark.slow
def test_a_study_naming_a_hostile_scenario_file_is_refused(tmp_path):
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    (tmp_path / "study.yaml").write_text("scenario: bomb.yaml\nmethod: morris\nsamples: 2\nreplicates: 1\n")
    done = negsim("sensitivity", "config=study.yaml", cwd=tmp_path)
    refused(done, "aliases expand to more than", tmp_path, inputs={"bomb.yaml", "study.yaml"})


@pytest.mark.slow
def test_a_hostile_study_file_is_refused_before_hydra_reads_it(tmp_path):
    (tmp_path / "study.yaml").write_text(alias_bomb())
    done = negsim("sensitivity", "config=study.yaml", cwd=tmp_path)
    refused(done, "aliases expand to more than", tmp_path, inputs={"study.yaml"})


# --- Every YAML file Hydra may load is read safely first, whatever route names it (issue 25, class 5) -------------

ROUTES = {  # the ways a command line names a folder of config files
    "--config-dir": lambda folder: ["--config-dir", str(folder)],
    "hydra.searchpath": lambda folder: [f"hydra.searchpath=[file://{folder}]"],
}
HOSTILE = {  # a scenario file, and the problem its refusal names
    "recursive_alias": ("name: &n [*n]\n", "the alias *n lies inside the collection &n names"),
    "deep": ("name: " + "[" * 5000 + "]" * 5000 + "\n", "deep.yaml line 1"),
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_on_any_route_to_hydra_is_refused_in_a_second(tmp_path, command, route, name):
    text, fragment = HOSTILE[name]
    config_file(tmp_path, name, text)
    done = command("run", *ROUTES[route](tmp_path / "conf"), f"scenario={name}")
    refused(done, fragment, tmp_path, inputs={"conf"})
    assert done.seconds < 5


@pytest.mark.parametrize("route", ROUTES)
def test_a_50_mb_file_on_any_route_to_hydra_is_refused_unread(tmp_path, command, route):
    huge_file(tmp_path / "conf" / "scenario" / "huge.yaml")
    done = command("run", *ROUTES[route](tmp_path / "conf"), "scenario=huge")
    refused(done, "the file holds 52,428,827 bytes; allowed: a YAML file of at most 16 MiB", tmp_path, inputs={"conf"})
    assert done.seconds < 5


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES)
def test_an_alias_bomb_on_any_route_to_hydra_is_refused_in_bounded_memory(tmp_path, route):
    config_file(tmp_path, "bomb", alias_bomb())
    done = negsim("run", *ROUTES[route](tmp_path / "conf"), "scenario=bomb", cwd=tmp_path)
    refused(done, "aliases expand to more than 2,000,000 values", tmp_path, inputs={"conf"})


def test_a_study_file_choosing_a_hostile_scenario_from_its_own_folder_is_refused(tmp_path, command):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "loop.yaml").write_text(HOSTILE["recursive_alias"][0])
    (tmp_path / "study.yaml").write_text("defaults:\n  - /scenario@scenario: loop\n  - _self_\n")
    done = command("sensitivity", "config=study.yaml")
    refused(done, "the alias *n lies inside the collection &n names", tmp_path, inputs={"scenario", "study.yaml"})


# --- Files that never end: a FIFO or a device is refused wherever a file is named (issue 25, class 2) ------------


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    return path


def test_a_fifo_named_as_a_studys_scenario_is_refused(tmp_path, command, fifo):
    (tmp_path / "study.yaml").write_text("scenario: fifo.yaml\nmethod: morris\nsamples: 2\nreplicates: 1\n")
    done = command("sensitivity", "config=study.yaml")
    refused(
        done,
        "fifo.yaml: this is a FIFO (a named pipe), not a regular file",
        tmp_path,
        inputs={"fifo.yaml", "study.yaml"},
    )


@pytest.mark.parametrize("route", ROUTES)
def test_a_fifo_among_the_config_files_is_refused(tmp_path, command, route):
    (tmp_path / "conf" / "scenario").mkdir(parents=True)
    os.mkfifo(tmp_path / "conf" / "scenario" / "pipe.yaml")
    refused(command("run", *ROUTES[route](tmp_path / "conf"), "scenario=pipe"), "pipe", tmp_path, inputs={"conf"})


def test_a_fifo_as_an_event_record_is_refused(tmp_path, fifo):
    with stopped_after(20), pytest.raises(ScenarioError, match="this is a FIFO"):
        read_events(fifo, {"JAPAN": "japan"})


def test_a_device_is_refused_as_a_file(tmp_path):
    with stopped_after(20), pytest.raises(ScenarioError, match="/dev/zero: this is a character device"):
        read_events("/dev/zero", {"JAPAN": "japan"})


# --- Other doors: commands, the dashboard's flags ------------------------------------------------------------------

COMMANDS = [
    (("rnu",), "no command 'rnu'"),
    (("scenarios", "extra"), "allowed: no arguments"),
    (("experiments", "extra"), "allowed: no arguments"),
    (("dashboard", "--port", "99999"), "--port: got '99999'; allowed: a port number in [1, 65535]"),
    (("dashboard", "--port", "0"), "--port: got '0'"),
    (("dashboard", "--port", "-1"), "--port"),
    (("dashboard", "--port", "http"), "--port: got 'http'"),
    (("dashboard", "--host", "no-such-host.invalid"), "cannot resolve host 'no-such-host.invalid'"),
    (("dashboard", "--colour", "red"), "unrecognized arguments: --colour red"),
]


@pytest.mark.parametrize(("args", "fragment"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_bad_commands_and_flags_are_refused_in_one_line(tmp_path, command, args, fragment):
    pytest.importorskip("solara") if args[0] == "dashboard" else None
    refused(command(*args), fragment, tmp_path)


# --- Failures that are not the user's: exit 1, one line, the traceback when asked for -------------------------------


def broken_simulate(*_args, **_kwargs):
    raise RuntimeError("the engine broke")


def test_an_unexpected_failure_is_one_line_with_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.cli.hydra_apps.simulate", broken_simulate)
    monkeypatch.delenv("NEGSIM_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run"])
    err = capsys.readouterr().err
    assert exit_.value.code == 1
    assert err.startswith("negsim: error: negsim run failed: RuntimeError: the engine broke; rerun with --debug")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.cli.hydra_apps.simulate", broken_simulate)
    monkeypatch.setenv("NEGSIM_DEBUG", "0")  # --debug sets it to 1: restored after the test
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "--debug"])
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and "Traceback" in err and "broken_simulate" in err
    assert err.splitlines()[-1].startswith("negsim: error: negsim run failed: RuntimeError")


def test_ctrl_c_in_a_run_exits_130_and_writes_nothing(tmp_path, monkeypatch, capsys):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.cli.hydra_apps.simulate", interrupted)
    monkeypatch.delenv("NEGSIM_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run"])
    err = capsys.readouterr().err
    assert exit_.value.code == 130 and err.count("\n") == 1 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_the_program_interrupted_keeps_its_heap_out_of_the_last_collections(tmp_path, monkeypatch, capsys):
    """After Ctrl-C the program freezes what the work left (gc.freeze), so that exiting does not walk it all; a caller
    of main(argv) keeps its heap as it was."""

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sim.cli.hydra_apps.simulate", interrupted)
    monkeypatch.setattr(sys, "argv", list(sys.argv))  # given back after: negsim run hands its arguments to Hydra
    monkeypatch.delenv("NEGSIM_DEBUG", raising=False)
    frozen, before = [], gc.get_freeze_count()
    try:
        for argv in (["run"], None):
            sys.argv[:] = ["negsim", "run"]
            with pytest.raises(SystemExit) as exit_:
                cli.main(argv)
            frozen.append((exit_.value.code, gc.get_freeze_count() > before))
    finally:
        gc.unfreeze()
    assert capsys.readouterr().err.count("interrupted") == 2
    assert frozen == [(130, False), (130, True)]


LONG_RUN = ["scenario=synthetic", "scenario.synthetic.countries=40", "rounds=10000", "record.ministry_every=0"]


@pytest.mark.slow
def test_a_long_run_shows_progress_and_stops_cleanly_on_ctrl_c(tmp_path):
    """On a terminal a long run shows a progress bar; Ctrl-C (SIGINT) then ends it with one line, exit 130 and no
    run folder."""
    terminal, child_end = pty.openpty()
    fcntl.ioctl(child_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 columns for the bar
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", *LONG_RUN], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=child_end
    )
    os.close(child_end)
    shown, deadline = b"", time.monotonic() + 90
    while b"negsim: rounds" not in shown and time.monotonic() < deadline and process.poll() is None:
        if select.select([terminal], [], [], 1)[0]:
            shown += os.read(terminal, 4096)
    assert process.poll() is None, (
        f"the run ended (exit {process.returncode}) before Ctrl-C; it showed {shown[-300:]!r}"
    )
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    with suppress(OSError):  # the terminal reports EIO once the child has closed it
        while chunk := os.read(terminal, 4096):
            shown += chunk
    os.close(terminal)
    text = shown.decode()
    assert "negsim: rounds" in text and "Traceback" not in text
    assert (
        text.rstrip()
        .splitlines()[-1]
        .endswith("negsim run: interrupted; finished outputs are kept, unfinished ones removed")
    )
    assert not list(tmp_path.glob("outputs/runs/*/*"))


def test_events_after_the_last_round_are_a_warning(command):
    done = command("run", "rounds=30", "plot=false", "record.ministry_every=0")
    assert done.returncode == 0, done.stderr
    assert "negsim: warning: 3 scheduled event(s) fall after the last round (30)" in done.stderr


# --- Event files ---------------------------------------------------------------------------------------------------

HEADER = "date,source,target,cameo\n"
ROWS = "2014-03-18,JAPAN,RUSSIA,036\n2014-04-01,RUSSIA,JAPAN,036\n2014-05-01,JAPAN,RUSSIA,036\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (HEADER + "2014-03-18,JAPAN,RUSSIA," + "1" * (200 * 1024) + "\n", "line 2: field larger than field limit"),
        ("date,source,target,cameo,date\n2014-03-18,JAPAN,RUSSIA,036,2015-01-01\n", "'date' and 'date'"),
        ("date,source,target,cameo,Date\n2014-03-18,JAPAN,RUSSIA,036,2015-01-01\n", "have the same name"),
        # a quote left open swallows the records after it into one field (issue 25, class 1)
        (
            HEADER.replace("\n", ",note\n") + '2014-03-18,JAPAN,RUSSIA,036,"talks\n2014-04-01,RUSSIA,JAPAN,036,x"\n',
            "line 2: a quoted field runs from line 2 over 1 line break(s) (an unterminated quote?)",
        ),
        (HEADER + '2014-03-18,JAPAN,RUSSIA,"036\n' + ROWS, "line 2: unexpected end of data"),
        (HEADER + "2014-03-18,JAPAN,RUSSIA,036,oops\n" + ROWS, "line 2: 5 field(s) where the header has 4"),
        (HEADER + ROWS + "2014-06-01,JAPAN\n", "line 5: 2 field(s) where the header has 4"),
        (HEADER + '2014-03-18,JAPAN,RUSSIA,"036"x\n', "line 2: ',' expected after '\"'"),
    ],
    ids=[
        "huge field",
        "column twice",
        "column twice in another case",
        "open quote",
        "open quote at the end",
        "a field too many",
        "fields missing",
        "stray quote",
    ],
)
def test_an_event_file_that_is_not_one_record_a_line_is_refused_at_its_line(tmp_path, text, fragment):
    path = tmp_path / "events.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=re.escape(fragment)) as error:
        read_events(path, {"JAPAN": "japan", "RUSSIA": "russia"})
    assert len(str(error.value)) < 400


def test_a_calibration_on_a_record_with_an_open_quote_is_refused_before_any_work(tmp_path, command):
    """The records on lines 3 and 4 would be swallowed into a note, and the calibration run on the rest (issue 25)."""
    pytest.importorskip("pyabc")
    record = 'date,source,target,cameo,note\n2013-12,japan,russia,036,"a note\n2014-01,russia,japan,036,x\n'
    (tmp_path / "events.csv").write_text(record + '2014-02,japan,russia,036,y"\n2014-03,russia,japan,036,z\n')
    small = ["population=2", "generations=1", "predictive=1"]
    done = command("calibrate", "config=tokyo_2013", *small, f"observed={tmp_path / 'events.csv'}")
    refused(
        done, "events.csv line 2: a quoted field runs from line 2 over 2 line break(s)", tmp_path, inputs={"events.csv"}
    )


# --- Result folders (`negsim plot`, a rerun): a cell is complete only with every file its manifest lists -----------


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    done = run_here("sweep", "seed=1,2", "sweep.replicates=2", "rounds=2", "sweep.name=damaged", cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "multirun" / "damaged"


def damaged(sweep_folder: Path, tmp_path: Path, damage, aggregate: bool = False) -> Path:
    """A copy of the sweep folder at ``tmp_path/multirun/damaged`` (without its aggregate, unless ``aggregate``),
    damaged by ``damage``."""
    copy = tmp_path / "multirun" / "damaged"
    shutil.copytree(sweep_folder, copy)
    if not aggregate:
        shutil.rmtree(copy / "aggregate")
    damage(copy)
    return copy


def a_cell(sweep: Path) -> Path:
    return sorted((sweep / "cells").iterdir())[0]


def _truncate_a_parquet(sweep: Path) -> None:
    path = a_cell(sweep) / "replicates.parquet"
    path.write_bytes(path.read_bytes()[:100])


def _lose(name: str):
    def damage(sweep: Path) -> None:
        (a_cell(sweep) / name).unlink()

    return damage


def _cell_json(text: str):
    def damage(sweep: Path) -> None:
        (a_cell(sweep) / "cell.json").write_text(text)

    return damage


def _same_size_other_bytes(sweep: Path) -> None:
    path = a_cell(sweep) / "bands.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _empty_cells(sweep: Path) -> None:
    for cell in (sweep / "cells").iterdir():
        shutil.rmtree(cell)


DAMAGES = pytest.mark.parametrize(
    ("damage", "named"),
    [
        (_truncate_a_parquet, "replicates.parquet: holds 100 bytes"),
        (_lose("replicates.parquet"), "replicates.parquet: missing"),
        (_lose("bands.parquet"), "bands.parquet: missing"),
        (_lose("manifest.json"), "manifest.json: missing"),
        (_same_size_other_bytes, "bands.parquet: damaged"),
        (_cell_json("[1, 2, 3]"), "cell.json: holds 9 bytes"),
        (_cell_json("{not json"), "cell.json: holds 9 bytes"),
        (_empty_cells, "did not complete"),
    ],
    ids=[
        "truncated parquet",
        "lost table",
        "lost bands",
        "lost manifest",
        "a flipped byte",
        "cell.json of the wrong shape",
        "corrupt cell.json",
        "empty cells/",
    ],
)


@DAMAGES
def test_a_damaged_cell_is_named_by_plot_and_recomputed_by_a_rerun(sweep_folder, tmp_path, command, damage, named):
    sweep = damaged(sweep_folder, tmp_path, damage)
    done = command("plot", str(sweep))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert named in done.stdout + done.stderr, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("negsim: error: ") and "did not complete" in done.stderr
    summary = json.loads((sweep / "aggregate" / "sweep.json").read_text())
    assert summary["cells"] == 2 and summary["complete"] == 2 - len(summary["failed"]) < 2
    rerun = command("sweep", "seed=1,2", "sweep.replicates=2", "rounds=2", "sweep.name=damaged")
    assert rerun.returncode == 0, rerun.stderr
    assert "2 of 2 cells complete" in rerun.stdout and rerun.stdout.count("— complete") == len(summary["failed"])
    assert len(pd.read_parquet(sweep / "aggregate" / "replicates.parquet")) == 4


RECORDS = {  # a result folder's record, damaged, and what the one line says to do
    "grid.json": (
        "[1, 2]",
        "grid.json: damaged (it holds a list); allowed: the file as negsim writes it: delete it and rerun the sweep's command",
    ),
    "aggregate/sweep.json": ('{"cells": 2', "sweep.json: holds 11 bytes, not the"),
    "aggregate/manifest.json": ("{}", "manifest.json: damaged"),
}


@pytest.mark.parametrize("record", RECORDS)
def test_a_damaged_record_of_a_sweep_is_named_with_what_to_do(sweep_folder, tmp_path, command, record):
    text, fragment = RECORDS[record]
    sweep = damaged(sweep_folder, tmp_path, lambda copy: (copy / record).write_text(text), aggregate=True)
    done = command("plot", str(sweep))
    refused(done, fragment, tmp_path, inputs={"multirun"})
    if record.startswith("aggregate/"):
        assert f"delete {sweep / 'aggregate'} and rerun negsim plot {sweep} to rebuild it" in done.stderr


# --- Values that set the work: bounded, and a sweep's values checked in one pass (issue 25, classes 2 and 3) ---------


def test_a_talks_deadline_past_the_rounds_a_run_can_have_is_refused(tmp_path, command):
    done = command("run", "+scenario.talks.peace_treaty.deadline=1000000000")
    refused(
        done, "scenario.talks.peace_treaty.deadline: got 1000000000; allowed: a whole number in [1, 10,000]", tmp_path
    )


def test_the_deadline_bound_is_the_most_rounds_a_run_can_have():
    from sim.cli.settings import MAX_ROUNDS
    from sim.model.scenario.parse_issues import MAX_DEADLINE

    assert MAX_DEADLINE == MAX_ROUNDS


def test_a_sweep_of_100000_seeds_is_checked_in_one_pass(tmp_path, command):
    """Each seed is checked alone, not composed: the refusal of the last value comes within seconds."""
    done = command("sweep", "seed=range(0,100000)", "rounds=5,0")
    refused(done, "rounds: got 0", tmp_path)
    assert done.seconds < 10


WORKERS = {  # every command's workers, one bound and one message: the key, and settings that keep the work tiny
    "sweep": ("sweep.workers", ["sweep.replicates=1", "rounds=1"]),
    "sensitivity": ("workers", ["config=tokyo_morris", "samples=2", "replicates=1", "rounds=1"]),
    "calibrate": ("workers", ["config=tokyo_2013", "population=2", "generations=1", "predictive=1"]),
}


@pytest.mark.parametrize("name", WORKERS)
@pytest.mark.parametrize("over", [False, True], ids=["0", "one too many"])
def test_workers_have_one_bound_in_every_command(tmp_path, command, name, over):
    """Refused before any work; a value just past the bound, so that were it accepted the work would stay small (a
    negsim that took 100,000 workers started as many processes)."""
    pytest.importorskip("pyabc") if name == "calibrate" else None
    key, small = WORKERS[name]
    workers = max_workers() + 1 if over else 0
    done = command(name, *small, f"{key}={workers}")
    refused(done, f"{key}: got {workers}; allowed: a whole number in [1, {max_workers()}]", tmp_path)


# --- Output places: the final and the temporary names checked before any work (issue 25, class 4) -----------------

LONG = "x" * 250
SMALL_STUDY = ["sensitivity", "config=tokyo_morris", "samples=2", "replicates=1", "rounds=1"]


def output_places(tmp_path: Path) -> list[tuple[list[str], str, set[str]]]:
    """(command line, what the refusal says, the test's own files) of output places that pass a quick look but
    could not be written after the work."""
    (tmp_path / "a_file").write_text("")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    mine = {"a_file", "dangling"}
    return [
        (["run", f"output_dir={LONG}"], "takes 271 bytes as the temporary .NAME-999.partial-PID", mine),
        (["run", f"output_dir=deeper/{LONG}x"], "takes 272 bytes", mine),
        (["run", "output_dir=dangling"], "is a symbolic link to", mine),
        (["run", "output_dir=dangling/run"], "is a symbolic link to", mine),
        (["run", "output_dir='~nosuchuser/x'"], "no user 'nosuchuser' on this machine", mine),
        (["run", "hydra.run.dir=/dev/null/x"], "hydra.run.dir: '/dev/null/x' lies under /dev/null", mine),
        (["run", "hydra.run.dir='~/x'"], "Hydra does not expand it here", mine),
        (["sweep", f"hydra.sweep.dir={LONG}x{LONG}"], "takes 501 bytes", mine),
        ([*SMALL_STUDY, "output_dir=a_file"], "output_dir: 'a_file' lies under", mine),
        ([*SMALL_STUDY, f"output_dir={LONG}"], "takes 271 bytes", mine),
    ]


def test_an_output_place_that_could_not_be_written_after_the_work_is_refused_before_it(tmp_path, command):
    for args, fragment, mine in output_places(tmp_path):
        refused(command(*args), fragment, tmp_path, inputs=mine)


def test_a_scenario_named_too_long_for_the_default_output_place_is_refused_before_the_run(tmp_path, command):
    done = command("run", f"scenario.name={'s' * 240}")  # the default output_dir holds the scenario's name
    refused(done, "output_dir: 'outputs/runs/", tmp_path)


def test_home_is_expanded_where_negsim_writes_the_folder(tmp_path, command, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    done = command("run", "rounds=2", "plot=false", "output_dir='~/runs/one'")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "home" / "runs" / "one" / "summary.json").is_file() and not (tmp_path / "~").exists()


# --- A refused sweep leaves nothing; a finished one leaves no lock (issue 25, class 8) -----------------------------


def test_a_sweep_refused_for_a_seed_past_64_bits_leaves_nothing(tmp_path, command):
    refused(command("sweep", "seed=1,18446744073709551616", "rounds=2"), "seed: got 18446744073709551616", tmp_path)


def test_a_sweep_refused_by_the_sweeper_leaves_nothing(tmp_path, command):
    """A seed past 64 bits in an experiment's own sweep reaches the sweeper (the command line checks its own values)."""
    config_file(
        tmp_path,
        "big_seeds",
        "# @package _global_\nhydra:\n  sweeper:\n    params:\n      seed: 1,18446744073709551616\nsweep:\n  name: big\n",
        "experiment",
    )
    done = command("sweep", "--config-dir", "conf", "experiment=big_seeds", "sweep.replicates=2", "rounds=2")
    refused(done, "seed: got 18446744073709551616", tmp_path, inputs={"conf"})


def test_a_finished_sweep_leaves_no_lock_file(sweep_folder):
    assert not (sweep_folder / ".lock").exists()
    assert sorted(p.name for p in sweep_folder.iterdir()) == ["aggregate", "cells", "grid.json", "multirun.yaml"]
