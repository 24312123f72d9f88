"""Figures of a sensitivity analysis: Morris μ* against σ, and Sobol' first-order and total indices."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.views.style import readable, separate, short_name

log = logging.getLogger(__name__)
MAX_LABELS = 10  # parameters numbered on a Morris plot and named beside it: the most influential (ranking: all)


def _panels(count: int, width: float = 7.5) -> tuple[Figure, np.ndarray]:
    cols = min(2, count)
    rows = -(-count // cols)
    fig = Figure(figsize=(width * cols, 5.5 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[count:]:
        ax.axis("off")
    return fig, axes.flat


def unstable_sobol(table: pd.DataFrame) -> bool:
    """Whether one output's Sobol' indices are too noisy to read: a clearly negative S1, or an interval wider than
    the index it bounds (for the indices that are not negligible): the base sample N is too small."""
    negative = (table["S1"] < -0.02).any()
    wide = ((table["S1_conf"] > table["S1"].abs()) & (table["S1"].abs() > 0.05)).any()
    return bool(negative or wide or ((table["ST_conf"] > table["ST"]) & (table["ST"] > 0.05)).any())


@readable
def plot_morris(indices: pd.DataFrame) -> Figure:
    """μ* against σ for each output, one point per parameter with μ*'s interval; the most influential are numbered
    (each number kept off the other numbers and the points, a thin line to its point) and named in a list beside the
    panel (names on the points would overlap in clusters). Above the dashed line
    σ > μ*: the parameter acts non-linearly or through interactions. μ* and σ are in the output's own units."""
    groups = list(indices.groupby("output", sort=False))
    fig, axes = _panels(len(groups), width=7.9)
    numbers_all, markers = [], []
    for ax, (output, table) in zip(axes, groups, strict=False):
        ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3, alpha=0.8)
        markers += [(ax, x, y) for x, y in zip(table["mu_star"], table["sigma"], strict=True)]
        notable = table.nlargest(MAX_LABELS, "mu_star")
        notable = notable[notable["mu_star"] > 0.05 * notable["mu_star"].max()]
        names, numbers = [], []
        for k, row in enumerate(notable.itertuples(index=False), start=1):
            at = (row.mu_star, row.sigma)
            leader = {"arrowstyle": "-", "color": "grey", "lw": 0.6, "shrinkA": 1, "shrinkB": 4}  # once moved off
            numbers.append(
                ax.annotate(str(k), at, xytext=(4, 3), textcoords="offset points", fontsize=10, arrowprops=leader)
            )
            names.append(f"{k:>2}  {short_name(row.parameter)}  μ*={row.mu_star:.3g}")
        numbers_all += numbers
        ax.text(1.03, 1, "\n".join(names), transform=ax.transAxes, va="top", fontsize=10, family="monospace")
        top = max(float((table["mu_star"] + table["mu_star_conf"]).max()), float(table["sigma"].max()), 1e-12) * 1.05
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="σ = μ*")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("μ* (mean |elementary effect|, in the output's units)")
        ax.set_ylabel("σ (spread of elementary effects)")
        ax.set_title(output, fontsize=12)
        ax.legend(fontsize=10, loc="upper left")
        ax.grid(alpha=0.3)
    separate(numbers_all, avoid=markers)
    fig.suptitle(
        "Morris screening: influence (μ*) and non-linearity or interactions (σ)\n"
        "μ* is the output's change over a step of the parameter's range, in the output's own units\n"
        "(a probability, rounds, confidence): compare parameters within a panel, not across panels"
    )
    return fig


@readable
def plot_sobol(indices: pd.DataFrame) -> Figure:
    """First-order (S1) and total (ST) Sobol' indices for each output, with their 95% intervals; a warning in the
    figure and the log where they are too noisy to read (:func:`unstable_sobol`)."""
    groups = list(indices.groupby("output", sort=False))
    fig, axes = _panels(len(groups))
    for ax, (output, table) in zip(axes, groups, strict=False):
        table = table.sort_values("ST", kind="stable")
        y = np.arange(len(table))
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], capsize=2, label="first order S1")
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], capsize=2, label="total ST")
        ax.set_yticks(y, [short_name(p) for p in table["parameter"]], fontsize=10)
        ax.axvline(0, color="black", lw=0.8)
        values = table[["S1", "ST"]].to_numpy()
        ax.set_xlim(min(-0.1, values.min()) - 0.05, max(1.0, values.max()) + 0.05)  # wider intervals run off
        ax.set_xlabel("share of the output's variance")
        title = output
        if unstable_sobol(table):
            log.warning(
                "Sobol' indices of %s are unstable (negative S1 or intervals wider than the values): "
                "raise the base sample N (samples=…)",
                output,
            )
            title += "\n⚠ unstable: N too small (negative S1 or wide intervals)"
        ax.set_title(title, fontsize=12, color="black" if title == output else "firebrick")
        ax.legend(fontsize=10, loc="lower right")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("Sobol' indices: variance explained alone (S1) and with interactions (ST)")
    return fig
