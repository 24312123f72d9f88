"""Fit early, forecast late: tokyo_2013_decade calibrated on the record to December 2018, run forward to December 2022
and compared with the record it never saw.

    negsim calibrate config=tokyo_2013_decade_2018 output_dir=outputs/calibration/decade_2018
    python experiments/decade_forecast/forecast.py outputs/calibration/decade_2018 [--draws 1000] [--seed 2013]

Given a calibration's folder, copies its posterior and what ran (``posterior.parquet``, ``calibration.json``) beside
this file; without one, reads the copies shipped here, so the forecast reruns without the calibration. Draws
``draws`` particles from the posterior by weight, runs each as one history of the whole decade (110 rounds, one
vectorised batch), reduces the histories and the record alike to each calendar year's Goldstein total and counts of
cooperative and conflictual acts per direction, and writes ``forecast.png`` (the 5–95% posterior-predictive band of
each year against the record; left of the line fitted, right of it forecast), ``forecast_replay.png`` (confidence
both ways and the share settled by year) and ``forecast.json`` (every figure the README quotes), and prints them.
``tests/test_decade_forecast.py`` runs the forecast again and checks the README against it.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim.cli.calibrate import load_calibration
from sim.io.library import load_scenario, scenario_data
from sim.model.record.acts import STATISTICS, generated_acts, period_summaries
from sim.model.run import replicate_seeds, simulate_ensemble
from sim.model.scenario.keypaths import get_path, leaves, with_values
from sim.study.calibration.abc import weighted_quantile
from sim.study.calibration.observed import country_pairs, observed_acts
from sim.study.replay import at_months, course, round_of, settled_by_year
from sim.views.replay_figures import plot_replay
from sim.views.style import FIGURE_DPI, display_name, readable

HERE = Path(__file__).resolve().parent
CALIBRATION = "tokyo_2013_decade_2018"  # conf/calibration/
UNTIL, FIT_UNTIL = "2022-12", "2018-12"
QUANTILES = (0.05, 0.5, 0.95)
MONTHS = {  # confidence read at the end of each (as experiments/decade_replay reads it)
    "after Singapore": "2018-12",
    "after the last summit": "2019-09",
    "before the invasion": "2022-01",
    "end of 2022": "2022-12",
}
COURSE = [  # the record's course out of sample, each step for both directions
    ("after the last summit", "before the invasion", "fall"),
    ("before the invasion", "end of 2022", "fall"),
]
LABELS = {"goldstein": "Goldstein total", "cooperative": "cooperative acts", "conflictual": "conflictual acts"}


def load_calibration_dir(folder: Path, out: Path) -> None:
    """Copy a calibration's posterior and a summary of what ran (settings, intervals, generations) into ``out``."""
    ran = yaml.safe_load((folder / "calibration.yaml").read_text())
    generations = pd.read_parquet(folder / "generations.parquet")
    intervals = pd.read_parquet(folder / "intervals.parquet")
    summary = {
        "settings": {k: ran[k] for k in ("rounds", "period", "replicates", "population", "generations", "workers")},
        "priors": {p: list(b) for p, b in leaves(ran["priors"])},
        "run": {k: ran["run"][k] for k in ("sampler", "workers", "reproducible", "statistics", "warnings")},
        "generations": len(generations),
        "simulations": int(generations["simulations"].sum()),
        "seconds": round(float(generations["seconds"].sum()), 1),
        "epsilon": [round(float(e), 4) for e in generations["epsilon"]],
        "intervals": {
            r.parameter: [round(r.low, 3), round(r.median, 3), round(r.high, 3)] for r in intervals.itertuples()
        },
    }
    shutil.copyfile(folder / "posterior.parquet", out / "posterior.parquet")
    (out / "calibration.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")


def yearly(acts, replicates: int, scenario, rounds: int) -> pd.DataFrame:
    """Each replicate's Goldstein total and counts of cooperative and conflictual acts per calendar year and directed
    country pair: one row per replicate × year × pair × statistic."""
    pairs = country_pairs(scenario)
    monthly = period_summaries(
        acts.replicate, acts.round, acts.source, acts.target, acts.goldstein, replicates=replicates, pairs=pairs,
        rounds=rounds,
    )  # fmt: skip
    start = int(scenario.calendar_start[:4]) * 12 + int(scenario.calendar_start[5:7]) - 1
    years = (start + np.arange(rounds) * scenario.round_months) // 12
    rows = []
    for year in np.unique(years):
        total = monthly[:, years == year].sum(axis=1)  # (replicates, pairs, STATISTICS)
        for k, (a, b) in enumerate(pairs):
            for s, stat in enumerate(STATISTICS):
                rows.append(
                    pd.DataFrame(
                        {"replicate": np.arange(replicates), "year": int(year), "country": a, "counterpart": b}
                        | {"statistic": stat, "value": total[:, k, s]}
                    )
                )
    return pd.concat(rows, ignore_index=True)


