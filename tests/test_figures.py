"""Every figure, drawn for a small run, a small sweep and made-up sensitivity indices, as a lecturer would show it:
no text overlaps another or leaves the figure, nothing is too small to read, and pyplot's state is left alone."""

from __future__ import annotations

import itertools
import logging
from unittest.mock import patch

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from sim.io.library import config_dir, load_scenario, read_yaml
from sim.model.agents.seat import Seat
from sim.model.run import replicate_seeds, simulate, simulate_ensemble
from sim.study.aggregate import aggregate
from sim.study.debrief import confidence_panels
from sim.study.pipeline import run_cell
from sim.study.sweep_plots import draw_sweep_plots
from sim.views.run_figures import plot_confidence, plot_talks
from sim.views.seat_figures import plot_seat_confidence, plot_settlements
from sim.views.sensitivity_figures import plot_morris, plot_sobol
from sim.views.style import SMALLEST
from sim.views.sweep_figures import plot_bands, plot_recovery, plot_settlement_map, plot_terms, plot_time_to_settlement
from sim.views.talks_figures import plot_bargaining

PARAMETERS = [f"scenario.countries.{c}.ministries.{m}.trust_gain" for c in ("japan", "russia") for m in "abcdef"]


def texts(fig: Figure) -> list[Text]:
    """The texts a drawing of the figure draws (not, say, the labels of ticks outside the axes' range)."""
    drawn, draw = [], Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return draw(self, renderer)

    with patch.object(Text, "draw", record):
        fig.draw_without_rendering()
    return list(dict.fromkeys(drawn))


def problems(fig: Figure) -> list[str]:
    """Texts that overlap each other, leave the figure or are smaller than :data:`SMALLEST` points."""
    found = []
    page = fig.bbox.padded(1)
    boxes = [(t, t.get_window_extent()) for t in texts(fig)]
    for t, box in boxes:
        if not (page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1)):
            found.append(f"{t.get_text()!r} leaves the figure")
        if t.get_fontsize() < SMALLEST:
            found.append(f"{t.get_text()!r} is {t.get_fontsize()} pt")
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if box_a.shrunk(0.98, 0.9).overlaps(box_b.shrunk(0.98, 0.9)):
            found.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    return found


