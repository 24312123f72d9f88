"""Checking a calibration before believing it: recoveries of values drawn from its priors.

Each case draws hidden values from the priors, generates one history with them (its own seed, written as an event
record), and calibrates it exactly as configured. If the method is calibrated, each parameter's 50% and 90% intervals
hold the hidden value in about 50% and 90% of the cases, and the rank of the hidden value among posterior draws is
uniform (simulation-based calibration, Talts et al. 2018): a rank histogram heaped in the middle says the intervals are
too wide, one heaped at the ends that they are too narrow, one tilted that the posterior is biased.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.stats import binom

from sim.io.atomic import AtomicDir
from sim.io.library import load_scenario
from sim.model.record.acts import acts_table, event_records
from sim.model.run import simulate
from sim.study.calibration.abc import calibrate, credible_intervals
from sim.study.calibration.config import Calibration
from sim.study.executor import start_worker
from sim.views.calibration_figures import plot_check

MASSES = (0.5, 0.9)  # the intervals whose coverage is checked
RANK_DRAWS = 99  # posterior draws the hidden value is ranked among: ranks 0 … 99


def check(calibration: Calibration, cases: int, progress: Callable[[str], None] | None = None) -> Path:
    """Run ``cases`` recoveries of ``calibration`` into a new folder (``output_dir`` with ``_check``, or a free name
    beside it): ``cases/`` (each history and calibration), ``check.parquet`` (a row per case and parameter),
    ``coverage.parquet`` (a row per parameter), ``check.png`` and ``check.yaml``; return the folder. With ``workers``
    above 1, that many cases run side by side, each calibration in one process: the check is the same either way."""
    report = progress or (lambda line: None)
    folder = AtomicDir(calibration.output_dir.with_name(f"{calibration.output_dir.name}_check"), free=True)
    with folder as out:
        (out / "cases").mkdir()
        rows = []
        for k, found in enumerate(_recoveries(calibration, cases, out)):
            rows += found
            held = sum(r["covered90"] for r in found)
            report(
                f"case {k + 1}/{cases}: the 90% intervals hold {held} of {len(found)} hidden values, "
                f"{found[0]['seconds']:.0f} s"
            )
        table = pd.DataFrame(rows)
        summary = coverage(table)
        table.to_parquet(out / "check.parquet", index=False)
        summary.to_parquet(out / "coverage.parquet", index=False)
        figure = plot_check(table, summary, calibration.priors, RANK_DRAWS, *rank_band(cases))
        figure.savefig(out / "check.png", dpi=120)
        seconds = float(table.groupby("case")["seconds"].first().sum())
        record = calibration.to_dict() | {"check": {"cases": cases, "seconds": round(seconds, 1)}}
        (out / "check.yaml").write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True))
    return folder.target


def rank_band(cases: int) -> tuple[int, tuple[float, float]]:
    """The rank histogram's bins for ``cases`` cases, and the 90% band of a bin's count if the method is calibrated
    (each rank uniform: the count binomial, ``cases`` trials of 1/bins)."""
    bins = int(np.clip(cases // 2, 2, 10))
    low, high = binom.ppf([0.05, 0.95], cases, 1 / bins)
    return bins, (float(low), float(high))


def _recoveries(calibration: Calibration, cases: int, out: Path) -> Iterator[list[dict]]:
    """Each case's rows, in order: in this process, or over ``workers`` spawned processes."""
    single = dataclasses.replace(calibration, workers=1)
    if calibration.workers == 1:
        yield from (recovery(single, k, out) for k in range(cases))
        return
    spawn = multiprocessing.get_context("spawn")  # not forked: the parent may hold threads (BLAS, pyabc's database)
    with ProcessPoolExecutor(
        min(calibration.workers, cases), mp_context=spawn, initializer=start_worker, initargs=(os.getpid(),)
    ) as pool:
        yield from pool.map(recovery, repeat(single), range(cases), repeat(out))


def recovery(calibration: Calibration, k: int, out: Path) -> list[dict]:
    """Case ``k``: hidden values drawn from the priors, one history with them written as an event record under
    ``out/cases``, calibrated as configured; :func:`case_rows` with the case's number, warnings and time."""
    started = time.perf_counter()
    rng = np.random.default_rng([calibration.seed, k])
    truth = {path: float(rng.uniform(low, high)) for path, (low, high) in calibration.priors.items()}
    record = out / "cases" / f"history{k + 1}.csv"
    scenario = load_scenario(calibration.scenario_with(truth))
    history = simulate(scenario, seed=int(rng.integers(2**31)), rounds=calibration.rounds)
    event_records(acts_table(history)).to_csv(record, index=False)
    case = dataclasses.replace(
        calibration,
        observed=record,
        actors=None,
        seed=int(rng.integers(2**31)),
        output_dir=out / "cases" / f"case{k + 1}",
    )
    result = calibrate(case)
    warned = len(yaml.safe_load((result / "calibration.yaml").read_text())["run"]["warnings"])
    found = case_rows(pd.read_parquet(result / "posterior.parquet"), truth, calibration.priors, rng)
    return [r | {"case": k + 1, "warnings": warned, "seconds": time.perf_counter() - started} for r in found]


def case_rows(
    posterior: pd.DataFrame, truth: dict[str, float], priors: dict[str, tuple[float, float]], rng: np.random.Generator
) -> list[dict]:
    """Per parameter: the hidden value, its posterior median, 50% and 90% intervals (and whether each holds it), the
    90% interval's width as a share of the prior's range, and the hidden value's rank among RANK_DRAWS posterior
    draws by weight."""
    weights = posterior["weight"].to_numpy()
    draws = rng.choice(len(posterior), size=RANK_DRAWS, p=weights / weights.sum())
    intervals = {mass: credible_intervals(posterior, mass).set_index("parameter") for mass in MASSES}
    rows = []
    for path, value in truth.items():
        low, high = priors[path]
        row = {"parameter": path, "truth": value, "median": float(intervals[MASSES[0]].loc[path, "median"])}
        for mass in MASSES:
            a, b = intervals[mass].loc[path, ["low", "high"]]
            tag = round(100 * mass)
            row |= {f"low{tag}": a, f"high{tag}": b, f"covered{tag}": bool(a <= value <= b)}
            row[f"width{tag}"] = (b - a) / (high - low)
        row["rank"] = int((posterior[path].to_numpy()[draws] < value).sum())
        rows.append(row)
    return rows


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """Per parameter: cases, how many 50% and 90% intervals held the hidden value, and their mean widths (shares of the
    prior's range)."""
    columns = {"cases": ("case", "count")}
    for mass in MASSES:
        tag = round(100 * mass)
        columns |= {f"covered{tag}": (f"covered{tag}", "sum"), f"width{tag}": (f"width{tag}", "mean")}
    return table.groupby("parameter", sort=False).agg(**columns).reset_index()


def summary_lines(summary: pd.DataFrame) -> list[str]:
    """The coverage table as one line per parameter."""
    return [
        f"{row.parameter}: 50% interval holds {row.covered50}/{row.cases} (width {row.width50:.2f} of the prior), "
        f"90% holds {row.covered90}/{row.cases} (width {row.width90:.2f})"
        for row in summary.itertuples()
    ]
