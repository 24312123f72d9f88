"""Every figure, drawn for a small run, small sweeps and made-up sensitivity, discovery and calibration results, as a
lecturer would show it: no text overlaps another or leaves the figure, nothing is too small to read, no axis label
breaks inside a parenthesis, no figure is larger than a projector shows whole, dates where the scenario has a
calendar, and pyplot's state is left alone."""

from __future__ import annotations

import itertools
import logging
import re
from unittest.mock import patch

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from PIL import Image

from sim.io.library import config_dir, load_scenario, read_yaml
from sim.model.agents.seat import Seat
from sim.model.run import replicate_seeds, simulate, simulate_ensemble
from sim.study.aggregate import aggregate
from sim.study.debrief import confidence_panels
from sim.study.pipeline import run_cell
from sim.study.replay import replay, settled_by_year
from sim.study.sweep_plots import draw_sweep_plots, sweep_calendar
from sim.views.calibration_figures import plot_posterior_pairs, plot_predictive
from sim.views.discovery_figures import plot_box, plot_peeling
from sim.views.replay_figures import plot_replay
from sim.views.run_figures import plot_confidence, plot_talks
from sim.views.seat_figures import plot_seat_confidence, plot_settlements
from sim.views.sensitivity_figures import plot_morris, plot_sobol
from sim.views.style import FIGURE_DPI, MAX_INCHES, SMALLEST, Calendar, display_name
from sim.views.sweep_figures import plot_bands, plot_recovery, plot_settlement_map, plot_terms, plot_time_to_settlement
from sim.views.talks_figures import plot_bargaining

PARAMETERS = [f"scenario.countries.{c}.ministries.{m}.trust_gain" for c in ("japan", "russia") for m in "abcdef"]
TOKYO = Calendar("2013-11")  # tokyo_2013's: round 1 is November 2013, a month a round


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
    boxes = [(t, Text.get_window_extent(t)) for t in texts(fig)]  # an annotation's text, without its arrow
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


@pytest.fixture(scope="module")
def shock_sweep(tmp_path_factory):
    """shock_recovery in small: tokyo_2013's events replaced by one hostile act of Russia in round 6, 12, 18 or 24,
    80 rounds (nothing settles), 20 replicates per cell, aggregated."""
    root = tmp_path_factory.mktemp("shock")
    base = read_yaml(config_dir() / "scenario" / "tokyo_2013.yaml")
    for shock_round in (6, 12, 18, 24):
        shock = {"round": shock_round, "source": "russia", "target": "japan", "goldstein": -8.0, "note": "a shock"}
        config = {"scenario": base | {"events": [shock]}, "seed": 1, "replicates": 20, "rounds": 80}
        run_cell(config, root / "cells", values={"shock_round": shock_round}, progress=False)
    aggregate(root)
    out = root / "aggregate"
    return root, {name: pd.read_parquet(out / f"{name}.parquet") for name in ("cells", "bands", "replicates")}


def terms_cells() -> pd.DataFrame:
    """guarantee_vs_islands's grid (5 × 5) with made-up terms on four dimensions, some cells where nothing settled."""
    rng = np.random.default_rng(1)
    rows = []
    for japan, russia in itertools.product([0, 1, 2, 4, 8], repeat=2):
        p = 0.0 if russia < 4 else rng.uniform(0.001, 1)
        row = {"cell": f"c{japan}{russia}", "japan_guarantee": japan, "russia_guarantee": russia}
        row |= {"status": "complete", "replicates": 10_000, "settlement_probability": p}
        for dim, options in TERMS.items():
            row[f"modal.peace_treaty.{dim}"] = rng.choice(options) if p else None
            row[f"modal_share.peace_treaty.{dim}"] = rng.uniform(0.3, 1) if p else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


TERMS = {
    "islands": ["none", "habomai", "pair_1956", "pair_plus_kunashiri", "all_four"],
    "transfer_terms": ["sovereignty", "lease_back", "joint_regime"],
    "security_guarantee": ["none", "no_foreign_bases"],
    "economic_projects": ["none", "joint_projects", "major_investment"],
}


