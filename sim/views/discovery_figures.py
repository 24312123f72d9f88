"""Figures of scenario discovery: PRIM's peeling trajectory, and the chosen box drawn over the samples."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.views.style import short_name


def plot_peeling(trajectory: pd.DataFrame, chosen: int, rule: str) -> Figure:
    """Coverage against density at each peeling step, coloured by how many inputs the box restricts; the chosen box
    circled. Coverage: the share of all hits inside the box; density: the share of hits among the samples inside."""
    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    points = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis", s=30, zorder=3
    )
    ax.plot(trajectory["coverage"], trajectory["density"], color="grey", lw=0.8, zorder=2)
    best = trajectory.iloc[chosen]
    ax.scatter([best["coverage"]], [best["density"]], s=220, facecolors="none", edgecolors="crimson", lw=2, zorder=4)
    ax.annotate(
        f"chosen box (step {chosen})\ncoverage {best['coverage']:.2f}, density {best['density']:.2f}",
        (best["coverage"], best["density"]),
        xytext=(-10, -30),
        textcoords="offset points",
        ha="right",
        fontsize=10,
    )
    fig.colorbar(points, ax=ax, label="inputs restricted", ticks=range(int(trajectory["res_dim"].max()) + 1))
    ax.set_xlabel("coverage (share of all hits inside the box)", fontsize=11)
    ax.set_ylabel("density (share of hits inside the box)", fontsize=11)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"PRIM peeling trajectory: where {rule}", fontsize=12)
    return fig


def plot_box(inputs: pd.DataFrame, hits: np.ndarray, box: pd.DataFrame, rule: str) -> Figure:
    """The samples over the two inputs the chosen box restricts most significantly (one, or the first two inputs if
    it restricts fewer), hits and misses marked, the box drawn."""
    significance = box[["p_low", "p_high"]].min(axis=1)  # a restriction's more significant bound
    shown = list(box.assign(p=significance).sort_values("p", na_position="last")["parameter"][:2])
    shown += [c for c in inputs.columns if c not in shown][: 2 - len(shown)]
    fig = Figure(figsize=(7, 5.5), layout="constrained")
    ax = fig.subplots()
    x = inputs[shown[0]].to_numpy(dtype=float)
    y = inputs[shown[1]].to_numpy(dtype=float) if len(shown) > 1 else np.zeros(len(x))
    ax.scatter(x[~hits], y[~hits], s=14, color="lightgrey", label="outcome does not hold")
    ax.scatter(x[hits], y[hits], s=14, color="C0", label=f"{rule}")
    limits = box.set_index("parameter")
    x_lo, x_hi = limits.loc[shown[0], ["low", "high"]] if shown[0] in limits.index else (x.min(), x.max())
    if len(shown) > 1 and shown[1] in limits.index:
        y_lo, y_hi = limits.loc[shown[1], ["low", "high"]]
    else:
        y_lo, y_hi = y.min(), y.max()
    ax.add_patch(Rectangle((x_lo, y_lo), x_hi - x_lo, y_hi - y_lo, fill=False, ec="crimson", lw=2, label="chosen box"))
    ax.set_xlabel(short_name(shown[0]), fontsize=11)
    ax.set_ylabel(short_name(shown[1]) if len(shown) > 1 else "", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    ax.grid(alpha=0.3)
    ax.set_title("The chosen box over the samples", fontsize=12)
    return fig
