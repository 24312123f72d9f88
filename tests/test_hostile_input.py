"""Broken and hostile input at every door, through the real ``negsim`` command: each mistake ends with one line on
standard error, the exit code of its class (2: bad input), no traceback and nothing written, within seconds and
bounded memory. Files built to exhaust (an alias bomb, a 50 MB file, nesting thousands deep) are refused by the limits
of ``sim.io.yaml_files`` before anything expands them.
"""

from __future__ import annotations

import fcntl
import os
import pty
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
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cli import main as cli
from sim.io.event_records import read_events
from sim.model.errors import ScenarioError

SECONDS = 30  # of CPU per command (a refusal takes 2–5 s, most of it importing; wall time varies with the load)
MIB = 2**20
PEAK_MEMORY = 400 * MIB  # a refusal peaks at about 200 MiB, the same for a hostile file as for a typo


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_bytes: int


# The command run with its own peak memory measured: the kernel's VmHWM of the new program (counted from its exec), as
# ru_maxrss of a forked child also counts the memory of the test process it was forked from.
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
    """Run ``negsim ARGS`` in ``cwd``; measure its CPU time and its peak memory (the wall time of a shared machine says
    more about the other work on it). A watchdog ends a hang after 120 s."""
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
def test_a_bad_override_is_refused_in_one_line_with_the_nearest_name(tmp_path, override, fragment):
    refused(negsim("run", *override.split(), cwd=tmp_path), fragment, tmp_path)


SWEEP_OVERRIDES = [
    ("scenario=tokyo_2013,tokio", "no scenario 'tokio'"),
    ("seed=interval(0,1)", "an interval cannot be swept"),
    ("scenario.countries.japan.ministries.foriegn.hawkishness=0.3,0.4", "did you mean 'foreign'?"),
]


@pytest.mark.parametrize(("override", "fragment"), SWEEP_OVERRIDES, ids=[o for o, _ in SWEEP_OVERRIDES])
def test_a_bad_sweep_override_is_refused_before_hydra_writes_anything(tmp_path, override, fragment):
    refused(negsim("sweep", *override.split(), cwd=tmp_path), fragment, tmp_path)


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
def test_a_bad_run_setting_is_refused_before_the_run(tmp_path, override, fragment):
    refused(negsim("run", *override.split(), cwd=tmp_path), fragment, tmp_path)


def test_an_output_dir_below_a_file_is_refused(tmp_path):
    (tmp_path / "a_file").write_text("")
    done = negsim("run", "output_dir=a_file/run", cwd=tmp_path)
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
def test_a_bad_sweep_setting_is_refused_before_the_first_job(tmp_path, override, fragment):
    refused(negsim("sweep", *override.split(), cwd=tmp_path), fragment, tmp_path)


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


@pytest.mark.parametrize("name", SCENARIO_FILES)
def test_a_scenario_file_that_is_not_a_scenario_is_refused_at_its_line(tmp_path, name):
    text, fragment = SCENARIO_FILES[name]
    (tmp_path / "conf" / "scenario").mkdir(parents=True)
    (tmp_path / "conf" / "scenario" / f"{name}.yaml").write_text(text)
    done = negsim("run", "--config-dir", "conf", f"scenario={name}", cwd=tmp_path)
    refused(done, fragment, tmp_path, inputs={"conf"})
    assert done.peak_bytes < PEAK_MEMORY


def test_binary_garbage_is_refused_as_not_utf8(tmp_path):
    (tmp_path / "conf" / "scenario").mkdir(parents=True)
    (tmp_path / "conf" / "scenario" / "garbage.yaml").write_bytes(bytes(range(256)) * 40)
    done = negsim("run", "--config-dir", "conf", "scenario=garbage", cwd=tmp_path)
    refused(done, "byte 0x80 at offset 128 is not UTF-8 text", tmp_path, inputs={"conf"})


def test_a_50_mb_scenario_is_refused_by_its_size_before_it_is_read(tmp_path):
    (tmp_path / "conf" / "scenario").mkdir(parents=True)
    with open(tmp_path / "conf" / "scenario" / "huge.yaml", "w") as f:
        f.write("name: huge\ndescription: '")
        for _ in range(50):
            f.write("x" * MIB)
        f.write("'\n")
    done = negsim("run", "--config-dir", "conf", "scenario=huge", cwd=tmp_path)
    refused(done, "allowed: a YAML file of at most 16 MiB", tmp_path, inputs={"conf"})
    assert done.peak_bytes < PEAK_MEMORY


