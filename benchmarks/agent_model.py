"""Runs per second of the agent model (Mesa agents deciding one by one) beside the vectorised engine and a minimal
Mesa model: tokyo_2013 at 40 rounds, on one core.

    python benchmarks/agent_model.py [--runs 20] [--repeat 7] [--replicates 1000]

Each repetition times, one after the other (interleaved, so that a busy machine slows all alike): the agent model
(``NegotiationModel``: build, 40 steps with its DataCollector), the engine's single run (``simulate``), the engine's
ensemble (``simulate_ensemble`` of ``--replicates`` replicates in one batch) and the minimal 4-agent Mesa model with a
DataCollector (``benchmarks/mesa_reference.py``). Prints the median runs/s of each, with the range over repetitions,
by the wall clock and by the process's CPU time (the fairer figure on a machine shared with other work).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: no BLAS threads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks.mesa_reference, run as a script

from benchmarks.mesa_reference import run_reference
from sim.io.library import load_scenario
from sim.model.agents.mesa_model import NegotiationModel
from sim.model.run import replicate_seeds, simulate, simulate_ensemble

ROUNDS = 40


def agent_run(scenario, seed: int) -> None:
    model = NegotiationModel(scenario, rng=seed)
    for _ in range(ROUNDS):
        model.step()


def runs_per_second(runs: int, work) -> tuple[float, float]:
    """Runs per second of ``work`` by the wall clock and by CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    for seed in range(runs):
        work(seed)
    return runs / (time.perf_counter() - wall), runs / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="single runs per repetition")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--replicates", type=int, default=1000, help="replicates of the ensemble")
    args = parser.parse_args()
    scenario = load_scenario("tokyo_2013")
    seeds = replicate_seeds(2013, args.replicates)

    def ensemble(_):
        simulate_ensemble(scenario, seeds)

    paths = {
        "agent model (NegotiationModel, DataCollector)": (args.runs, lambda s: agent_run(scenario, s)),
        "engine, single run (simulate)": (args.runs, lambda s: simulate(scenario, seed=s, rounds=ROUNDS)),
        f"engine, ensemble of {args.replicates} (simulate_ensemble)": (1, ensemble),
        "minimal Mesa model, 4 agents + DataCollector": (args.runs, lambda s: run_reference(seed=s, rounds=ROUNDS)),
    }
    for _, work in paths.values():  # warm up: plans compiled, imports done
        runs_per_second(1, work)
    rates: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    for _ in range(args.repeat):
        for name, (runs, work) in paths.items():
            scale = args.replicates if runs == 1 else 1
            rates[name].append(tuple(r * scale for r in runs_per_second(runs, work)))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"tokyo_2013, {ROUNDS} rounds; median runs/s (min–max over {args.repeat} interleaved repetitions)")
    print(f"  {'':<52} {'wall clock':>24}   {'CPU time':>24}")
    for name, pairs in rates.items():
        cells = []
        for values in zip(*pairs, strict=True):
            cells.append(f"{statistics.median(values):>8,.0f} ({min(values):,.0f}–{max(values):,.0f})")
        print(f"  {name:<52} {cells[0]:>24}   {cells[1]:>24}")


if __name__ == "__main__":
    main()
