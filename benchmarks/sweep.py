"""Sweep throughput, Hydra's share of wall time, and the parent's peak memory as a sweep grows.

    python benchmarks/sweep.py throughput [--experiment confidence_concession] [--replicates 1000]
    python benchmarks/sweep.py memory [--cells 100 1000]

throughput: runs the shipped experiment through `negsim sweep`, with 1 and then 2 worker processes per cell, and
prints replicates per second (over the whole command, and while cells run: from the first cell's start to the last
one's end), the speed-up, and where the wall time went: process start-up (imports, Hydra's first composition), Hydra
(composing, checking and launching the jobs: the multirun's time outside the jobs, from `aggregate/timing.json`),
the cells, aggregation and plots.
memory: runs sweeps of N tiny cells (one per seed, 2 replicates of 4 rounds) and prints the peak resident memory of
the process that runs the cells and aggregates them: by default calling run_cell and aggregate from Python; with
--hydra through `negsim sweep seed=range(N)` (slow: about a quarter of a second of Hydra per cell).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEGSIM = [sys.executable, "-m", "sim", "sweep"]


def sweep(args: list[str], directory: Path) -> tuple[float, int]:
    """Run one sweep in a fresh process; its wall time and peak memory (kB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([*NEGSIM, *args, f"hydra.sweep.dir={directory}"], check=True, capture_output=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before)


def cells_span(directory: Path) -> float:
    """Seconds from the first cell's start to the last cell's end."""
    cells = [json.loads(p.read_text()) for p in (directory / "cells").glob("*/cell.json")]
    return max(c["finished"] for c in cells) - min(c["started"] for c in cells)


def throughput(experiment: str, replicates: int | None) -> None:
    overall, inside = {}, {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp) / "sweep"
            settings = [f"experiment={experiment}", f"sweep.workers={workers}"]
            settings += [f"sweep.replicates={replicates}"] if replicates else []
            wall, _ = sweep(settings, directory)
            statuses = [json.loads(p.read_text()) for p in (directory / "cells").glob("*/cell.json")]
            span = cells_span(directory)
            timing = json.loads((directory / "aggregate" / "timing.json").read_text())
        total = sum(c["replicates"] for c in statuses)
        overall[workers], inside[workers] = total / wall, total / span
        print(f"{experiment}: {len(statuses)} cells, {total:,} replicates, {workers} worker(s): {wall:.1f} s wall")
        print(f"  {overall[workers]:,.0f} replicates/s overall, {inside[workers]:,.0f} while cells run ({span:.1f} s)")
        shares = {
            "start-up": wall - timing["total"],
            "Hydra" + (" (alongside the workers)" if workers > 1 else ""): timing["hydra"],
            "aggregation": timing["aggregating"],
            "plots": timing["plotting"],
        }
        print("  of the wall time: " + ", ".join(f"{k} {v:.1f} s ({v / wall:.1%})" for k, v in shares.items()))
    print(
        f"speed-up with 2 workers: {overall[2] / overall[1]:.2f}× overall, {inside[2] / inside[1]:.2f}× while cells run"
    )
    print(f"the machine's own limit, two engine processes at once: {parallel_ceiling():.2f}×")


ENGINE = """
import json, time
from sim.io.library import config_dir, read_yaml
from sim.model.run import replicate_seeds
from sim.study.cells import run_chunk
text = json.dumps(read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml"), sort_keys=True, default=str)
seeds = replicate_seeds(1, 1000)
run_chunk(text, 0, seeds[:10], 120)
start = time.perf_counter()
for _ in range(8):
    run_chunk(text, 0, seeds, 120)
print(time.perf_counter() - start)
"""


def parallel_ceiling() -> float:
    """Speed-up of two processes running the same engine batches at once over one alone (2.0 on an ideal machine):
    what shared caches, memory bandwidth and the hypervisor leave of two cores."""

    def seconds(copies: int) -> float:
        runs = [
            subprocess.Popen([sys.executable, "-c", ENGINE], stdout=subprocess.PIPE, text=True) for _ in range(copies)
        ]
        return max(float(run.communicate()[0]) for run in runs)

    return 2 * seconds(1) / seconds(2)


DIRECT = """
import resource, sys
from pathlib import Path
from sim.study.aggregate import GridCell, aggregate
from sim.io.library import config_dir, read_yaml
from sim.study.pipeline import run_cell
root, n = Path(sys.argv[1]), int(sys.argv[2])
scenario = read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml")
grid = []
for seed in range(n):  # the swept seed is the column cell_seed
    config = {"scenario": scenario, "seed": seed, "replicates": 2, "rounds": 4}
    grid.append(GridCell(run_cell(config, root / "cells", progress=False).directory.name))
aggregate(root, grid)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def memory(sizes: list[int], hydra: bool) -> None:
    """Peak memory of the process that runs the cells and aggregates them, for growing sweeps."""
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            if hydra:  # through `negsim sweep` (Hydra keeps a small record of every job it launched)
                command = [*NEGSIM, f"seed=range(0,{n})", "sweep.replicates=2", "rounds=4", f"hydra.sweep.dir={tmp}/s"]
                code = (
                    f"import resource, subprocess; subprocess.run({command!r}, check=True, capture_output=True); "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
                )
                done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            else:  # the same cells and aggregation, called from Python
                done = subprocess.run(
                    [sys.executable, "-c", DIRECT, tmp, str(n)], check=True, capture_output=True, text=True
                )
            took = time.perf_counter() - start
            how = "negsim sweep" if hydra else "run_cell + aggregate"
            print(f"{n:>5} cells ({how}): peak memory {int(done.stdout) / 1024:.0f} MiB ({took:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--experiment", default="confidence_concession")
    t.add_argument("--replicates", type=int, default=None, help="per cell (default: the experiment's own)")
    m = sub.add_parser("memory")
    m.add_argument("--cells", type=int, nargs="+", default=[100, 1000])
    m.add_argument("--hydra", action="store_true", help="through `negsim sweep` (slow: Hydra sets up every job)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if args.what == "throughput":
        throughput(args.experiment, args.replicates)
    else:
        memory(args.cells, args.hydra)


if __name__ == "__main__":
    main()