def test_a_study_naming_a_hostile_scenario_file_is_refused(tmp_path):
    (tmp_path / "bomb.yaml").write_text(alias_bomb())
    (tmp_path / "study.yaml").write_text("scenario: bomb.yaml\nmethod: morris\nsamples: 2\nreplicates: 1\n")
    done = negsim("sensitivity", "config=study.yaml", cwd=tmp_path)
    refused(done, "aliases expand to more than", tmp_path, inputs={"bomb.yaml", "study.yaml"})
    assert done.peak_bytes < PEAK_MEMORY


def test_a_hostile_study_file_is_refused_before_hydra_reads_it(tmp_path):
    (tmp_path / "study.yaml").write_text(alias_bomb())
    done = negsim("sensitivity", "config=study.yaml", cwd=tmp_path)
    refused(done, "aliases expand to more than", tmp_path, inputs={"study.yaml"})
    assert done.peak_bytes < PEAK_MEMORY


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
def test_bad_commands_and_flags_are_refused_in_one_line(tmp_path, args, fragment):
    pytest.importorskip("solara") if args[0] == "dashboard" else None
    refused(negsim(*args, cwd=tmp_path), fragment, tmp_path)


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


LONG_RUN = ["scenario=synthetic", "scenario.synthetic.countries=40", "rounds=10000", "record.ministry_every=0"]


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


def test_events_after_the_last_round_are_a_warning(tmp_path):
    done = negsim("run", "rounds=30", "plot=false", "record.ministry_every=0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "negsim: warning: 3 scheduled event(s) fall after the last round (30)" in done.stderr


# --- Event files ---------------------------------------------------------------------------------------------------

HEADER = "date,source,target,cameo\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (HEADER + "2014-03-18,JAPAN,RUSSIA," + "1" * (200 * 1024) + "\n", "line 2: field larger than field limit"),
        ("date,source,target,cameo,date\n2014-03-18,JAPAN,RUSSIA,036,2015-01-01\n", "'date' and 'date'"),
        ("date,source,target,cameo,Date\n2014-03-18,JAPAN,RUSSIA,036,2015-01-01\n", "have the same name"),
    ],
)
def test_an_event_file_with_a_huge_field_or_a_column_twice_is_refused(tmp_path, text, fragment):
    path = tmp_path / "events.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=fragment) as error:
        read_events(path, {"JAPAN": "japan", "RUSSIA": "russia"})
    assert len(str(error.value)) < 400


# --- Result folders (`negsim plot`): reading them is issue 16's (sim/study/aggregate.py, sim/study/cells.py) ------


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    done = negsim("sweep", "seed=1,2", "sweep.replicates=2", "rounds=2", "sweep.name=damaged", cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "multirun" / "damaged"


def damaged(sweep_folder: Path, tmp_path: Path, damage) -> Path:
    copy = tmp_path / "sweep"
    shutil.copytree(sweep_folder, copy)
    shutil.rmtree(copy / "aggregate")
    damage(copy)
    return copy


def _truncate_a_parquet(sweep: Path) -> None:
    path = next((sweep / "cells").glob("*/replicates.parquet"))
    path.write_bytes(path.read_bytes()[:100])


def _cell_json(text: str):
    def damage(sweep: Path) -> None:
        next((sweep / "cells").glob("*/cell.json")).write_text(text)

    return damage


def _empty_cells(sweep: Path) -> None:
    for cell in (sweep / "cells").iterdir():
        shutil.rmtree(cell)


DAMAGES = pytest.mark.parametrize(
    ("damage", "named"),
    [
        (_truncate_a_parquet, "replicates.parquet"),
        (_cell_json("[1, 2, 3]"), "cell.json"),
        (_cell_json("{not json"), "cell.json"),
        (_empty_cells, "did not complete"),
    ],
    ids=["truncated parquet", "cell.json of the wrong shape", "corrupt cell.json", "empty cells/"],
)


@DAMAGES
def test_plot_on_a_damaged_result_folder_never_shows_a_traceback(sweep_folder, tmp_path, damage, named):
    done = negsim("plot", str(damaged(sweep_folder, tmp_path, damage)), cwd=tmp_path)
    assert "Traceback" not in done.stderr and done.stderr.count("\n") <= 1, done.stderr
    assert done.returncode == 0 or done.stderr.startswith("negsim: error: ")


@DAMAGES
def test_plot_names_a_damaged_file_and_fails(sweep_folder, tmp_path, damage, named):
    done = negsim("plot", str(damaged(sweep_folder, tmp_path, damage)), cwd=tmp_path)
    assert done.returncode in (1, 2) and named in done.stderr, done.stderr
