"""Figures of a run: confidence trajectories with the meetings and events that moved them."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files, not windows; notebooks switch back with their own backend
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.aggregate import settlement_columns
from sim.recording import RunResult

MANY_COUNTRIES = 5  # beyond this, pairs are drawn as a band rather than one labelled line each
MAX_EVENT_NOTES = 10  # events listed in a caption under the plot
STYLES = ["-", "--", ":", "-."]  # line styles: a pair's counterpart (countries), a ministry's place (ministries)
LATEST = ["o", "s", "^", "D"]  # live: marker on a ministry line's latest value, by counterpart
MIN_LIVE_ROUNDS = 40  # live: the round axis spans at least the default run, so that the lines grow into it


def display_name(name: str) -> str:
    """A name as a reader sees it: ``peace_treaty`` → ``Peace Treaty``."""
    return name.replace("_", " ").title()


def country_color(result: RunResult, country: str) -> str:
    """A country's colour in every figure of a run (meetings use the colours after the countries')."""
    return f"C{result.countries.index(country) % 10}"


def plot_confidence(result: RunResult, replicate: int = 0, *, live: bool = False) -> Figure:
    """Confidence over the rounds of one replicate: meetings held (top), country pairs (middle), ministries (bottom).

    One line per directed pair ("Japan → Russia": Japan's confidence in Russia), in the observer's colour with a style
    per counterpart; events are marked on the line of the country that observed them (▲ cooperative,
    ▼ conflictual) and listed under the plot; a ratified settlement is a dashed line.

    ``live`` is the dashboard's rendition: a fixed size with the legends beside the panels, each line's latest value
    marked, a round axis at least :data:`MIN_LIVE_ROUNDS` long, drawn outside pyplot (safe in a server's threads).
    """
    many = len(result.countries) > MANY_COUNTRIES
    show_ministries = not many and len(result.ministry_rounds) > 0
    notes = [] if many or live else _event_notes(result, replicate)
    heights = [1.2, 4] + ([3] if show_ministries else []) + ([0.2 * len(notes)] if notes else [])
    size = (8.6, 6.8) if live else (11, 2 + sum(heights))
    fig = Figure(figsize=size) if live else plt.figure(figsize=size, layout="constrained")
    axes = fig.subplots(len(heights), 1, sharex=True, height_ratios=heights)
    if live:
        fig.subplots_adjust(left=0.18, right=0.76, top=0.96, bottom=0.08, hspace=0.18)
    _meeting_strip(axes[0], result)
    _country_panel(axes[1], result, replicate, many=many, live=live)
    if show_ministries:
        _ministry_panel(axes[2], result, replicate, live=live)
    plots = axes[1 : len(axes) - (1 if notes else 0)]
    for ax in plots:
        mark_settlements(ax, result, replicate)
        ax.grid(alpha=0.3)
    plots[-1].set_xlabel("round")
    plots[-1].xaxis.set_tick_params(labelbottom=True)
    plots[-1].set_xlim(0, max(result.rounds, MIN_LIVE_ROUNDS) if live else result.rounds)
    if notes:
        axes[-1].axis("off")
        axes[-1].text(0, 1, "\n".join(notes), transform=axes[-1].transAxes, fontsize=8, va="top", family="monospace")
    if not live:
        fig.suptitle(f"Confidence in {result.scenario} (seed {result.seeds[replicate]})", fontsize=13)
    return fig


def _replicate_events(result: RunResult, replicate: int) -> pd.DataFrame:
    return result.events[result.events["replicate"] == replicate]


def _event_notes(result: RunResult, replicate: int) -> list[str]:
    """One line per event marked on the plot, for a reader who does not know CAMEO codes (none if too many)."""
    events = _replicate_events(result, replicate)
    if len(events) > MAX_EVENT_NOTES:
        return []
    return [
        f"round {e.round:>3}  {e.cameo or f'{e.goldstein:+g}':>5}  {e.source} → {e.target}"
        + (f": {e.note}" if e.note else "")
        for e in events.itertuples()
    ]


def _legend(ax, live: bool, size: float, columns: int) -> None:
    """Inside the panel for a file; beside it, in one column, for the dashboard."""
    if live:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.02), fontsize=size, frameon=False, handlelength=2.6)
    else:
        ax.legend(loc="upper left", fontsize=size, ncols=columns)


def _meeting_strip(ax, result: RunResult) -> None:
    """One row per calendar entry, a tick for each meeting held."""
    entries = [e.name for e in result.plan.scenario.calendar]
    held = result.meetings
    first = min(len(result.countries), 4)  # after the countries' colours
    for k, name in enumerate(entries):
        rounds = held.loc[held["meeting"] == name, "round"]
        ax.scatter(rounds, np.full(len(rounds), k), marker="|", s=110, lw=2, color=f"C{first + k % (10 - first)}")
    ax.set_yticks(range(len(entries)), [display_name(e) for e in entries], fontsize=8)
    ax.set_ylim(len(entries) - 0.4, -0.6)
    ax.set_title("meetings held", fontsize=9, loc="left")
    ax.grid(axis="x", alpha=0.3)


def _country_panel(ax, result: RunResult, replicate: int, *, many: bool, live: bool) -> None:
    df = result.country_confidence
    df = df[df["replicate"] == replicate]
    if many:
        wide = df.pivot_table(index="round", columns=["country", "counterpart"], values="confidence")
        q = wide.quantile([0.05, 0.5, 0.95], axis=1).T
        ax.fill_between(q.index, q[0.05], q[0.95], alpha=0.25, color="C0", label="5–95% of directed pairs")
        ax.plot(q.index, q[0.5], color="C0", lw=2, label="median pair")
    else:
        lines = {}
        latest = {"marker": "o", "markevery": [-1], "ms": 5} if live else {}
        for (a, b), g in df.groupby(["country", "counterpart"], sort=False):
            style = STYLES[[c for c in result.countries if c != a].index(b) % len(STYLES)]
            label = f"{display_name(a)} → {display_name(b)}"
            ax.plot(
                g["round"], g["confidence"], lw=2.4, ls=style, color=country_color(result, a), label=label, **latest
            )
            lines[a, b] = g.set_index("round")["confidence"]
        _events(ax, result, lines, replicate)
    ax.set_ylabel("country confidence")
    zoom(ax, df["confidence"])
    _legend(ax, live, 9, 2)


def _events(ax, result: RunResult, lines: dict, replicate: int) -> None:
    """Mark each event on the line of the pair it moved (the target's confidence in the source) with its CAMEO code."""
    for e in _replicate_events(result, replicate).itertuples():
        observer, actor = e.target.split(".")[0], e.source.split(".")[0]
        if (observer, actor) not in lines:
            continue
        y = lines[observer, actor].get(e.round, np.nan)
        up = e.goldstein >= 0
        color = country_color(result, observer)
        ax.scatter([e.round], [y], marker="^" if up else "v", s=80, color=color, ec="black", zorder=5)
        label = e.cameo or f"{e.goldstein:+g}"
        ax.annotate(label, (e.round, y), textcoords="offset points", xytext=(0, 9 if up else -15), ha="center", size=8)


def _ministry_panel(ax, result: RunResult, replicate: int, *, live: bool) -> None:
    """Each ministry's confidence in each other country: its country's colour, a style per ministry."""
    trust = result.ministry_trust(replicate)  # (recorded rounds, ministries, countries)
    first: dict[str, int] = {}
    shown = []
    for i, (country, ministry) in enumerate(result.ministries):
        style = STYLES[(i - first.setdefault(country, i)) % len(STYLES)]
        for k, other in enumerate(c for c in result.countries if c != country):
            values = trust[:, i, result.countries.index(other)]
            label = f"{display_name(country)} {ministry} → {display_name(other)}"
            latest = {"marker": LATEST[k % len(LATEST)], "markevery": [-1], "ms": 4} if live else {}
            ax.plot(
                result.ministry_rounds, values, color=country_color(result, country), ls=style, label=label, **latest
            )
            shown.append(values)
    ax.set_ylabel("ministry confidence")
    zoom(ax, np.concatenate(shown))
    _legend(ax, live, 7.5, 3)


def zoom(ax, values) -> None:
    """Show the range the values use, with a margin, within [0, 1]."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.05, 0.15 * (hi - lo))
    ax.set_ylim(max(0.0, lo - pad), min(1.0, hi + pad))


def mark_settlements(ax, result: RunResult, replicate: int = 0) -> None:
    """A dashed line, labelled at the top, at the round each talks reached a ratified settlement."""
    for name, rounds in result.settled_round.items():
        if rounds[replicate] >= 0:
            ax.axvline(rounds[replicate], color="black", ls="--", lw=1)
            text = {"rotation": 90, "ha": "right", "va": "top", "size": 8}
            where = {"xycoords": ("data", "axes fraction"), "textcoords": "offset points", "xytext": (-3, 0)}
            ax.annotate(f"{display_name(name)} settled", (rounds[replicate], 0.98), **where, **text)


# --- sweeps -----------------------------------------------------------------------------------------------------------

CELL_STATS = {"cell", "status", "error", "replicates", "seconds", "settlement_probability", "ci_low", "ci_high"}
CELL_STATS |= {"median_settled_round"}
CELL_STAT_PREFIXES = ("modal.", "modal_share.")
MAX_PANELS = 30


def swept_columns(cells: pd.DataFrame) -> list[str]:
    """The swept values of an aggregated sweep: the columns of ``cells.parquet`` that are not statistics and that
    vary between cells (a setting overridden for the whole sweep is not a dimension of it)."""
    settings = [c for c in cells.columns if c not in CELL_STATS and not c.startswith(CELL_STAT_PREFIXES)]
    return [c for c in settings if cells[c].astype(str).nunique() > 1]


def _cell_label(row, swept: list[str]) -> str:
    return ", ".join(
        f"{c.split('.')[-1]}={row[c]:g}" if isinstance(row[c], float) else f"{c.split('.')[-1]}={row[c]}" for c in swept
    )


def plot_settlement_map(cells: pd.DataFrame) -> Figure:
    """Probability of a ratified settlement over the swept values, with its Wilson 95% interval in each cell.

    Two swept values: a heatmap; one: a line with error bars; more: one heatmap of the first two per value of the rest
    is not attempted, the first two are used and the rest averaged.
    """
    swept = swept_columns(cells)
    ok = cells[cells["status"] != "failed"]
    if len(swept) >= 2:
        x, y = swept[0], swept[1]
        grid = ok.pivot_table(
            index=y, columns=x, values=["settlement_probability", "ci_low", "ci_high"], aggfunc="mean"
        )
        p = grid["settlement_probability"]
        fig, ax = plt.subplots(figsize=(1.6 + 1.3 * p.shape[1], 1.4 + 0.9 * p.shape[0]), layout="constrained")
        image = ax.imshow(p.to_numpy(), cmap="viridis", vmin=0, vmax=1, origin="lower", aspect="auto")
        for i in range(p.shape[0]):
            for j in range(p.shape[1]):
                value = p.iat[i, j]
                if np.isfinite(value):
                    lo, hi = grid["ci_low"].iat[i, j], grid["ci_high"].iat[i, j]
                    color = "black" if value > 0.6 else "white"
                    ax.text(
                        j, i, f"{value:.2f}\n[{lo:.2f}–{hi:.2f}]", ha="center", va="center", fontsize=8, color=color
                    )
        ax.set_xticks(range(p.shape[1]), [f"{v:g}" if isinstance(v, float) else v for v in p.columns])
        ax.set_yticks(range(p.shape[0]), [f"{v:g}" if isinstance(v, float) else v for v in p.index])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        fig.colorbar(image, ax=ax, label="P(ratified settlement)")
    else:
        fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
        x = swept[0] if swept else "cell"
        data = ok.sort_values(x)
        err = [data["settlement_probability"] - data["ci_low"], data["ci_high"] - data["settlement_probability"]]
        ax.errorbar(data[x].astype(str), data["settlement_probability"], yerr=err, fmt="o-", capsize=4)
        ax.set_xlabel(x)
        ax.set_ylabel("P(ratified settlement)")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    ax.set_title("Probability of a ratified settlement (95% Wilson intervals)", fontsize=10)
    return fig


def plot_bands(bands: pd.DataFrame, cells: pd.DataFrame) -> Figure:
    """Confidence trajectories per cell: the median and the 5–95% band over replicates, one line per directed pair.

    The panels share their axes, whose limits are set once from the data (a layout engine and autoscaling over
    dozens of shared panels would take most of the drawing time).
    """
    swept = swept_columns(cells)
    keys = cells.sort_values(swept)["cell"].tolist()[:MAX_PANELS] if swept else cells["cell"].tolist()[:MAX_PANELS]
    keys = [k for k in keys if k in set(bands["cell"])]
    cols = min(4, max(len(keys), 1))
    rows = max(1, -(-len(keys) // cols))
    width, height = 3.6 * cols, 1.2 + 2.4 * rows
    margins = {"left": 0.9 / width, "right": 1 - 0.15 / width, "bottom": 0.6 / height, "top": 1 - 0.6 / height}
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(width, height),
        sharex=True,
        sharey=True,
        squeeze=False,
        gridspec_kw=margins | {"wspace": 0.1, "hspace": 0.3},
    )
    labels = cells.set_index("cell")
    by_cell = dict(tuple(bands.groupby("cell", sort=False)))
    for ax, key in zip(axes.flat, keys, strict=False):
        ax.set_autoscale_on(False)
        for k, ((a, b), g) in enumerate(by_cell[key].groupby(["country", "counterpart"], sort=False)):
            if k >= 6:
                break
            rounds = g["round"].to_numpy()
            ax.fill_between(rounds, g["q05"].to_numpy(), g["q95"].to_numpy(), alpha=0.2, color=f"C{k}", lw=0)
            ax.plot(
                rounds, g["median"].to_numpy(), color=f"C{k}", lw=1.5, label=f"{display_name(a)} → {display_name(b)}"
            )
        ax.set_title(_cell_label(labels.loc[key], swept) if swept else key, fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(keys) :]:
        ax.axis("off")
    for ax in axes.flat[max(0, len(keys) - cols) : len(keys)]:  # the lowest panel of each column
        ax.xaxis.set_tick_params(labelbottom=True)
    shown = bands[bands["cell"].isin(keys)]
    if len(shown):
        pad = 0.02
        axes[0, 0].set_xlim(shown["round"].min(), shown["round"].max())
        axes[0, 0].set_ylim(max(0.0, shown["q05"].min() - pad), min(1.0, shown["q95"].max() + pad))
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.supxlabel("round", y=0.15 / height)
    fig.supylabel("confidence (median, 5–95%)", x=0.15 / width)
    fig.suptitle("Confidence per cell: median and 5–95% over replicates", y=1 - 0.12 / height, va="top")
    return fig


def plot_time_to_settlement(replicates: pd.DataFrame, cells: pd.DataFrame) -> Figure:
    """Rounds to a ratified settlement in each cell (settled replicates only), with how many settled."""
    swept = swept_columns(cells)
    settled, when = settlement_columns(replicates)
    ordered = cells.sort_values(swept) if swept else cells
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.35 * len(ordered)), layout="constrained")
    ax.set_title("Time to a ratified settlement (settled replicates)", fontsize=10)
    if settled is None or not replicates[settled].fillna(False).astype(bool).any():
        ax.text(
            0.5, 0.5, "no replicate reached a ratified settlement", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()
        return fig
    data, names = [], []
    for row in ordered.to_dict("records"):
        mine = replicates[(replicates["cell"] == row["cell"]) & replicates[settled].fillna(False).astype(bool)]
        data.append(mine[when].dropna().to_numpy())
        names.append(f"{_cell_label(row, swept) if swept else row['cell']}  (n={len(mine)})")
    ax.boxplot([d if len(d) else [np.nan] for d in data], tick_labels=names, vert=False)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("round of the ratified settlement")
    ax.grid(alpha=0.3, axis="x")
    return fig


def draw_sweep_plots(sweep: Path) -> list[Path]:
    """(Re)draw a sweep's standard plots from its ``aggregate/`` files; return the files written (none of the
    settlement plots if no cell ran or the scenario holds no talks; no bands if no cell ran)."""
    out = Path(sweep) / "aggregate"
    cells = pd.read_parquet(out / "cells.parquet")
    figures = {}
    if "settlement_probability" in cells.columns:  # some cell ran, with talks
        figures["settlement_probability.png"] = plot_settlement_map(cells)
        figures["time_to_settlement.png"] = plot_time_to_settlement(pd.read_parquet(out / "replicates.parquet"), cells)
    if (out / "bands.parquet").exists():
        figures["confidence_bands.png"] = plot_bands(pd.read_parquet(out / "bands.parquet"), cells)
    written = []
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=150)
        plt.close(fig)
        written.append(out / name)
    return written