@dataclass(frozen=True)
class Histories:
    """Histories of the decade drawn from many particles, read as one replay's result is
    (:func:`sim.study.replay.at_months`, :func:`~sim.study.replay.settled_by_year`, :func:`plot_replay`)."""

    plan: object  # the plan of the first particle: its scenario and calendar are every particle's
    rounds: int
    seeds: list[int]
    confidence_cube: np.ndarray  # (histories, rounds + 1, directed pairs)
    settled_round: dict[str, np.ndarray]
    events: pd.DataFrame  # the first particle's (the record's events strike in every history)
    yearly: pd.DataFrame  # :func:`yearly` of every history

    @property
    def countries(self) -> list[str]:
        return [c.name for c in self.plan.scenario.countries]

    @property
    def country_pairs(self) -> list[tuple[str, str]]:
        return country_pairs(self.plan.scenario)


def forecast(posterior: pd.DataFrame, draws: int, per_draw: int, seed: int) -> Histories:
    """``draws`` posterior particles (by weight), ``per_draw`` histories of the decade each (one vectorised batch per
    particle: the decade's dated changes keep particles from sharing a batch), seeds spawned from ``seed``."""
    base = scenario_data("tokyo_2013_decade")
    rng = np.random.default_rng(seed)
    weights = posterior["weight"].to_numpy()
    picks = rng.choice(len(posterior), size=draws, p=weights / weights.sum())
    params = [p for p in posterior.columns if p != "weight"]
    seeds = replicate_seeds(seed, draws * per_draw)
    rounds = round_of(load_scenario(base), UNTIL)
    results = []
    for n, k in enumerate(picks):
        values = {p: float(posterior[p].iloc[k]) for p in params}
        scenario = load_scenario(with_values({"scenario": base}, values)["scenario"])
        results.append(simulate_ensemble(scenario, seeds[n * per_draw : (n + 1) * per_draw], rounds=rounds))
    first = results[0]
    tables = [yearly(generated_acts(r), per_draw, first.plan.scenario, rounds) for r in results]
    for n, table in enumerate(tables):
        table["replicate"] += n * per_draw
    return Histories(
        plan=first.plan,
        rounds=rounds,
        seeds=seeds,
        confidence_cube=np.concatenate([r.confidence_cube for r in results]),
        settled_round={t: np.concatenate([r.settled_round[t] for r in results]) for t in first.settled_round},
        events=first.events,
        yearly=pd.concat(tables, ignore_index=True),
    )


def numbers(draws: int = 100, per_draw: int = 10, seed: int = 2013, folder: Path = HERE) -> tuple[dict, tuple]:
    """The forecast's figures from the posterior in ``folder`` (and, to compare, from the scenario's shipped values
    with the same seeds), and what the figures are drawn from."""
    posterior = pd.read_parquet(folder / "posterior.parquet")
    params = [p for p in posterior.columns if p != "weight"]
    shipped = {p: get_path({"scenario": scenario_data("tokyo_2013_decade")}, p) for p in params}
    runs = {
        "posterior": forecast(posterior, draws, per_draw, seed),
        "shipped": forecast(pd.DataFrame([shipped | {"weight": 1.0}]), 1, draws * per_draw, seed),
    }
    result = runs["posterior"]
    scenario, rounds = result.plan.scenario, result.rounds
    record = load_calibration(CALIBRATION, [])
    seen = yearly(observed_acts(record.observed, record.actors, scenario, rounds), 1, scenario, rounds)
    figures = {
        "draws": draws,
        "per_draw": per_draw,
        "histories": draws * per_draw,
        "seed": seed,
        "calibration": json.loads((folder / "calibration.json").read_text()),
        "shipped_values": shipped,
        "posterior_median": {
            p: round(weighted_quantile(posterior[p].to_numpy(), posterior["weight"].to_numpy(), 0.5), 3) for p in params
        },
    }
    for name, run in runs.items():
        table = bands_against(run.yearly, seen, int(scenario.calendar_start[:4]) + 1)
        months = at_months(run, MONTHS)
        inside = table.groupby("sample")["inside"].agg(["sum", "count"])
        figures[name] = {
            "inside": {s: [int(r["sum"]), int(r["count"])] for s, r in inside.iterrows()},
            "conflict_share": _conflict_share(run.yearly, seen),
            "confidence": {f"{a}->{b}": {} for a, b in run.country_pairs},
            "course": [
                step | {"before": round(float(step["before"]), 3), "after": round(float(step["after"]), 3)}
                for step in course(months, COURSE).to_dict(orient="records")
            ],
            "settled_by_year": {str(y): float(v) for y, v in settled_by_year(run, "peace_treaty").items()},
        }
        for r in months.itertuples():
            quantiles = [round(float(q), 3) for q in (r.p05, r.median, r.p95)]
            figures[name]["confidence"][f"{r.country}->{r.counterpart}"][r.label] = quantiles
        if name == "posterior":
            figures["years"] = [
                {k: (round(float(v), 2) if isinstance(v, float) else v) for k, v in row.items()}
                for row in table.to_dict(orient="records")
            ]
            drawn = table
    return figures, (drawn, result, settled_by_year(result, "peace_treaty"))


