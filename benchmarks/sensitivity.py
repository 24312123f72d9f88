"""Throughput of a Sobol' sensitivity study: tokyo_sobol's 10 parameters, N = 256, 10 replicates per sample, 2 workers.

    python benchmarks/sensitivity.py [--samples 256] [--replicates 10] [--workers 2] [--second-order] [--repeats 1]

N·(D + 2) = 3,072 samples (N·(2D + 2) = 5,632 with --second-order) of tokyo_2013 at the study's 120 rounds, run in a
fresh temporary directory (nothing to resume) two ways, interleaved: as the study runs them (many samples a cell, one
batch across parameters) and one sample a cell (``chunk`` = ``replicates``: how every study ran before batches).
Prints the wall time of each whole study (sampling, cells, analysis, plots), samples/s, replicates/s, the ratio (the
range over repeats) and the machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per process: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import platform
import resource
import tempfile
import time

import pandas as pd

from sim.cli.sensitivity import load_study
from sim.study.sensitivity.report import run_study


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes (on a loaded machine, wall time is mostly
    waiting)."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime for who in WHO)


WHO = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)


def run(settings: list[str], tmp: str) -> tuple[float, float, int, int, object]:
    """One study in a fresh folder: wall and CPU seconds, samples, cells and the study."""
    study = load_study("tokyo_sobol", [*settings, f"output_dir={tmp}"])
    started, cpu = time.perf_counter(), cpu_seconds()
    out = run_study(study, progress=False)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    samples, cells = len(pd.read_parquet(out / "samples.parquet")), len(list((out.parent / "cells").iterdir()))
    return seconds, cpu, samples, cells, study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=256, help="Sobol' base sample N (a power of 2)")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--second-order", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    settings = [f"samples={args.samples}", f"replicates={args.replicates}", f"workers={args.workers}"]
    settings += [f"second_order={str(args.second_order).lower()}"]
    ways = {"batched": [], f"one sample a cell (chunk={args.replicates})": [f"chunk={args.replicates}"]}
    times, cpus = {way: [] for way in ways}, {way: [] for way in ways}
    for _ in range(args.repeats):
        for way, extra in ways.items():  # interleaved: a change in the machine's load touches both
            with tempfile.TemporaryDirectory() as tmp:
                seconds, cpu, samples, cells, study = run([*settings, *extra], tmp)
            times[way].append(seconds)
            cpus[way].append(cpu)
            print(f"{way}: {seconds:.1f} s ({cpu:.1f} s of CPU), {samples:,} samples in {cells:,} cells", flush=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())  # other work on the machine slows this one
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load}")
    print(
        f"tokyo_sobol: {len(study.parameters)} parameters, N = {args.samples}, {samples:,} samples × "
        f"{args.replicates} replicates, {study.rounds} rounds, {args.workers} workers"
    )
    for way, seconds in times.items():
        best = min(seconds)
        rates = f"{samples / best:,.1f} samples/s, {samples * args.replicates / best:,.0f} replicates/s"
        print(f"{way}: best of {len(seconds)} {best:.1f} s: {rates}")
    for measure, figures in (("wall time", times), ("CPU time", cpus)):
        batched, alone = figures.values()
        ratios = [a / b for a, b in zip(alone, batched, strict=True)]
        print(f"{measure}: batched is {min(ratios):.1f}–{max(ratios):.1f}× faster than one sample a cell")


if __name__ == "__main__":
    main()
