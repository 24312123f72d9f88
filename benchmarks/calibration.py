"""Calibration of 3 parameters of tokyo_2013: recovery coverage and run time, on one core and with 2 workers.

    python benchmarks/calibration.py [--recoveries 10] [--population 100] [--generations 4] [--workers 1 2]

Each recovery hides values of reliability, trust_gain and trust_loss (drawn from their priors with its own seed),
generates one history of 40 rounds with them (an event record, as negsim writes it), and calibrates the three from
that record with ABC-SMC (conf/calibration/tokyo_2013 with the sizes given). Prints, per number of workers: the time
per calibration, the simulations per second, each parameter's coverage (how many 90% intervals hold the hidden
value) and its mean interval width as a share of the prior's range.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per process: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.cli.calibrate import load_calibration
from sim.io.library import load_scenario
from sim.model.record.acts import acts_table, event_records
from sim.model.run import simulate
from sim.study.calibration.abc import calibrate


def recovery(k: int, workers: int, args, root: Path) -> dict:
    """One recovery: hidden values drawn from the priors, a history, a calibration; what it found and how long."""
    base = load_calibration("tokyo_2013")
    rng = np.random.default_rng(1000 + k)
    hidden = {path: float(rng.uniform(low, high)) for path, (low, high) in base.priors.items()}
    record = root / f"history{k}.csv"
    history = simulate(load_scenario(base.scenario_with(hidden)), seed=500 + k, rounds=base.rounds)
    event_records(acts_table(history)).to_csv(record, index=False)
    settings = [f"population={args.population}", f"generations={args.generations}", f"workers={workers}"]
    settings += [f"observed={record}", f"seed={k}", f"output_dir={root / f'out{k}-{workers}'}", "predictive=20"]
    calibration = load_calibration("tokyo_2013", settings)
    started = time.perf_counter()
    out = calibrate(calibration)
    seconds = time.perf_counter() - started
    found = pd.read_parquet(out / "intervals.parquet").set_index("parameter")
    simulations = pd.read_parquet(out / "generations.parquet")["simulations"].sum()
    row = {"seconds": seconds, "simulations": simulations}
    for path, value in hidden.items():
        low, high = calibration.priors[path]
        row[f"{path}.covered"] = found.loc[path, "low"] <= value <= found.loc[path, "high"]
        row[f"{path}.width"] = (found.loc[path, "high"] - found.loc[path, "low"]) / (high - low)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recoveries", type=int, default=10)
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"tokyo_2013, 3 parameters, population {args.population}, {args.generations} generations, 40 rounds")
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            rows = pd.DataFrame([recovery(k, workers, args, Path(tmp)) for k in range(args.recoveries)])
            print(
                f"workers {workers}: {rows['seconds'].mean():.1f} s per calibration, "
                f"{rows['simulations'].sum() / rows['seconds'].sum():.0f} simulations/s"
            )
            for column in (c for c in rows.columns if c.endswith(".covered")):
                path = column.removesuffix(".covered")
                print(
                    f"  {path}: 90% interval holds the hidden value in {int(rows[column].sum())}/{len(rows)}, "
                    f"mean width {rows[f'{path}.width'].mean():.2f} of the prior"
                )


if __name__ == "__main__":
    main()