def bands_against(simulated: pd.DataFrame, seen: pd.DataFrame, first_year: int) -> pd.DataFrame:
    """Per year from ``first_year``, directed pair and statistic: the histories' 5%, median and 95%, the record's value,
    whether it lies inside the band, and whether the year was fitted or forecast."""
    keys = ["year", "country", "counterpart", "statistic"]
    bands = simulated.groupby(keys)["value"].quantile(list(QUANTILES)).unstack()
    bands.columns = ["p05", "median", "p95"]
    table = bands.join(seen.set_index(keys)["value"].rename("observed")).reset_index()
    table = table[table["year"] >= first_year].reset_index(drop=True)
    table["inside"] = (table["observed"] >= table["p05"]) & (table["observed"] <= table["p95"])
    table["sample"] = np.where(table["year"] <= int(FIT_UNTIL[:4]), "fit", "forecast")
    return table


def _conflict_share(simulated: pd.DataFrame, seen: pd.DataFrame) -> dict:
    """The share of conflictual acts among all acts, both directions together, in the fitted years and the forecast
    ones: the model's median over histories and the record's."""
    out = {}
    for name, years in (("fit", lambda y: (y >= 2014) & (y <= 2018)), ("forecast", lambda y: y >= 2019)):
        shares = []
        for table in (simulated, seen):
            part = table[years(table["year"])].groupby(["replicate", "statistic"])["value"].sum().unstack()
            shares.append(part["conflictual"] / (part["conflictual"] + part["cooperative"]))
        out[name] = {"model": round(float(shares[0].median()), 3), "record": round(float(shares[1].iloc[0]), 3)}
    return out


@readable
def plot_forecast(table: pd.DataFrame) -> Figure:
    """Per directed pair (rows) and statistic (columns): each year's 5–95% posterior-predictive band and median, and
    the record's value, with the line between the years fitted and the years forecast."""
    pairs = table[["country", "counterpart"]].drop_duplicates().itertuples(index=False)
    pairs = list(pairs)
    fig = Figure(figsize=(15, 3.6 * len(pairs) + 0.8), layout="constrained")
    axes = fig.subplots(len(pairs), len(STATISTICS), squeeze=False)
    split = int(FIT_UNTIL[:4]) + 0.5
    for r, (a, b) in enumerate(pairs):
        for c, stat in enumerate(STATISTICS):
            ax = axes[r, c]
            part = table[(table["country"] == a) & (table["counterpart"] == b) & (table["statistic"] == stat)]
            ax.fill_between(part["year"], part["p05"], part["p95"], color="tab:blue", alpha=0.25, lw=0, label="5–95%")
            ax.plot(part["year"], part["median"], color="tab:blue", lw=1.5, label="median")
            ax.plot(part["year"], part["observed"], "o", color="black", ms=5, label="the record")
            ax.axvline(split, color="0.4", ls="--", lw=1)
            ax.set_title(f"{display_name(a)} → {display_name(b)}: {LABELS[stat]}")
            ax.set_xticks(part["year"][::2])
            ax.grid(alpha=0.3)
            if r == 0 and c == 0:
                ax.legend(loc="best", frameon=False)
    fig.suptitle(f"fitted to {FIT_UNTIL[:4]} (left of the dashed line), forecast to {UNTIL[:4]} (right): posterior "
                 "predictive per year against the record")  # fmt: skip
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "calibration", type=Path, nargs="?", help="a calibration's output folder (default: the copies here)"
    )
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--per-draw", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    if args.calibration is not None:
        load_calibration_dir(args.calibration, args.out)
    figures, (table, result, settled) = numbers(args.draws, args.per_draw, args.seed, args.out)
    plot_forecast(table).savefig(args.out / "forecast.png", dpi=FIGURE_DPI)
    title = f"the decade from the posterior fitted to {FIT_UNTIL[:4]}: {args.draws} draws × {args.per_draw} histories"
    plot_replay(result, result.events, settled, title=title).savefig(args.out / "forecast_replay.png", dpi=FIGURE_DPI)
    (args.out / "forecast.json").write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(figures, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
