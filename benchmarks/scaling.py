"""Time per round as countries grow: synthetic scenarios of 2, 10, 50 and 200 countries × 3 ministries.

    python benchmarks/scaling.py [--rounds 100] [--ministry-every 10]

Each country meets its two nearest neighbours on each side of a ring every three rounds, all meet in a yearly forum
(every pair of countries: 19,900 pairs at 200), and a tenth of neighbouring pairs hold settlement talks. Ministry
pairs are recorded every ``--ministry-every`` rounds, countries every round.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import time

from sim.io.synthetic import synthetic_scenario
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--ministry-every", type=int, default=10)
    parser.add_argument("--countries", type=int, nargs="+", default=[2, 10, 50, 200])
    args = parser.parse_args()
    print(f"{'countries':>9} {'pairs met':>9} {'build s':>8} {'run s':>7} {'ms/round':>9} {'table rows':>11}")
    previous = None
    for n in args.countries:
        start = time.perf_counter()
        scenario = ScenarioSpec.from_dict(synthetic_scenario(n))
        built = time.perf_counter() - start
        start = time.perf_counter()
        result = simulate(scenario, rounds=args.rounds, ministry_every=args.ministry_every)
        ran = time.perf_counter() - start
        rows = len(result.country_confidence) + len(result.ministry_confidence)
        pairs = sum(len(e.pairs) for e in scenario.calendar)
        growth = f"  ×{ran / previous:.1f}" if previous else ""
        print(f"{n:>9} {pairs:>9} {built:>8.2f} {ran:>7.2f} {1000 * ran / args.rounds:>9.1f} {rows:>11,}{growth}")
        previous = ran


if __name__ == "__main__":
    main()
