"""Figures of a sensitivity analysis: Morris μ* against σ, and Sobol' first-order and total indices."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.views.style import short_name

MAX_LABELS = 10  # parameters named on a Morris plot: the most influential (the ranking lists them all)


def _panels(count: int) -> tuple[Figure, np.ndarray]:
    cols = min(2, count)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7.5 * cols, 5 * rows), layout="constrained", squeeze=False)
    for ax in axes.flat[count:]:
        ax.axis("off")
    return fig, axes.flat


def plot_morris(indices: pd.DataFrame) -> Figure:
    """μ* against σ for each output, one point per parameter with μ*'s interval, the most influential named; above
    the dashed line σ > μ*: the parameter acts non-linearly or through interactions."""
    groups = list(indices.groupby("output", sort=False))
    fig, axes = _panels(len(groups))
    for ax, (output, table) in zip(axes, groups, strict=False):
        ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o", capsize=3, alpha=0.8)
        notable = table.nlargest(MAX_LABELS, "mu_star")
        for row in notable[notable["mu_star"] > 0.05 * notable["mu_star"].max()].itertuples(index=False):
            at = (row.mu_star, row.sigma)
            ax.annotate(short_name(row.parameter), at, xytext=(4, 3), textcoords="offset points", fontsize=7)
        top = max(float((table["mu_star"] + table["mu_star_conf"]).max()), float(table["sigma"].max()), 1e-12) * 1.05
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=1, label="σ = μ*")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("μ* (mean |elementary effect|)")
        ax.set_ylabel("σ (spread of elementary effects)")
        ax.set_title(output, fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    fig.suptitle("Morris screening: influence (μ*) and non-linearity or interactions (σ)")
    return fig


def plot_sobol(indices: pd.DataFrame) -> Figure:
    """First-order (S1) and total (ST) Sobol' indices for each output, with their 95% intervals."""
    groups = list(indices.groupby("output", sort=False))
    fig, axes = _panels(len(groups))
    for ax, (output, table) in zip(axes, groups, strict=False):
        table = table.sort_values("ST", kind="stable")
        y = np.arange(len(table))
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], capsize=2, label="first order S1")
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"], capsize=2, label="total ST")
        ax.set_yticks(y, [short_name(p) for p in table["parameter"]], fontsize=7)
        ax.axvline(0, color="black", lw=0.8)
        values = table[["S1", "ST"]].to_numpy()
        ax.set_xlim(min(-0.1, values.min()) - 0.05, max(1.0, values.max()) + 0.05)  # wider intervals run off
        ax.set_xlabel("share of the output's variance")
        ax.set_title(output, fontsize=10)
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("Sobol' indices: variance explained alone (S1) and with interactions (ST)")
    return fig
