"""Throughput of a Sobol' sensitivity study: tokyo_sobol's 10 parameters, N = 256, 10 replicates per sample, 2 workers.

    python benchmarks/sensitivity.py [--samples 256] [--replicates 10] [--workers 2] [--second-order]

N·(D + 2) = 3,072 samples (N·(2D + 2) = 5,632 with --second-order), each a sweep cell of tokyo_2013 at the study's
120 rounds, run in a fresh temporary directory (nothing to resume). Prints the wall time of the whole study (sampling,
cells, analysis, plots), samples/s, replicates/s and the machine.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core per process: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import platform
import tempfile
import time

import pandas as pd

from sim.cli.sensitivity import load_study
from sim.study.sensitivity.report import run_study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=256, help="Sobol' base sample N (a power of 2)")
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--second-order", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = [f"samples={args.samples}", f"replicates={args.replicates}", f"workers={args.workers}"]
        settings += [f"second_order={str(args.second_order).lower()}", f"output_dir={tmp}/study"]
        study = load_study("tokyo_sobol", settings)
        started = time.perf_counter()
        out = run_study(study)
        seconds = time.perf_counter() - started
        samples = len(pd.read_parquet(out / "samples.parquet"))
        cells = len(list((out.parent / "cells").iterdir()))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())  # other work on the machine slows this one
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {load}")
    print(
        f"tokyo_sobol: {len(study.parameters)} parameters, N = {args.samples}, {samples:,} samples ({cells:,} cells) × "
        f"{args.replicates} replicates, {study.rounds} rounds, {args.workers} workers"
    )
    rates = f"{samples / seconds:,.1f} samples/s, {samples * args.replicates / seconds:,.0f} replicates/s"
    print(f"wall time {seconds:.1f} s: {rates}")


if __name__ == "__main__":
    main()
