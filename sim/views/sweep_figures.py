"""Figures of a sweep's aggregate: settlement probability over the swept values, confidence bands per cell, time
to settlement, the terms settled on, the time confidence takes to recover from a shock or from its largest fall.
Each takes the aggregate's tables (``cells``, ``bands``, ``replicates``) and, where the scenario gives dates, its
:class:`Calendar`, and returns a figure, not registered with pyplot."""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.model.record.result import settlement_columns
from sim.views.style import (
    ROUND_KEYS,
    Calendar,
    axis_label,
    date_axis,
    date_label,
    display_name,
    readable,
    value_text,
    wrap,
)

CELL_STATS = {"cell", "status", "error", "replicates", "seconds", "settlement_probability", "ci_low", "ci_high"}
CELL_STATS |= {"median_settled_round"}
CELL_STAT_PREFIXES = ("modal.", "modal_share.")
MAX_PANELS = 30


def swept_columns(cells: pd.DataFrame) -> list[str]:
    """The swept values of an aggregated sweep: the columns of ``cells.parquet`` that are not statistics and that
    vary between cells (a setting overridden for the whole sweep is not a dimension of it)."""
    settings = [c for c in cells.columns if c not in CELL_STATS and not c.startswith(CELL_STAT_PREFIXES)]
    return [c for c in settings if cells[c].astype(str).nunique() > 1]


def _order(values: pd.Series) -> pd.Series:
    """Sort keys for swept values: numbers by value, anything else (scenario names, mixed kinds) as text."""
    numeric = pd.to_numeric(values, errors="coerce")
    return numeric if numeric.notna().all() else values.astype(str)


def _cell_label(row, swept: list[str]) -> str:
    return ", ".join(f"{c.split('.')[-1].replace('_', ' ')} {value_text(row[c])}" for c in swept)


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _size(cells: pd.DataFrame, rounds: int | None) -> str:
    """'within 120 rounds, n = 10,000 replicates per cell' (what a probability or a median is out of)."""
    n = cells["replicates"].dropna() if "replicates" in cells else pd.Series(dtype=float)
    if not len(n):
        per_cell = "no cell has a result"
    elif n.nunique() == 1:
        per_cell = f"n\u00a0=\u00a0{int(n.iloc[0]):,} replicates per cell"
    else:
        per_cell = "n per cell varies"
    horizon = rounds if rounds is not None else (int(cells["rounds"].iloc[0]) if "rounds" in cells else None)
    return (f"within {horizon} rounds, " if horizon is not None else "") + per_cell


def _title(fig: Figure, text: str, width_inches: float) -> None:
    fig.suptitle(textwrap.fill(text, max(30, int(width_inches * 9))))


