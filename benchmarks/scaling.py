"""Time per round as countries grow, and the peak memory of a large run's tables: synthetic scenarios × 3 ministries.

    python benchmarks/scaling.py [--rounds 100] [--ministry-every 10] [--countries 2 10 50 200 400] [--repeat 3]
    python benchmarks/scaling.py --memory-only

Each country meets its two nearest neighbours on each side of a ring every three rounds, all meet in a yearly forum
(every pair of countries: 19,900 pairs at 200, 79,800 at 400), and a tenth of neighbouring pairs hold settlement talks.
Ministry pairs are recorded every ``--ministry-every`` rounds, countries every round. A run's time includes compiling
the scenario's plan (not parsing it). The Mesa reference (benchmarks/mesa_reference.py) runs between the repetitions,
so the machine's state can be read beside each figure. Last, in a fresh process, the peak resident memory of running
200 countries and building every table and the per-replicate summaries (target ≤ 600 MB).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.mesa_reference import run_reference
from sim.io.synthetic import synthetic_scenario
from sim.model.plan.compiled import plan_for
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec

ROOT = Path(__file__).resolve().parent.parent
# Peak memory from VmHWM (this process since its exec): ru_maxrss would keep the parent's peak across fork and exec.
MEMORY = """
from pathlib import Path
from sim.io.synthetic import synthetic_scenario
from sim.model.run import simulate
from sim.model.scenario.specs import ScenarioSpec
def peak():
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM"))
    return int(line.split()[1]) // 1024
result = simulate(ScenarioSpec.from_dict(synthetic_scenario({n})), rounds={rounds}, ministry_every={every})
before = peak()
rows = sum(len(t) for t in result.tables().values()) + len(result.replicate_summaries)
print(before, peak(), rows)
"""


def reference_rate(seconds: float = 0.3) -> float:
    """Runs per second of the Mesa reference over about ``seconds``."""
    runs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run_reference(runs)
        runs += 1
    return runs / (time.perf_counter() - start)


def peak_memory(n: int, rounds: int, every: int) -> tuple[int, int, int]:
    """(peak MB after the run, peak MB after the tables, table rows) of a fresh process."""
    code = MEMORY.format(n=n, rounds=rounds, every=every)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    before, after, rows = map(int, out.stdout.split())
    return before, after, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--ministry-every", type=int, default=10)
    parser.add_argument("--countries", type=int, nargs="+", default=[2, 10, 50, 200, 400])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()
    if not args.memory_only:
        simulate(ScenarioSpec.from_dict(synthetic_scenario(2)), rounds=2)  # imports (Mesa) outside the timings
        print(f"{args.rounds} rounds; {args.repeat} repetitions: median (min–max); the Mesa reference between them")
        print(f"{'countries':>9} {'pairs met':>9} {'run s':>20} {'ms/round':>9} {'reference runs/s':>22}")
        for n in args.countries:
            scenario = ScenarioSpec.from_dict(synthetic_scenario(n))
            runs, references = [], [reference_rate()]
            for _ in range(args.repeat):
                plan_for.cache_clear()  # each repetition compiles the plan, as a first run does
                start = time.perf_counter()
                simulate(scenario, rounds=args.rounds, ministry_every=args.ministry_every)
                runs.append(time.perf_counter() - start)
                references.append(reference_rate())
            pairs = sum(len(e.pairs) for e in scenario.calendar)
            run = f"{statistics.median(runs):.2f} ({min(runs):.2f}–{max(runs):.2f})"
            ref = f"{statistics.median(references):,.0f} ({min(references):,.0f}–{max(references):,.0f})"
            per_round = 1000 * statistics.median(runs) / args.rounds
            print(f"{n:>9} {pairs:>9} {run:>20} {per_round:>9.1f} {ref:>22}")
    before, after, rows = peak_memory(200, args.rounds, args.ministry_every)
    print(
        f"200 countries, {args.rounds} rounds, every table and the summaries ({rows:,} rows): peak {after:,} MB"
        f" ({before:,} MB before the tables)"
    )


if __name__ == "__main__":
    main()
