"""A replayed stretch of history: confidence in each direction over many histories, with the record's acts marked, and
the share of histories that had settled by each year's end."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.model.record.result import RunResult
from sim.views.style import Calendar, country_color, date_axis, display_name, readable


@readable
def plot_replay(result: RunResult, events: pd.DataFrame, settled: pd.Series, *, title: str = "") -> Figure:
    """Top: each directed pair's country confidence, the median (line) and the 5–95% band of the histories, with the
    scenario's events marked at their months (▲ cooperative, ▼ conflictual; one mark per event). Bottom: the share
    of histories settled by each year's end, or, where none settled, the title says so. ``events`` is the result's
    events (``result.events``); ``settled`` a share per year (:func:`sim.study.replay.settled_by_year`)."""
    scenario = result.plan.scenario
    none = not settled.any()
    fig = Figure(figsize=(11, 5.6 if none else 7.2), layout="constrained")
    top, bottom = (fig.subplots(), None) if none else fig.subplots(2, 1, height_ratios=[3, 1])
    rounds = np.arange(result.rounds + 1)
    cube = result.confidence_cube
    for k, (a, b) in enumerate(result.country_pairs):
        color = country_color(result, a)
        low, mid, high = np.quantile(cube[:, :, k], [0.05, 0.5, 0.95], axis=0)
        top.fill_between(rounds, low, high, color=color, alpha=0.18, lw=0)
        top.plot(rounds, mid, color=color, lw=2, label=f"{display_name(a)} → {display_name(b)} (median, 5–95%)")
    once = events[events["replicate"] == 0]
    lo, hi = top.get_ylim()
    for good, marker, y in ((True, "^", hi), (False, "v", lo)):
        hits = once[(once["goldstein"] > 0) == good]
        top.scatter(hits["round"], np.full(len(hits), y), marker=marker, s=36, color="0.3", clip_on=False, zorder=5)
    top.set_ylim(lo, hi)
    top.set_ylabel("country confidence")
    top.legend(loc="lower left", frameon=False)
    top.grid(alpha=0.3)
    top.set_title(
        title
        or f"{display_name(scenario.name)}: {len(result.seeds):,} histories (▲▼ the record's acts)"
        + (f"; none settled by the end of {settled.index[-1]}" if none else ""),
        loc="left",
        fontsize=13,
        pad=12,  # above the ▲ marks on the axis' top edge
    )
    date_axis(top, Calendar.of(scenario), result.rounds, label=False)
    if bottom is not None:
        _settled(bottom, settled)
    return fig


def _settled(ax, settled: pd.Series) -> None:
    years = settled.index.to_numpy()
    ax.bar(years, 100 * settled.to_numpy(), color="0.45", width=0.6)
    for year, share in settled.items():
        ax.annotate(
            f"{100 * share:.1f}%",
            (year, 100 * share),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            fontsize=10,
        )
    ax.set_ylim(0, max(10.0, 100 * float(settled.max()) * 1.3))
    ax.set_xticks(years)
    ax.set_ylabel("settled by year's end (%)")
    ax.grid(alpha=0.3, axis="y")