def _heatmap(ax, grid: pd.DataFrame, x: str, y: str, calendar: Calendar | None = None, **image) -> object:
    """A heatmap of ``grid`` (index: the values of ``y``, columns: those of ``x``) with readable axis labels, each
    line of a label whole words and whole parentheses."""
    shown = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", **image)
    ax.set_xticks(range(grid.shape[1]), [value_text(v, x, calendar) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [value_text(v, y, calendar) for v in grid.index])
    ax.set_xlabel(wrap(axis_label(x), 60))
    ax.set_ylabel(wrap(axis_label(y), 30))
    return shown


def _grid_size(grid: pd.DataFrame) -> tuple[float, float]:
    return 3.8 + 1.5 * grid.shape[1], 2.6 + 0.95 * grid.shape[0]


@readable
def plot_settlement_map(cells: pd.DataFrame, rounds: int | None = None, calendar: Calendar | None = None) -> Figure:
    """Probability of a ratified settlement over the swept values, with its Wilson 95% interval in each cell (and its
    n, where cells differ in n).

    Two swept values: a heatmap; one: points with error bars (joined by a line only for numbers); more: the first two,
    averaged over the rest. The title says the horizon (``rounds`` if given, else the cells' ``rounds`` column) and n.
    """
    swept = swept_columns(cells)
    ok = cells[cells["status"] != "failed"]
    if len(swept) >= 2:
        x, y = swept[0], swept[1]
        statistics = ["settlement_probability", "ci_low", "ci_high"]
        by_position = cells.assign(failed=cells["status"] == "failed").groupby([y, x])
        grid = by_position[statistics].mean().unstack(x)  # a cell that failed stays, empty
        failed = by_position["failed"].all().unstack(x, fill_value=False)
        n = by_position["replicates"].sum().unstack(x)
        varies = ok["replicates"].nunique() > 1  # else the title gives n
        p = grid["settlement_probability"]
        fig = Figure(figsize=_grid_size(p), layout="constrained")
        ax = fig.subplots()
        image = _heatmap(ax, p, x, y, calendar, cmap="viridis", vmin=0, vmax=1)
        for i in range(p.shape[0]):
            for j in range(p.shape[1]):
                value = p.iat[i, j]
                if np.isfinite(value):
                    lo, hi = grid["ci_low"].iat[i, j], grid["ci_high"].iat[i, j]
                    color = "black" if value > 0.6 else "white"
                    text = f"{value:.2f}\n[{lo:.2f}–{hi:.2f}]" + (f"\nn = {n.iat[i, j]:,.0f}" if varies else "")
                    ax.text(j, i, text, ha="center", va="center", size=10, color=color)
                elif failed.iat[i, j]:
                    ax.text(j, i, "failed", ha="center", va="center", size=10, color="grey")
        fig.colorbar(image, ax=ax, label="P(ratified settlement)")
    else:
        fig = Figure(figsize=(8, 4.8), layout="constrained")
        ax = fig.subplots()
        x = swept[0] if swept else "cell"
        data = ok.sort_values(x, key=_order)
        p = data["settlement_probability"]
        err = np.clip([p - data["ci_low"], data["ci_high"] - p], 0, None)  # Wilson bounds may pass p by rounding
        line = "o-" if swept and _numeric(data[x]) else "o"
        positions = data[x] if line == "o-" else range(len(data))
        ax.errorbar(positions, data["settlement_probability"], yerr=err, fmt=line, capsize=4)
        if line == "o":  # categories: one place each, in order, nothing joining them
            ax.set_xticks(range(len(data)), [value_text(v) for v in data[x]])
            ax.set_xlim(-0.5, max(len(data), 1) - 0.5)
        elif calendar and x in ROUND_KEYS:
            ax.set_xticks(data[x], [value_text(v, x, calendar) for v in data[x]])
        ax.set_xlabel(wrap(axis_label(x), 60))
        ax.set_ylabel("P(ratified settlement)")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
    width = fig.get_figwidth()
    _title(fig, f"Probability of a ratified settlement ({_size(ok, rounds)}; 95% Wilson intervals)", width)
    return fig


HORIZONTAL = {"orientation": "horizontal"} if mpl.__version_info__ >= (3, 10) else {"vert": False}  # boxes
PAIRS_SHOWN = 6  # directed pairs drawn in each panel of the bands


@readable
def plot_bands(bands: pd.DataFrame, cells: pd.DataFrame, calendar: Calendar | None = None) -> Figure:
    """Confidence trajectories per cell: the median and the 5–95% band over replicates, one line per directed pair,
    in the same colour in every panel, with one legend above the panels; a swept round (``shock_round``) is a dotted
    line in its panel; dates on the round axis where the scenario gives them.

    The panels share their axes, whose limits are set once from the data (a layout engine and autoscaling over
    dozens of shared panels would take most of the drawing time).
    """
    swept = swept_columns(cells)
    keys = (
        cells.sort_values(swept, key=_order)["cell"].tolist()[:MAX_PANELS]
        if swept
        else cells["cell"].tolist()[:MAX_PANELS]
    )
    keys = [k for k in keys if k in set(bands["cell"])]
    shown = bands[bands["cell"].isin(keys)]
    pairs = list(dict.fromkeys(zip(shown["country"], shown["counterpart"], strict=True)))[:PAIRS_SHOWN]
    colors = {pair: f"C{k}" for k, pair in enumerate(pairs)}
    cols = min(4, max(len(keys), 1))
    rows = max(1, -(-len(keys) // cols))
    width = max(3.9 * cols, 9.0)
    legend_cols = min(len(pairs) + 1, int(width // 3.2))
    legend_rows = -(-(len(pairs) + 1) // legend_cols)
    height = 1.6 + 0.3 * legend_rows + 2.8 * rows
    top = 1 - (1.3 + 0.3 * legend_rows) / height
    margins = {"left": 1.0 / width, "right": 1 - 0.15 / width, "bottom": 0.8 / height, "top": top}
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(
        rows, cols, sharex=True, sharey=True, squeeze=False, gridspec_kw=margins | {"wspace": 0.1, "hspace": 0.35}
    )
    labels = cells.set_index("cell")
    by_cell = dict(tuple(shown.groupby("cell", sort=False)))
    for ax, key in zip(axes.flat, keys, strict=False):
        ax.set_autoscale_on(False)
        for (a, b), g in by_cell[key].groupby(["country", "counterpart"], sort=False):
            if (a, b) in colors:
                rounds = g["round"].to_numpy()
                color = colors[a, b]
                ax.fill_between(rounds, g["q05"].to_numpy(), g["q95"].to_numpy(), alpha=0.2, color=color, lw=0)
                ax.plot(rounds, g["median"].to_numpy(), color=color, lw=1.6)
        for round_key in ROUND_KEYS.intersection(swept):
            ax.axvline(labels.loc[key, round_key], color="black", ls=":", lw=1.2)
        ax.set_title(textwrap.fill(_cell_label(labels.loc[key], swept) if swept else key, 40), fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(keys) :]:
        ax.axis("off")
    for ax in axes.flat[max(0, len(keys) - cols) : len(keys)]:  # the lowest panel of each column
        ax.xaxis.set_tick_params(labelbottom=True)
    if len(shown):
        pad = 0.02
        first, last = shown["round"].min(), shown["round"].max()
        widen = 0 if last > first else 0.5  # one round: a band around it
        axes[0, 0].set_xlim(first - widen, last + widen)
        axes[0, 0].set_ylim(max(0.0, shown["q05"].min() - pad), min(1.0, shown["q95"].max() + pad))
        if calendar:
            date_axis(axes[0, 0], calendar, int(last), most=max(2, int(width / cols / 1.1)), edge=0.08, label=False)
    handles = [
        Line2D([], [], color=c, lw=2, label=f"{display_name(a)} → {display_name(b)}") for (a, b), c in colors.items()
    ]
    handles.append(Patch(color="grey", alpha=0.3, label="5–95% of replicates"))
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.55 / height), ncols=legend_cols)
    fig.supxlabel(date_label(calendar) if calendar else "round", y=0.15 / height)
    fig.supylabel("confidence (median, 5–95%)", x=0.15 / width)
    n = cells["replicates"].dropna()
    size = f" (n = {int(n.iloc[0]):,})" if len(n) and n.nunique() == 1 else ""
    fig.suptitle(f"Confidence per cell: median and 5–95% over replicates{size}", y=1 - 0.12 / height, va="top")
    return fig


@readable
def plot_time_to_settlement(replicates: pd.DataFrame, cells: pd.DataFrame) -> Figure:
    """Rounds to a ratified settlement in each cell (settled replicates only), with how many settled; a cell where
    none settled says so in place of its box."""
    swept = swept_columns(cells)
    settled, when = settlement_columns(replicates)
    ordered = cells.sort_values(swept, key=_order) if swept else cells
    fig = Figure(figsize=(10, 1.8 + 0.45 * len(ordered)), layout="constrained")
    ax = fig.subplots()
    ax.set_title("Time to a ratified settlement (settled replicates only)")
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
    filled = [k for k, d in enumerate(data) if len(d)]
    if filled:
        ax.boxplot([data[k] for k in filled], positions=filled, widths=0.6, **HORIZONTAL)
    for k, d in enumerate(data):
        if not len(d):
            ax.text(0.01, k, "none settled", transform=ax.get_yaxis_transform(), va="center", color="grey")
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlabel("rounds from the start to the ratified settlement")
    ax.grid(alpha=0.3, axis="x")
    return fig


def _two_axes(cells: pd.DataFrame) -> tuple[str, str | None]:
    swept = swept_columns(cells) or ["cell"]
    return swept[0], (swept[1] if len(swept) > 1 else None)


RECOVERY = {  # measure: column prefix, what confidence comes back to (for the title)
    "shock": ("shock_recovery_rounds", "before the scheduled shock"),
    "fall": ("recovery_rounds", "before its largest fall"),
}


@readable
def plot_recovery(
    replicates: pd.DataFrame,
    cells: pd.DataFrame,
    pair: tuple[str, str],
    measure: str = "fall",
    calendar: Calendar | None = None,
) -> Figure:
    """How long ``pair``'s confidence (the first's in the second) takes to come back to where it was before the
    pair's scheduled shock (``measure="shock"``: the most severe hostile event the scenario schedules, see
    :func:`sim.study.ensemble.shock_recovery`) or before its largest fall (``"fall"``): the median over the
    replicates that recovered, and the share that did, per cell."""
    prefix, before = RECOVERY[measure]
    column = f"{prefix}.{pair[0]}.{pair[1]}"
    x, y = _two_axes(cells)
    rows = replicates.groupby("cell")[column].agg(["median", lambda v: v.notna().mean()])
    rows.columns = ["median", "recovered"]
    table = cells.set_index("cell")[[c for c in (x, y) if c and c != "cell"]].join(rows).reset_index()
    y_key = y or "_"
    table["_"] = ""
    median = table.pivot_table(index=y_key, columns=x, values="median", aggfunc="mean", dropna=False)
    share = table.pivot_table(index=y_key, columns=x, values="recovered", aggfunc="mean", dropna=False)
    fig = Figure(figsize=_grid_size(median), layout="constrained")
    ax = fig.subplots()
    image = _heatmap(ax, median, x, y_key, calendar, cmap="magma_r")
    if y is None:
        ax.set_ylabel("")
    top = np.nanmax(median.to_numpy(dtype=float)) if np.isfinite(median.to_numpy(dtype=float)).any() else 1
    for i in range(median.shape[0]):
        for j in range(median.shape[1]):
            m, r = median.iat[i, j], share.iat[i, j]
            text = f"{m:.0f} rounds\n{r:.0%} recovered" if np.isfinite(m) else f"never\n{r:.0%} recovered"
            color = "white" if np.isfinite(m) and m > 0.55 * top else "black"
            ax.text(j, i, text, ha="center", va="center", size=10, color=color)
    fig.colorbar(image, ax=ax, label="median rounds to recover")
    who = f"{display_name(pair[0])}'s confidence in {display_name(pair[1])}"
    _title(fig, f"Rounds until {who} is back where it was {before} ({_size(cells, None)})", fig.get_figwidth())
    return fig


@readable
def plot_terms(cells: pd.DataFrame, talks: str, calendar: Calendar | None = None) -> Figure:
    """The terms settled on in ``talks`` per cell: on each dimension, the most common option among the settled
    replicates (colour), its share of them and how many settled (text); blank where nothing settled."""
    dimensions = [c.removeprefix(f"modal.{talks}.") for c in cells.columns if c.startswith(f"modal.{talks}.")]
    x, y = _two_axes(cells)
    y_key = y or "_"
    cells = cells.assign(_="", settled=(cells["settlement_probability"] * cells["replicates"]).round())
    cols = min(2, len(dimensions))
    rows = -(-len(dimensions) // cols)
    settled = cells.pivot_table(index=y_key, columns=x, values="settled", aggfunc="first", dropna=False)
    h = _grid_size(settled)[1]
    w = 3.0 + 0.8 * settled.shape[1]  # the labels, the cells and the legend beside them (no colour bar)
    fig = Figure(figsize=(w * cols, 0.9 + (h + 0.3) * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).flat
    for ax, dim in zip(axes, dimensions, strict=False):
        option = cells.pivot_table(index=y_key, columns=x, values=f"modal.{talks}.{dim}", aggfunc="first", dropna=False)
        share = cells.pivot_table(
            index=y_key, columns=x, values=f"modal_share.{talks}.{dim}", aggfunc="first", dropna=False
        )
        names = sorted({v for v in option.to_numpy().ravel() if isinstance(v, str)})
        codes = option.map({n: k for k, n in enumerate(names)}.get)
        _heatmap(ax, codes, x, y_key, calendar, cmap="tab10", vmin=-0.5, vmax=9.5)
        if y is None:
            ax.set_ylabel("")
        for i in range(share.shape[0]):
            for j in range(share.shape[1]):
                found = np.isfinite(share.iat[i, j])
                text = f"{share.iat[i, j]:.0%}\nof {settled.iat[i, j]:,.0f}" if found else "none\nsettled"
                ax.text(j, i, text, ha="center", va="center", size=10, color="black" if found else "grey")
        ax.set_title(dim.replace("_", " "))
        handles = [Patch(color=f"C{k}", label=wrap(n.replace("_", " "), 16)) for k, n in enumerate(names)]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=10)
    for ax in list(axes)[len(dimensions) :]:
        ax.axis("off")
    text = (
        f"{display_name(talks)}: the most common settled terms per cell "
        "(its share of the replicates that settled, and how many settled)"
    )
    _title(fig, text, fig.get_figwidth())
    return fig
