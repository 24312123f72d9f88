"""Runs per second of tokyo_2013 at 40 rounds on one core, beside a minimal 4-agent Mesa model with a DataCollector.

    python benchmarks/runs_per_second.py [--repeat 9] [--replicates 1000] [--singles 40]

Each repetition times, one after the other in this process, the Mesa reference (benchmarks/mesa_reference.py) and
every path of the model: an ensemble of R replicates (engine only), the same with every tidy table and the
per-replicate summaries, ``sim.simulate`` one run at a time, and the engine alone with one replicate (no Mesa). The
machine is shared, so each figure is also given as a ratio to the reference measured in the same repetition; the
medians and the spread (min–max) over the repetitions are printed. Last, how close the ensemble is to the machine's
limit for its arithmetic: the array elements the engine produces per replicate-round against the element throughput of
one simple NumPy operation; and where an ensemble's time goes (creating its generators, the rounds, the record) beside
the time the issue-18 target allows it (1,000 replicates at 15,000 runs/s: 67 ms).
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.mesa_reference import run_reference
from sim.io.library import load_scenario
from sim.model.engine.engine import Engine
from sim.model.plan.compiled import plan_for
from sim.model.run import replicate_seeds, simulate, simulate_ensemble

ROUNDS = 40
TARGET_RUNS_PER_SECOND = 15_000  # issue 18: the engine-only ensemble at 1,000 replicates


def rate(runs: int, work) -> float:
    """Runs per second of ``work()``, which does ``runs`` runs."""
    start = time.perf_counter()
    work()
    return runs / (time.perf_counter() - start)


def engine_alone(plan, seeds) -> None:
    for s in seeds:
        e = Engine(plan, [np.random.default_rng(s)])
        for _ in range(ROUNDS):
            e.play_round()
        e.record([s])


def paths(scenario, seeds, singles: int) -> dict:
    """name → (runs, work): each path of the model, and the reference."""
    plan = plan_for(scenario)

    def with_tables():
        result = simulate_ensemble(scenario, seeds, rounds=ROUNDS)
        result.tables()
        result.replicate_summaries  # noqa: B018

    return {
        "mesa reference (4 agents, DataCollector)": (
            singles,
            lambda: [run_reference(s, ROUNDS) for s in range(singles)],
        ),
        f"simulate_ensemble, {len(seeds):,} seeds, engine only": (
            len(seeds),
            lambda: simulate_ensemble(scenario, seeds, rounds=ROUNDS),
        ),
        "  the same with every table and the summaries": (len(seeds), with_tables),
        "sim.simulate, one run": (singles, lambda: [simulate(scenario, seed=s, rounds=ROUNDS) for s in range(singles)]),
        "the engine alone, one replicate, no Mesa": (singles, lambda: engine_alone(plan, range(singles))),
    }


class Counted(np.ndarray):
    """An array that counts the elements every NumPy ufunc produces from it (for the arithmetic's size)."""

    elements = 0

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, Counted) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, Counted) else x for x in kwargs["out"])
        out = getattr(ufunc, method)(*plain, **kwargs)
        if isinstance(out, np.ndarray):
            Counted.elements += out.size
            return out.view(Counted)
        return out


def elements_per_replicate_round(scenario, replicates: int = 200) -> float:
    """Array elements produced by ufuncs on the state (confidence, draws) per replicate and round."""
    e = Engine(plan_for(scenario), [np.random.default_rng(s) for s in range(replicates)])
    e.confidence = e.confidence.view(Counted)
    take = e.dice.take
    e.dice.take = lambda n: take(n).view(Counted)
    Counted.elements = 0
    for _ in range(ROUNDS):
        e.play_round()
    return Counted.elements / (replicates * ROUNDS)


def element_throughput(size: int = 10_000, calls: int = 1000, repeat: int = 9) -> float:
    """Elements per second of ``out = a * b`` on float64 arrays of ``size`` (the ensemble's arrays: 1,000 replicates
    × a few ministries, in cache), best of ``repeat``."""
    a, b, out = np.random.default_rng(0).random((3, size))

    def work():
        for _ in range(calls):
            np.multiply(a, b, out=out)

    return max(rate(calls, work) for _ in range(repeat)) * size


def ensemble_stages(plan, seeds, repeat: int) -> dict[str, list[float]]:
    """Milliseconds spent by each stage of an engine-only ensemble, ``repeat`` times: what ``simulate_ensemble`` does
    after checking its arguments."""
    stages: dict[str, list[float]] = {"creating the generators": [], "the rounds": [], "the record (snapshot)": []}
    for _ in range(repeat):
        start = time.perf_counter()
        generators = [np.random.Generator(np.random.PCG64(s)) for s in seeds]
        made = time.perf_counter()
        engine = Engine(plan, generators)
        for _ in range(ROUNDS):
            engine.play_round()
        played = time.perf_counter()
        engine.record(seeds)
        recorded = time.perf_counter()
        for stage, seconds in zip(stages.values(), (made - start, played - made, recorded - played), strict=True):
            stage.append(1e3 * seconds)
    return stages


def spread(values: list[float], digits: int = 0) -> str:
    return f"{statistics.median(values):>9,.{digits}f}  ({min(values):,.{digits}f}–{max(values):,.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--singles", type=int, default=40, help="single runs per repetition (reference and model)")
    args = parser.parse_args()
    scenario = load_scenario("tokyo_2013")
    seeds = replicate_seeds(2013, args.replicates)
    work = paths(scenario, seeds, args.singles)
    for _, job in work.values():  # warm up: plan compiled once per scenario, imports
        job()
    rates: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(args.repeat):
        for name, (runs, job) in work.items():
            rates[name].append(rate(runs, job))
    reference = rates[next(iter(work))]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()},"
        f" numpy {np.__version__}"
    )
    print(f"tokyo_2013, {ROUNDS} rounds; {args.repeat} interleaved repetitions: median (min–max)")
    print(f"{'path':50} {'runs/s':>28} {'× the Mesa reference':>30}")
    for name, values in rates.items():
        ratios = [v / r for v, r in zip(values, reference, strict=True)]
        print(f"{name:50} {spread(values):>28} {spread(ratios, 2):>30}")

    per_round = elements_per_replicate_round(scenario)
    limit = element_throughput()
    ensemble = statistics.median(rates[f"simulate_ensemble, {len(seeds):,} seeds, engine only"])
    spent = 1e9 / (ensemble * ROUNDS)  # ns per replicate-round
    floor = 1e9 * per_round / limit
    print(
        f"arithmetic: {per_round:,.0f} elements per replicate-round; np.multiply makes {limit / 1e9:.2f} G elements/s,"
        f" so {floor:,.0f} ns per replicate-round at the limit against {spent:,.0f} ns spent in the ensemble"
        f" ({floor / spent:.0%} of the limit)"
    )
    budget = 1e3 * len(seeds) / TARGET_RUNS_PER_SECOND
    print(f"where an ensemble of {len(seeds):,} replicates spends its time, ms: median (min–max) of {args.repeat}")
    for stage, values in ensemble_stages(plan_for(scenario), seeds, args.repeat).items():
        share = statistics.median(values) / budget
        print(f"  {stage:30} {spread(values, 1):>28}  ({share:.0%} of the target's {budget:.0f})")


if __name__ == "__main__":
    main()
