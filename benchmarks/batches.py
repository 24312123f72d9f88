"""Throughput of a batch across parameters against a batch of seeds: 1,000 distinct points of tokyo_sobol's 10
parameters (every ministry's hawkishness and starting confidence, learning, shocks, the talks' pace) against 1,000
seeds of tokyo_2013 as written, engine only, 40 rounds.

    python benchmarks/batches.py [--points 1000] [--rounds 40] [--repeats 7]

CPU time of each (the machines are shared), interleaved, as medians (min–max) of the repeats, and the ratio of
per-replicate throughputs in each repeat (the issue's target: ≥ 0.8).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import platform
import statistics
import time

import numpy as np

from sim.cli.sensitivity import load_study
from sim.io.library import load_scenario
from sim.model.run import simulate_ensemble, simulate_points


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.2f} ({min(values):,.2f}–{max(values):,.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    study = load_study("tokyo_sobol", [])
    base = dict(study.scenario)
    rng = np.random.default_rng(2013)
    points = [
        {path.removeprefix("scenario."): float(rng.uniform(*bounds)) for path, bounds in study.parameters.items()}
        for _ in range(args.points)
    ]
    seeds = list(range(args.points))
    scenario = load_scenario(base)
    ways = {
        "seeds": lambda: simulate_ensemble(scenario, seeds, rounds=args.rounds, ministry_every=0),
        "points": lambda: simulate_points(base, points, seeds, rounds=args.rounds, ministry_every=0),
    }
    ways["points"]()  # warm: imports and caches
    times = {way: [] for way in ways}
    for _ in range(args.repeats):
        for way, run in ways.items():  # interleaved: a change in the machine's load touches both
            started = time.process_time()
            run()
            times[way].append(time.process_time() - started)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load}")
    print(
        f"tokyo_2013, {args.rounds} rounds, {args.points:,} replicates, CPU seconds, median (min–max) of {args.repeats}"
    )
    for way, seconds in times.items():
        rates = [args.points / s for s in seconds]
        print(f"{way:>6}: {spread(seconds)} s, {spread(rates)} replicates/s")
    ratios = [s / p for s, p in zip(times["seeds"], times["points"], strict=True)]
    print(f"points / seeds throughput: {spread(ratios)} (target ≥ 0.8)")


if __name__ == "__main__":
    main()
