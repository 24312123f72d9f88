"""Runs per second of tokyo_2013 at 40 rounds on one core, tables kept in memory.

    python benchmarks/runs_per_second.py [--replicates 1000] [--repeat 3]

Prints: the ensemble throughput (one vectorised batch of R replicates), the same with every tidy table and the
per-replicate summaries built in memory, single runs through the Mesa model, and where the time goes.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import cProfile
import platform
import pstats
import time

from sim.io.library import load_scenario
from sim.model.run import replicate_seeds, simulate, simulate_ensemble


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = load_scenario("tokyo_2013")
    seeds = replicate_seeds(2013, args.replicates)
    simulate_ensemble(scenario, seeds[:10])  # warm up: plan compiled once per scenario

    t = best_of(args.repeat, lambda: simulate_ensemble(scenario, seeds))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    batch = f"tokyo_2013, 40 rounds, {args.replicates} replicates in one batch"
    print(f"{batch}: {args.replicates / t:,.0f} runs/s ({t:.2f} s)")

    def with_tables():
        result = simulate_ensemble(scenario, seeds)
        result.tables()
        result.replicate_summaries  # noqa: B018

    t = best_of(args.repeat, with_tables)
    print(f"  … with every tidy table and per-replicate summaries built: {args.replicates / t:,.0f} runs/s ({t:.2f} s)")

    n = 50
    t = best_of(args.repeat, lambda: [simulate(scenario, seed=s) for s in range(n)])
    print(f"single runs through the Mesa model (one replicate each): {n / t:,.0f} runs/s")

    profile = cProfile.Profile()
    profile.runcall(simulate_ensemble, scenario, seeds)
    stats = pstats.Stats(profile)
    total = stats.total_tt
    print(f"where the time goes in one batch (cumulative share of {total:.2f} s):")
    wanted = ("_meet", "_cooperate", "_friction", "_talks", "session", "play_round", "capture", "uniforms", "_strike")
    rows = [(f[2], s[3]) for f, s in stats.stats.items() if f[2] in wanted and "sim" in f[0]]
    for name, cumulative in sorted(rows, key=lambda r: -r[1]):
        print(f"  {name:12} {cumulative / total:6.1%}")


if __name__ == "__main__":
    main()
