"""Figures of a sweep's aggregate: settlement probability over the swept values, confidence bands per cell, time
to settlement. Each takes the aggregate's tables (``cells``, ``bands``, ``replicates``) and returns a figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.model.result import settlement_columns
from sim.views.style import display_name

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
        data = ok.sort_values(x, key=_order)
        p = data["settlement_probability"]
        err = np.clip([p - data["ci_low"], data["ci_high"] - p], 0, None)  # Wilson bounds may pass p by rounding
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
    keys = (
        cells.sort_values(swept, key=_order)["cell"].tolist()[:MAX_PANELS]
        if swept
        else cells["cell"].tolist()[:MAX_PANELS]
    )
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
    ordered = cells.sort_values(swept, key=_order) if swept else cells
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
