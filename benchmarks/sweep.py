"""Hydra's share of a sweep, the speed-up of its cells over two processes, and the parent's peak memory.

    python benchmarks/sweep.py throughput [--experiment confidence_concession] [--repeat 3]
    python benchmarks/sweep.py memory [--cells 100 1000]

throughput: runs the shipped experiment (24 cells × 120 rounds) through `negsim sweep`, interleaved `--repeat` times
in rotating order on the same machine, and prints each figure as the median and the range of the repetitions:
- Hydra's share of the command's wall time with one process, at 200 and 1,000 replicates a cell (Hydra: the
  multirun's time outside the jobs, `aggregate/timing.json`: composing, checking and launching the jobs), and
  Hydra's time against the cells' (the model and writing its tables, the cells' own `seconds`);
- composing one job: Hydra's config loader against negsim's sweeper (which composes each shape of job once);
- with 2 workers (`hydra/launcher=joblib hydra.launcher.n_jobs=2`, and `sweep.workers=2`), at 1,000 replicates a
  cell: the speed-up of the cells (replicates per second from the first cell's start to the last one's end) and of
  the whole command over one process, beside the speed-up two independent engine processes reach at the same time
  (the machine's own limit: 2.0 on an ideal one), and their ratio.
memory: runs sweeps of N tiny cells (one per seed, 2 replicates of 4 rounds) and prints the peak resident memory of
the process that runs the cells and aggregates them: by default calling run_cell and aggregate from Python; with
--hydra through `negsim sweep seed=range(N)`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

NEGSIM = [sys.executable, "-m", "sim", "sweep"]
TWO = {"joblib": ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], "workers": ["sweep.workers=2"]}


def sweep(args: list[str], directory: Path) -> tuple[float, int]:
    """Run one sweep in a fresh process; its wall time and peak memory (kB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([*NEGSIM, *args, f"hydra.sweep.dir={directory}"], check=True, capture_output=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before)


def measured(experiment: str, replicates: int, extra: list[str]) -> dict[str, float]:
    """One sweep: its wall time, Hydra's and the cells' seconds, and replicates per second while cells run."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "sweep"
        wall, _ = sweep([f"experiment={experiment}", f"sweep.replicates={replicates}", *extra], directory)
        cells = [json.loads(p.read_text()) for p in (directory / "cells").glob("*/cell.json")]
        timing = json.loads((directory / "aggregate" / "timing.json").read_text())
    span = max(c["finished"] for c in cells) - min(c["started"] for c in cells)
    total = sum(c["replicates"] for c in cells)
    return {
        "wall": wall,
        "hydra": timing["hydra"],
        "cells": sum(c["seconds"] for c in cells),
        "overall": total / wall,
        "inside": total / span,
    }


def spread(values: list[float], form: str = "{:.2f}") -> str:
    """Median and range of the repetitions."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{form.format(mid)} (range {form.format(low)}–{form.format(high)})"


def throughput(experiment: str, repeat: int) -> None:
    runs = {
        "one process, 200 replicates": lambda: measured(experiment, 200, []),
        "one process, 1,000 replicates": lambda: measured(experiment, 1000, []),
        **{f"2 workers ({k}), 1,000 replicates": (lambda a=a: measured(experiment, 1000, a)) for k, a in TWO.items()},
        "engine": lambda: {"ceiling": parallel_ceiling()},
        "compose": composing,  # confidence_concession's jobs
    }
    seen: dict[str, list[dict[str, float]]] = defaultdict(list)
    names = list(runs)
    for r in range(repeat):  # interleaved, each repetition in another order
        for name in names[r % len(names) :] + names[: r % len(names)]:
            seen[name].append(runs[name]())
    print(f"{experiment}, {repeat} interleaved repetitions: median (range)")
    for name in names[:2]:
        shares = [m["hydra"] / m["wall"] for m in seen[name]]
        against = [m["hydra"] / m["cells"] for m in seen[name]]
        walls = [m["wall"] for m in seen[name]]
        print(f"{name} a cell: wall {spread(walls, '{:.1f}')} s; Hydra {spread(shares, '{:.1%}')} of the wall time")
        print(f"  Hydra's seconds / the cells' seconds: {spread(against)}")
    plain, negsim = ([m[k] for m in seen["compose"]] for k in ("hydra", "negsim"))
    print(f"composing a job: Hydra {spread(plain, '{:.3f}')} s, negsim's sweeper {spread(negsim, '{:.4f}')} s")
    one, ceiling = seen[names[1]], [m["ceiling"] for m in seen["engine"]]
    print(f"two independent engine processes: {spread(ceiling)}× the speed of one")
    for name in names[2:4]:
        inside = [m["inside"] / o["inside"] for m, o in zip(seen[name], one, strict=True)]
        overall = [m["overall"] / o["overall"] for m, o in zip(seen[name], one, strict=True)]
        ratio = [i / c for i, c in zip(inside, ceiling, strict=True)]
        print(f"{name} a cell: cells {spread(inside)}×, whole command {spread(overall)}× one process")
        print(f"  cells' speed-up / two engine processes': {spread(ratio)}")


COMPOSE = """
import json, statistics, sys, time
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.types import RunMode
from sim.io.library import config_dir
with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
    from hydra_plugins.negsim_sweeper.negsim_sweeper import JobComposer, config_groups  # after Hydra's plugin scan
    loader = GlobalHydra.instance().config_loader()
    composer = JobComposer(loader, frozenset(config_groups(loader)))
    command = ["sweep.name=x", "experiment=confidence_concession"]
    master = loader.load_configuration("config", command, run_mode=RunMode.MULTIRUN)
    jobs = [[*command, f"initial_confidence={c}", f"concession={e}"] for c in (0.2, 0.4, 0.6) for e in (0.5, 1, 2, 4)]
    seconds = {"hydra": [], "negsim": []}
    for job in jobs:
        for name, how in (("hydra", loader), ("negsim", composer)):
            start = time.perf_counter()
            how.load_sweep_config(master, job)
            seconds[name].append(time.perf_counter() - start)
print(json.dumps({k: statistics.median(v) for k, v in seconds.items()}))
"""


def composing() -> dict[str, float]:
    """Median seconds composing one of 12 jobs of confidence_concession: Hydra's config loader, negsim's sweeper's."""
    done = subprocess.run([sys.executable, "-c", COMPOSE], check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


ENGINE = """
import json, time
from sim.io.library import config_dir, read_yaml
from sim.model.run import replicate_seeds
from sim.study.cells import run_chunk
text = json.dumps(read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml"), sort_keys=True, default=str)
seeds = replicate_seeds(1, 1000)
run_chunk(text, 0, seeds[:10], 120)
start = time.perf_counter()
for _ in range(4):
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
    t.add_argument("--repeat", type=int, default=3, help="interleaved repetitions")
    m = sub.add_parser("memory")
    m.add_argument("--cells", type=int, nargs="+", default=[100, 1000])
    m.add_argument("--hydra", action="store_true", help="through `negsim sweep` (slow: Hydra sets up every job)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if args.what == "throughput":
        throughput(args.experiment, args.repeat)
    else:
        memory(args.cells, args.hydra)


if __name__ == "__main__":
    main()
