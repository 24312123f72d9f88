"""Scenario discovery's time on a large design: PRIM and CART over N samples of D inputs.

    python benchmarks/discovery.py [--samples 10000] [--inputs 9] [--repeat 3]

The samples are a Latin hypercube over D unit inputs whose outcome holds exactly inside a box on two of them (the
rest are noise), as in tests/test_discovery.py. Prints the best time of ``discover`` (PRIM's peeling and pasting,
the box's significance tests, CART) and of writing its files (JSON, CSVs, the two figures), and how well the box was
recovered. The first call also imports the EMA Workbench (a few seconds): the best of several leaves it out.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.study.designs import parse_design
from sim.study.discovery import discover, write_discovery

BOX = {"x0": (0.3, 1.0), "x1": (0.0, 0.6)}


def samples(n: int, d: int) -> pd.DataFrame:
    ranges = {f"x{k}": [0.0, 1.0] for k in range(d)}
    table = pd.DataFrame(parse_design({"method": "lhs", "samples": n, "seed": 1, "ranges": ranges}).points())
    inside = np.ones(n, bool)
    for name, (low, high) in BOX.items():
        inside &= table[name].between(low, high)
    return table.assign(hit=inside)


def best_of(repeat: int, work) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--inputs", type=int, default=9)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table = samples(args.samples, args.inputs)
    inputs = [c for c in table.columns if c != "hit"]
    seconds, found = best_of(args.repeat, lambda: discover(table, inputs, "hit"))
    with tempfile.TemporaryDirectory() as folder:
        writing, _ = best_of(args.repeat, lambda: write_discovery(found, Path(folder) / "d"))
    box = found.box.set_index("parameter")
    found_on = [k for k in BOX if k in box.index]
    error = max(abs(box.loc[k, "low"] - BOX[k][0]) for k in found_on)
    error = max(error, *(abs(box.loc[k, "high"] - BOX[k][1]) for k in found_on))
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"discover: {args.samples:,} samples × {args.inputs} inputs: {seconds:.2f} s (best of {args.repeat})")
    print(f"writing boxes.json, the CSVs and two figures: {writing:.2f} s")
    print(f"box found on {sorted(box.index)}; largest bound error {error:.3f} of the unit range")


if __name__ == "__main__":
    main()
