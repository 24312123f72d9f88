"""Calibration of tokyo_2013 checked by recoveries: coverage, interval widths and time, per distance.

    python benchmarks/calibration.py [--cases 10] [--distance regression adaptive] [OVERRIDE …]

For each distance, ``negsim calibrate check config=tokyo_2013 cases=N distance=D OVERRIDE …`` at the calibration's
default settings unless overrides say otherwise (e.g. ``~priors.scenario.ministry_defaults.trust_gain`` for two
parameters, ``population=100``): each case draws hidden values from the priors, generates one history of 40 rounds
with them and calibrates it. Prints, per distance, each parameter's coverage of its 50% and 90% intervals and their
mean widths (shares of the prior's range), the simulations and the time per case.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per process: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import platform
import tempfile
from pathlib import Path

import pandas as pd

from sim.cli.calibrate import load_calibration
from sim.study.calibration.check import check, summary_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10)
    parser.add_argument("--distance", nargs="+", default=["regression"])
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of conf/calibration/tokyo_2013")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        for distance in args.distance:
            settings = [*args.overrides, f"distance={distance}", f"output_dir={Path(tmp) / distance}"]
            calibration = load_calibration("tokyo_2013", settings)
            print(
                f"tokyo_2013, distance {distance}: {len(calibration.priors)} parameters, population "
                f"{calibration.population}, {calibration.generations} generations, {args.cases} cases"
            )
            out = check(calibration, args.cases)
            table = pd.read_parquet(out / "check.parquet").groupby("case").first()
            simulations = sum(
                pd.read_parquet(case / "generations.parquet")["simulations"].sum()
                for case in sorted((out / "cases").glob("case*"))
            )
            print(
                f"  {table['seconds'].mean():.0f} s per case (history, calibration, outputs), "
                f"{simulations / args.cases:.0f} simulations per case"
            )
            for line in summary_lines(pd.read_parquet(out / "coverage.parquet")):
                print(f"  {line}")


if __name__ == "__main__":
    main()
