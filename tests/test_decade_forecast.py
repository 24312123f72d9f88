"""Fit early, forecast late (experiments/decade_forecast): the calibration sees the record to December 2018 only, the
forecast reruns from the posterior shipped beside it to the figures in ``forecast.json``, and the README quotes them."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from sim import read_events
from sim.cli.calibrate import load_calibration
from sim.io.library import load_scenario
from sim.model.cameo import goldstein_table
from sim.study.calibration.observed import country_pairs, observed_acts
from sim.study.calibration.summaries import Summaries, act_kind, scenario_codes

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments" / "decade_forecast"
FIGURES = json.loads((HERE / "forecast.json").read_text())
README = re.sub(r"\s+", " ", (HERE / "README.md").read_text())


def load_forecast():
    spec = importlib.util.spec_from_file_location("forecast", HERE / "forecast.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def statistics(calibration, path: Path) -> dict[str, float]:
    scenario = load_scenario(calibration.scenario)
    acts = observed_acts(path, calibration.actors, scenario, calibration.rounds)
    kinds = tuple(sorted(scenario_codes(scenario) | ({act_kind(c) for c in acts.cameo} - {""})))
    summaries = Summaries(tuple(country_pairs(scenario)), kinds, calibration.rounds, calibration.period)
    return dict(zip(summaries.names, summaries(acts, 1)[0], strict=True))


def test_the_fit_sees_the_record_to_2018_only(tmp_path):
    """The record cut at December 2018 gives the calibration the same statistics as the whole record (which also
    counts the kinds of act that first appear after 2018: none before)."""
    calibration = load_calibration("tokyo_2013_decade_2018")
    assert calibration.rounds == 62 and load_scenario(calibration.scenario).name == "tokyo_2013_decade"
    with open(calibration.observed, newline="") as f:
        rows = list(csv.DictReader(f))
    assert any(r["date"] > "2019" for r in rows)
    cut = tmp_path / "to_2018.csv"
    with open(cut, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["date"] < "2019")
    whole, to_2018 = statistics(calibration, calibration.observed), statistics(calibration, cut)
    assert set(to_2018) < set(whole)
    assert {name: whole[name] for name in to_2018} == to_2018
    assert all(value == 0 for name, value in whole.items() if name not in to_2018)


def test_the_records_years_are_counted_as_the_record_says():
    """The record's yearly Goldstein totals and counts in forecast.json, recomputed from its rows."""
    calibration = load_calibration("tokyo_2013_decade_2018")
    table = goldstein_table()
    countries = {"japan", "russia"}
    for row in FIGURES["years"]:
        a, b, year = row["country"], row["counterpart"], str(row["year"])
        values = [
            table[e["cameo"]].goldstein * float(e.get("weight", 1.0))
            for e in read_events(calibration.observed, calibration.actors)
            if e["date"].startswith(year)
            and e["source"].split(".")[0] == a
            and e["target"].split(".")[0] == b
            and {a, b} <= countries
        ]
        expected = {
            "goldstein": sum(values),
            "cooperative": sum(v > 0 for v in values),
            "conflictual": sum(v < 0 for v in values),
        }[row["statistic"]]
        assert row["observed"] == pytest.approx(expected, abs=0.01), row


@pytest.mark.slow
def test_the_forecast_reruns_to_its_figures():
    figures = json.loads(json.dumps(load_forecast().numbers()[0]))  # as written: tuples as lists
    assert figures == FIGURES


def test_the_readme_quotes_the_figures():
    run, calibration = FIGURES["posterior"], FIGURES["calibration"]
    settings = calibration["settings"]
    assert (
        f"population {settings['population']}, at most {settings['generations']} generations, "
        f"replicates {settings['replicates']}, workers={settings['workers']}"
    ) in README
    assert f"{calibration['simulations']:,} simulations in {calibration['seconds'] / 60:.1f} minutes" in README
    for path, (low, median, high) in calibration["intervals"].items():
        assert f"`{path.removeprefix('scenario.')}` {median:.2f} ({low:.2f}–{high:.2f})" in README
    for sample, (inside, total) in run["inside"].items():
        assert f"{inside} of {total}" in README, sample
    for sample, (inside, total) in FIGURES["shipped"]["inside"].items():
        assert f"{inside} of {total}" in README, sample
    first, last = calibration["epsilon"][0], calibration["epsilon"][-1]
    assert f"ε falling only from {first:.2f} to {last:.2f}" in README
    assert f"{100 * run['settled_by_year']['2018']:.1f}% of them already by the end of 2018" in README
    shipped = ", ".join(f"`{p.rsplit('.', 1)[-1]}` {v:g}" for p, v in FIGURES["shipped_values"].items())
    assert f"({shipped})" in README
    for name in ("posterior", "shipped"):
        settled = 100 * FIGURES[name]["settled_by_year"]["2022"]
        assert f"{settled:.1f}%" in README, name
    for sample in ("fit", "forecast"):
        share = run["conflict_share"][sample]
        assert f"{100 * share['model']:.0f}% against {100 * share['record']:.0f}%" in README, sample
    for name in ("posterior", "shipped"):
        confidence = FIGURES[name]["confidence"]
        for label, (_, japan, _) in confidence["japan->russia"].items():
            russia = confidence["russia->japan"][label][1]
            assert re.search(rf"{japan:.3f},? and {russia:.3f}", README), (name, label)