def calibration_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """A predictive band, an observed series (10 periods of 4 rounds, two pairs, three statistics), a posterior."""
    rng = np.random.default_rng(2)
    keys = [
        {"period": k, "first_round": 4 * k + 1, "last_round": 4 * k + 4, "country": a, "counterpart": b}
        | {"statistic": stat}
        for k in range(10)
        for a, b in (("japan", "russia"), ("russia", "japan"))
        for stat in ("goldstein", "cooperative", "conflictual")
    ]
    observed = pd.DataFrame([k | {"value": rng.uniform(0, 10)} for k in keys])
    bands = pd.DataFrame([k | {"quantile": q, "value": 10 * q} for k in keys for q in (0.05, 0.5, 0.95)])
    priors = {"scenario.ministry_defaults.trust_gain": (0.02, 0.4), "scenario.ministry_defaults.trust_loss": (0.1, 0.6)}
    posterior = pd.DataFrame({p: rng.uniform(*bounds, 200) for p, bounds in priors.items()} | {"weight": 1 / 200})
    return bands, observed, posterior, priors


def discovery_results() -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(3)
    inputs = pd.DataFrame({"scenario.shock_scale": rng.uniform(0.2, 1, 300), "initial_confidence": rng.random(300)})
    hits = (inputs["initial_confidence"] > 0.4).to_numpy()
    steps = 20
    trajectory = pd.DataFrame(
        {
            "coverage": np.linspace(1, 0.6, steps),
            "density": np.linspace(0.6, 0.97, steps),
            "mass": np.linspace(1, 0.3, steps),
            "res_dim": np.minimum(np.arange(steps) // 5, 3),
        }
    )
    box = pd.DataFrame(
        {"parameter": ["initial_confidence"], "low": [0.4], "high": [1.0], "p_low": [1e-8], "p_high": [np.nan]}
    )
    return trajectory, inputs, hits, box


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


def all_figures(run, tables, shock_tables) -> dict[str, Figure]:
    cells, bands, replicates = tables["cells"], tables["bands"], tables["replicates"]
    ensemble = simulate_ensemble(run.plan.scenario, replicate_seeds(1, 20), rounds=run.rounds)
    runs = {"your game": run, "the agents in your place (same draws)": run, "decision 3 changed to 'break'": run}
    panels = confidence_panels(Seat("japan", "japan.foreign"), ["russia"], runs, ensemble)
    talks = run.plan.talks["peace_treaty"]
    games = [("anna", int(talks.candidates[0])), ("ben", int(talks.candidates[0])), ("chloé", -1), ("dan", 74)]
    shock_cells, shock_replicates = shock_tables["cells"], shock_tables["replicates"]
    predicted, observed, posterior, priors = calibration_tables()
    trajectory, inputs, hits, box = discovery_results()
    decade = replay(load_scenario("tokyo_2013_decade"), "2022-12", replicates=20)
    return {
        "confidence": plot_confidence(run),
        "confidence full scale": plot_confidence(run, full_scale=True),
        "confidence live": plot_confidence(run, live=True),
        "talks": plot_talks(run),
        "bargaining": plot_bargaining(run),
        "seat confidence": plot_seat_confidence("japan.foreign: confidence in the game", panels, [1, 3]),
        "class settlements": plot_settlements(talks, games),
        "decade": plot_replay(decade, decade.events, settled_by_year(decade, "peace_treaty")),
        "settlement map": plot_settlement_map(cells, 60),
        "settlement by one value": plot_settlement_map(cells[cells["concession"] == 0.5]),
        "bands": plot_bands(bands, cells, TOKYO),
        "time to settlement": plot_time_to_settlement(replicates, cells),
        "terms": plot_terms(cells, "peace_treaty"),
        "terms 5 × 5": plot_terms(terms_cells(), "peace_treaty"),
        "recovery": plot_recovery(replicates, cells, ("japan", "russia")),
        "recovery from the shock": plot_recovery(shock_replicates, shock_cells, ("japan", "russia"), "shock", TOKYO),
        "shock bands": plot_bands(shock_tables["bands"], shock_cells, TOKYO),
        "morris": plot_morris(morris_indices()),
        "sobol": plot_sobol(sobol_indices(noisy=False)),
        "predictive": plot_predictive(predicted, observed, TOKYO),
        "predictive without dates": plot_predictive(predicted, observed),
        "posterior pairs": plot_posterior_pairs(posterior, priors),
        "peeling": plot_peeling(trajectory, 12, "settlement_probability ≥ 0.5"),
        "box": plot_box(inputs, hits, box, "settlement_probability ≥ 0.5"),
    }


@pytest.fixture(scope="module")
def figures(run, sweep, shock_sweep):
    before = plt.get_fignums()
    drawn = all_figures(run, sweep[1], shock_sweep[1])
    assert plt.get_fignums() == before, "figures are not registered with pyplot (so a notebook shows each once)"
    return drawn


def test_no_text_overlaps_another_leaves_the_figure_or_is_too_small(figures):
    found = {name: problems(fig) for name, fig in figures.items()}
    assert {name: p for name, p in found.items() if p} == {}, "\n".join(f"{n}: {p}" for n, p in found.items() if p)


def test_no_axis_label_breaks_inside_a_parenthesis(figures):
    broken = [
        (name, label)
        for name, fig in figures.items()
        for ax in fig.axes
        for label in (ax.get_xlabel(), ax.get_ylabel())
        if any(line.count("(") != line.count(")") for line in label.splitlines())
    ]
    assert broken == []


def test_every_figure_fits_a_projector_whole(figures):
    """At most 16 × 24 in at 150 dpi: the terms of guarantee_vs_islands were 25.6 in (3,840 px) wide, their 10 pt
    text shrunk to 5 px on a 1080p projector."""
    large = {
        n: tuple(fig.get_size_inches()) for n, fig in figures.items() if (fig.get_size_inches() > MAX_INCHES).any()
    }
    assert large == {}


def test_the_numbers_on_a_morris_plot_keep_off_the_points():
    fig = plot_morris(morris_indices())
    fig.draw_without_rendering()
    on_points = []
    for ax in fig.axes:
        points = ax.transData.transform(np.column_stack(ax.lines[0].get_data()))
        for label in ax.texts:
            if isinstance(label, Annotation):
                box = Text.get_window_extent(label)
                on_points += [label.get_text() for x, y in points if box.padded(3).contains(x, y)]
    assert on_points == []


def test_a_heatmap_of_cells_of_different_sizes_gives_each_cell_s_n(sweep):
    cells = sweep[1]["cells"].assign(replicates=[20, 20, 20, 7])
    texts = [t.get_text() for t in plot_settlement_map(cells).axes[0].texts]
    assert sum(t.endswith("n = 20") for t in texts) == 3 and sum(t.endswith("n = 7") for t in texts) == 1
    uniform = [t.get_text() for t in plot_settlement_map(sweep[1]["cells"]).axes[0].texts]
    assert not any("n =" in t for t in uniform)  # the title says it once


def test_heatmaps_of_terms_say_how_many_settled_in_each_cell():
    texts = [t.get_text() for t in plot_terms(terms_cells(), "peace_treaty").axes[0].texts]
    settled = [t for t in texts if "none" not in t]
    assert settled and all(t.splitlines()[1].startswith("of ") for t in settled), texts


def test_names_that_are_acronyms_stay_in_capitals(run):
    assert display_name("arf_ministerial") == "ARF Ministerial"
    assert display_name("eu") == "EU" and display_name("united_states") == "United States"
    strip = [t.get_text() for t in plot_confidence(run).axes[0].get_yticklabels()]
    assert "ASEAN Regional Forum" in strip


def test_the_meeting_strip_shows_a_meeting_in_the_last_round_whole():
    result = simulate(load_scenario("tokyo_2013"), seed=2013, rounds=13)  # foreign ministers meet in round 13
    strip = plot_confidence(result).axes[0]
    last = [c for c in strip.collections if 13 in c.get_offsets()[:, 0]]
    assert last and not any(c.get_clip_on() for c in last)  # a tick on the axis's edge, not cut in half


def test_a_replicate_of_an_ensemble_is_named_by_its_replicate_not_its_20_digit_seed():
    ensemble = simulate_ensemble(load_scenario("tokyo_2013"), replicate_seeds(2013, 3), rounds=6)
    title = plot_confidence(ensemble, replicate=1).get_suptitle()
    assert "replicate 1 of 3" in title and not any(
        len(w.strip("()")) > 9 and w.strip("()").isdigit() for w in title.split()
    )


def ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


def test_dates_wherever_the_scenario_has_a_calendar(run, figures, sweep):
    assert "Jan 2014" in ticks(figures["confidence live"].axes[2])  # the dashboard's
    assert "Jan 2014" in ticks(figures["talks"].axes[0])
    assert ticks(figures["bands"].axes[-1]) and all(
        re.fullmatch(r"Jan \d{4}", t) for t in ticks(figures["bands"].axes[-1])
    )
    assert "Nov 2013" in ticks(figures["predictive"].axes[-1])  # the first period's start
    assert "6\nApr 2014" in ticks(figures["recovery from the shock"].axes[0])  # a swept round
    assert sweep_calendar(sweep[0], sweep[1]["cells"]) == TOKYO  # what draw_sweep_plots reads from the cells


def test_the_predictive_steps_over_each_period_and_marks_the_observed_value_at_its_middle(figures):
    ax = figures["predictive without dates"].axes[0]
    assert [t.get_position()[0] for t in ax.get_xticklabels()] == [1, 9, 17, 25, 33]  # period starts, whole rounds
    observed = next(line for line in ax.get_lines() if line.get_marker() == "o")
    assert list(observed.get_xdata())[:2] == [2.5, 6.5]  # rounds 1–4, 5–8


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
def test_the_sweep_plots_include_each_study_s_own_question_at_a_size_a_projector_shows_whole(sweep):
    written = draw_sweep_plots(sweep[0])
    names = {p.name for p in written}
    assert {"settlement_probability.png", "terms_peace_treaty.png", "recovery.png", "confidence_bands.png"} <= names
    for path in written:
        with Image.open(path) as image:
            assert round(image.info["dpi"][0]) == FIGURE_DPI
            assert all(n <= FIGURE_DPI * m for n, m in zip(image.size, MAX_INCHES, strict=True)), (path, image.size)


@pytest.mark.slow  # writes every plot at 150 dpi
def test_a_shock_study_shows_the_recovery_from_its_shock_and_no_settlement_that_cannot_happen(shock_sweep):
    root, tables = shock_sweep
    assert (tables["cells"]["settlement_probability"] == 0).all()
    names = {p.name for p in draw_sweep_plots(root)}
    assert names == {"recovery.png", "confidence_bands.png"}
    replicates = tables["replicates"]
    assert (
        replicates["shock_round.japan.russia"]
        == replicates["cell"].map(tables["cells"].set_index("cell")["shock_round"])
    ).all()
    title = plot_recovery(replicates, tables["cells"], ("japan", "russia"), "shock").get_suptitle()
    assert "before the scheduled shock" in title.replace("\n", " ")


def test_a_replay_where_no_history_settled_draws_no_settlement_panel(figures):
    """The decade's bottom panel was ten bars of 0.0%: an outcome that did not happen is said, not drawn."""
    decade = figures["decade"]
    assert len(decade.axes) == 1 and decade.axes[0].get_title(loc="left").endswith("; none settled by the end of 2022")
