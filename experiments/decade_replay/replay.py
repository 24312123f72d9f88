"""The decade replayed: tokyo_2013_decade over 1,000 histories, November 2013 to December 2022.

    python experiments/decade_replay/replay.py [--replicates 1000] [--out experiments/decade_replay]

Writes ``decade.png`` (confidence both ways with the record's acts, and the share settled by year) beside this file
and prints the figures the README quotes: confidence at the record's turning points, the course it checks, the share
settled. ``tests/test_decade.py`` runs the same replay and checks the README's figures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim import load_scenario
from sim.study.replay import at_months, course, replay, settled_by_year
from sim.views.replay_figures import plot_replay
from sim.views.style import FIGURE_DPI

SCENARIO, UNTIL = "tokyo_2013_decade", "2022-12"
MONTHS = {  # the turning points of the record (sim/data/README.md), read at the end of each month
    "first 2+2": "start",
    "before Crimea": "2014-02",
    "after the sanctions": "2014-12",
    "before Sochi": "2015-12",
    "after Nagato": "2016-12",
    "after the 2+2's return": "2017-12",
    "after Singapore": "2018-12",
    "after the last summit": "2019-09",
    "before the invasion": "2022-01",
    "end of 2022": "2022-12",
}
COURSE = [  # the decade as history tells it, each step for both directions
    ("first 2+2", "before Crimea", "rise"),
    ("before Crimea", "after the sanctions", "fall"),
    ("before Sochi", "after the 2+2's return", "rise"),
    ("after the last summit", "before the invasion", "fall"),
    ("before the invasion", "end of 2022", "fall"),
]


def numbers(replicates: int = 1000, seed: int = 2013) -> tuple[dict, object]:
    """The replay's figures, and its result."""
    result = replay(load_scenario(SCENARIO), UNTIL, replicates=replicates, seed=seed)
    months = at_months(result, MONTHS)
    steps = course(months, COURSE)
    settled = settled_by_year(result, "peace_treaty")
    figures = {
        "replicates": replicates,
        "settled_by_2022": float(settled.iloc[-1]),
        "settled_by_year": {str(y): float(v) for y, v in settled.items()},
        "confidence": {f"{r.country}->{r.counterpart}": {} for r in months.itertuples()},
        "course_holds": bool(steps["holds"].all()),
        "course": steps.to_dict(orient="records"),
    }
    for r in months.itertuples():
        figures["confidence"][f"{r.country}->{r.counterpart}"][r.label] = round(float(r.median), 3)
    return figures, (result, settled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    figures, (result, settled) = numbers(args.replicates)
    fig = plot_replay(result, result.events, settled)
    fig.savefig(args.out / "decade.png", dpi=FIGURE_DPI)
    print(f"settled by the end of 2022: {100 * figures['settled_by_2022']:.1f}% of {args.replicates:,} histories")
    for pair, values in figures["confidence"].items():
        print(pair, "  ".join(f"{k}: {v:.3f}" for k, v in values.items()))
    for step in figures["course"]:
        mark = "as history" if step["holds"] else "NOT as history"
        print(
            f"{step['country']}->{step['counterpart']}: {step['from']} → {step['to']} {step['expected']}: "
            f"{step['before']:.3f} → {step['after']:.3f} ({mark})"
        )


if __name__ == "__main__":
    main()
