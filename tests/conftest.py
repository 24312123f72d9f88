"""Shared fixtures: the shipped scenario and a small two-country scenario to vary in tests; the ``negsim`` command run
in the test's own process (:func:`run_here`)."""

from __future__ import annotations

import copy
import io
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import is_hypothesis_test, settings

from sim.cli.main import main
from sim.io.library import config_dir, load_scenario, read_yaml

# A fixed profile for everyday runs (the same examples every time), and a randomised one that explores new examples
# on each run: HYPOTHESIS_PROFILE=explore (`make test` runs the property tests once more under it, and prints how to
# reproduce any failure it finds). Tests never fix `derandomize` themselves, so the profile decides; a test that sets
# its own `max_examples` keeps it under both profiles.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "negsim")
settings.register_profile("negsim", derandomize=True, deadline=None, max_examples=30)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=10, print_blob=True)
settings.load_profile(PROFILE)


def pytest_configure(config):
    config.addinivalue_line("markers", "property: a hypothesis test (every @given test is marked so automatically)")


def pytest_collection_modifyitems(items):
    """Mark every hypothesis test ``property``, so that ``pytest -m property`` selects them."""
    for item in items:
        test = getattr(item, "obj", None)
        if test is not None and is_hypothesis_test(test):
            item.add_marker(pytest.mark.property)


@pytest.fixture(scope="session")
def tokyo():
    return load_scenario("tokyo_2013")


@pytest.fixture(scope="session")
def tokyo_dict() -> dict:
    return read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml")


def small_scenario(**changes) -> dict:
    """Two countries with two ministries each, one cooperative item, one friction and talks over land and aid."""
    data = {
        "name": "small",
        "countries": {
            "north": {
                "ministries": {
                    "foreign": {
                        "role": "foreign",
                        "influence": 0.6,
                        "veto": True,
                        "priorities": {"exercise": 1, "land": 1, "aid": 1},
                    },
                    "defence": {"role": "defence", "influence": 0.4, "priorities": {"exercise": 1, "grievance": 1}},
                }
            },
            "south": {
                "ministries": {
                    "foreign": {
                        "role": "foreign",
                        "influence": 0.5,
                        "veto": True,
                        "priorities": {"exercise": 1, "land": 1, "aid": 1},
                    },
                    "defence": {"role": "defence", "influence": 0.5, "priorities": {"exercise": 1}},
                }
            },
        },
        "cooperation": {"exercise": {"lead": "defence", "benefit": 0.5, "exposure": 0.3}},
        "frictions": {"grievance": {"raised_by": "north", "against": "south", "severity": 0.5}},
        "talks": {
            "border": {
                "parties": ["north", "south"],
                "horizon": 10,
                "status_quo": {"land": "none", "aid": "none"},
                "dimensions": {
                    "land": {
                        "options": ["none", "half", "all"],
                        "values": {"north": [0, 0.6, 1], "south": [1, 0.6, 0]},
                    },
                    "aid": {"options": ["none", "some"], "values": {"north": [1, 0.7], "south": [0, 1]}},
                },
            }
        },
        "formats": {"ministers": {"roles": ["foreign", "defence"], "agenda": ["exercise", "grievance", "border"]}},
        "calendar": {"talks": {"format": "ministers", "countries": ["north", "south"], "every": 2}},
    }
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node[key]
        node[last] = copy.deepcopy(value)
    return data


@dataclass
class Done:
    """How a ``negsim`` command ended."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_bytes: int | None = None  # measured for a program only


@contextmanager
def stopped_after(seconds: float) -> Iterator[None]:
    """A command in this process that hangs (a FIFO opened, a loop that never ends) raises TimeoutError instead."""

    def expire(*_args) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_here(*args: str, cwd: Path) -> Done:
    """``negsim ARGS`` run in this process, in ``cwd``: its exit code, output and CPU time (the working directory,
    ``sys.argv`` and the environment's NEGSIM_DEBUG are given back after)."""
    out, err, before = io.StringIO(), io.StringIO(), os.getcwd()
    argv, debug = list(sys.argv), os.environ.pop("NEGSIM_DEBUG", None)
    started = time.process_time()
    try:
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err), stopped_after(300):
            main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        os.chdir(before)
        sys.argv[:] = argv
        if debug is not None:
            os.environ["NEGSIM_DEBUG"] = debug
    return Done(code, out.getvalue(), err.getvalue(), time.process_time() - started)