@pytest.fixture(scope="module")
def run():
    return simulate(load_scenario("tokyo_2013"), seed=2013, rounds=40)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A 2 × 2 sweep of the confidence × concession study, 20 replicates per cell, aggregated."""
    root = tmp_path_factory.mktemp("sweep")
    base = read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml")
    for confidence, concession in itertools.product([0.3, 0.7], [0.5, 2.0]):
        scenario = base | {"ministry_defaults": base["ministry_defaults"] | {"concession": concession}}
        for country, other in (("japan", "russia"), ("russia", "japan")):
            for ministry in scenario["countries"][country]["ministries"].values():
                ministry["confidence"] = {other: confidence}
        config = {"scenario": scenario, "seed": 1, "replicates": 20, "rounds": 60}
        values = {"initial_confidence": confidence, "concession": concession}
        run_cell(config, root / "cells", values=values, progress=False)
    aggregate(root)
    out = root / "aggregate"
    return root, {name: pd.read_parquet(out / f"{name}.parquet") for name in ("cells", "bands", "replicates")}


def morris_indices() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    mu_star = np.r_[rng.uniform(0.1, 0.12, 6), rng.uniform(0, 0.01, 6)]  # a cluster of near-equal parameters
    rows = {"parameter": PARAMETERS, "mu": mu_star, "mu_star": mu_star, "sigma": mu_star * 0.8}
    table = pd.DataFrame(rows | {"mu_star_conf": mu_star * 0.1})
    return pd.concat([table.assign(output="settlement_probability.peace_treaty"), table.assign(output="x")])


def sobol_indices(noisy: bool) -> pd.DataFrame:
    s1 = np.linspace(-0.2 if noisy else 0.0, 0.4, len(PARAMETERS))
    conf = np.full(len(PARAMETERS), 0.5 if noisy else 0.02)
    return pd.DataFrame(
        {"parameter": PARAMETERS, "output": "p", "S1": s1, "S1_conf": conf, "ST": s1 + 0.1, "ST_conf": conf}
    )


def all_figures(run, tables) -> dict[str, Figure]:
    cells, bands, replicates = tables["cells"], tables["bands"], tables["replicates"]
    ensemble = simulate_ensemble(run.plan.scenario, replicate_seeds(1, 20), rounds=run.rounds)
    runs = {"your game": run, "the agents in your place (same draws)": run, "decision 3 changed to 'break'": run}
    panels = confidence_panels(Seat("japan", "japan.foreign"), ["russia"], runs, ensemble)
    talks = run.plan.talks["peace_treaty"]
    games = [("anna", int(talks.candidates[0])), ("ben", int(talks.candidates[0])), ("chloé", -1), ("dan", 74)]
    return {
        "confidence": plot_confidence(run),
        "confidence full scale": plot_confidence(run, full_scale=True),
        "confidence live": plot_confidence(run, live=True),
        "talks": plot_talks(run),
        "bargaining": plot_bargaining(run),
        "seat confidence": plot_seat_confidence("japan.foreign: confidence in the game", panels, [1, 3]),
        "class settlements": plot_settlements(talks, games),
        "settlement map": plot_settlement_map(cells, 60),
        "settlement by one value": plot_settlement_map(cells[cells["concession"] == 0.5]),
        "bands": plot_bands(bands, cells),
        "time to settlement": plot_time_to_settlement(replicates, cells),
        "terms": plot_terms(cells, "peace_treaty"),
        "recovery": plot_recovery(replicates, cells, ("japan", "russia")),
        "morris": plot_morris(morris_indices()),
        "sobol": plot_sobol(sobol_indices(noisy=False)),
    }


def test_no_text_overlaps_another_leaves_the_figure_or_is_too_small(run, sweep):
    before = plt.get_fignums()
    found = {name: problems(fig) for name, fig in all_figures(run, sweep[1]).items()}
    assert {name: p for name, p in found.items() if p} == {}, "\n".join(f"{n}: {p}" for n, p in found.items() if p)
    assert plt.get_fignums() == before, "figures are not registered with pyplot (so a notebook shows each once)"


def test_the_confidence_figure_keys_its_markers_says_when_it_zooms_and_shows_dates(run):
    fig = plot_confidence(run)
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert any("cooperative" in t for t in legend) and any("conflictual" in t for t in legend)
    assert "zoomed to" in fig.axes[1].get_ylabel()
    full = plot_confidence(run, full_scale=True).axes[1]
    assert "zoomed" not in full.get_ylabel() and full.get_ylim() == (0.0, 1.0)
    assert "Jan 2014" in [t.get_text() for t in fig.axes[2].get_xticklabels()]
    ticks = fig.axes[0].get_yticklabels()  # meeting names in their ticks' colours: the key to the strip
    assert len({t.get_color() for t in ticks}) == len(ticks)


def test_bands_give_each_pair_one_colour_in_every_panel_and_one_legend(sweep):
    cells, bands = sweep[1]["cells"], sweep[1]["bands"]
    fig = plot_bands(bands, cells)
    colours = {}
    for ax in fig.axes:
        for line, pair in zip(ax.get_lines(), ["japan→russia", "russia→japan"], strict=False):
            colours.setdefault(pair, set()).add(line.get_color())
    assert all(len(c) == 1 for c in colours.values()) and len(fig.legends) == 1
    assert not any(ax.get_legend() for ax in fig.axes)


def test_categorical_sweep_values_are_not_joined_by_a_line():
    cells = pd.DataFrame(
        {
            "cell": ["a", "b"],
            "scenario": ["tokyo_2013", "shared_threat"],
            "status": "complete",
            "replicates": 10,
            "settlement_probability": [0.2, 0.6],
            "ci_low": [0.1, 0.4],
            "ci_high": [0.4, 0.8],
        }
    )
    ax = plot_settlement_map(cells).axes[0]
    assert all(line.get_linestyle() in ("None", "none", "") for line in ax.get_lines() if len(line.get_xdata()) > 1)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["shared_threat", "tokyo_2013"]


def test_a_cell_that_failed_is_marked_on_the_map_even_when_every_cell_failed():
    """Found by the explore profile: a map of two swept values where every cell failed raised a KeyError."""
    cells = pd.DataFrame(
        {
            "cell": ["a", "b", "c"],
            "x": [0.0, 1.0, 1.0],
            "y": [0.0, 0.0, 1.0],
            "status": ["complete", "failed", "failed"],
            "replicates": [4, 0, 0],
            "settlement_probability": [0.5, np.nan, np.nan],
            "ci_low": [0.2, np.nan, np.nan],
            "ci_high": [0.8, np.nan, np.nan],
        }
    )

    def labels(frame: pd.DataFrame) -> list[str]:
        return sorted(t.get_text() for t in plot_settlement_map(frame).axes[0].texts)

    assert labels(cells) == ["0.50\n[0.20–0.80]", "failed", "failed"]  # (0, 1) is no cell: left blank
    every_failed = cells.assign(status="failed", replicates=0, settlement_probability=np.nan)
    assert labels(every_failed) == ["failed"] * 3
    assert "no cell has a result" in plot_settlement_map(every_failed).get_suptitle().replace("\u00a0", " ")


def test_titles_say_the_horizon_and_n(sweep):
    title = " ".join(plot_settlement_map(sweep[1]["cells"], 60).get_suptitle().replace("\u00a0", " ").split())
    assert "60 rounds" in title and "n = 20" in title


def test_a_cell_where_nothing_settled_is_marked_in_the_time_to_settlement(sweep):
    cells, replicates = sweep[1]["cells"], sweep[1]["replicates"]
    assert (cells["settlement_probability"] == 0).any(), "the small sweep has a cell where nothing settles"
    fig = plot_time_to_settlement(replicates, cells)
    assert any(t.get_text() == "none settled" for t in fig.axes[0].texts)
    assert "rounds" in fig.axes[0].get_xlabel()


def test_unstable_sobol_indices_are_flagged_in_the_figure_and_the_log(caplog):
    with caplog.at_level(logging.WARNING):
        fig = plot_sobol(sobol_indices(noisy=True))
    assert "unstable" in fig.axes[0].get_title() and "unstable" in caplog.text
    assert "unstable" not in plot_sobol(sobol_indices(noisy=False)).axes[0].get_title()


@pytest.mark.slow  # writes every plot at 150 dpi
def test_the_sweep_plots_include_each_study_s_own_question(sweep):
    names = {p.name for p in draw_sweep_plots(sweep[0])}
    assert {"settlement_probability.png", "terms_peace_treaty.png", "recovery.png", "confidence_bands.png"} <= names
