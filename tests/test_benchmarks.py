"""The speed benchmarks still run and print what the README quotes, at sizes small enough for the suite.

They print figures, never assert a speed (the machines are shared); these tests only keep the scripts working.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def benchmark(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_runs_per_second_prints_every_path_and_the_ensembles_stages():
    done = benchmark("runs_per_second.py", "--repeat", "1", "--replicates", "20", "--singles", "2")
    assert done.returncode == 0, done.stderr
    for line in ("mesa reference", "sim.simulate, one run", "arithmetic:", "creating the generators", "the record"):
        assert line in done.stdout


@pytest.mark.slow
def test_compiled_kernel_finds_the_talks_decisions_unmoved_by_last_bit_differences():
    """The benchmark's first part runs without numba; its rows say which runs changed with results one ULP off, and
    the talks' tolerances keep that at none."""
    done = benchmark("compiled_kernel.py", "--replicates", "20", "--rounds", "30", "--size", "1000")
    rows = [line.rsplit(maxsplit=3) for line in done.stdout.splitlines() if "as shipped" in line or "hopeful" in line]
    assert [(name.strip(), changed) for name, changed, _, _ in rows] == [
        ("concession, as shipped", "0"),
        ("concession, hopeful", "0"),
        ("alternating_offers, as shipped", "0"),
        ("alternating_offers, hopeful", "0"),
    ], done.stdout
    if importlib.util.find_spec("numba") is None:
        assert done.returncode == 1 and "pip install numba" in done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert "the same picks" in done.stdout
