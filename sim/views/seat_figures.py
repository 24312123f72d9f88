"""Figures of a game played from a seat: the seat's confidence against the band of all-agent histories of the same
scenario, and a class's settlements in the talks' utility space."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.model.plan.talks import TalksPlan
from sim.views.style import display_name, readable, zoom
from sim.views.talks_figures import outcome_space, point

LINES = (  # how each history is drawn, in order: the game, then e.g. the agents in its place, a counterfactual
    {"color": "C0", "lw": 3.0, "ls": "-", "zorder": 3},
    {"color": "k", "lw": 1.4, "ls": ":", "zorder": 5},
    {"color": "C3", "lw": 1.4, "ls": "-.", "zorder": 5},
)


@readable
def plot_seat_confidence(
    title: str, panels: Mapping[str, tuple[Mapping[str, np.ndarray], np.ndarray]], departures: Sequence[int] = ()
) -> Figure:
    """One panel per entry of ``panels``: its y label → the histories to draw (label → values after each round,
    (rounds + 1,); the game's first) and all-agent histories of the same scenario (replicates, rounds + 1), drawn as
    their 5–95% band and median. ▲ marks the rounds in which the seat decided otherwise than the rules would have."""
    fig = Figure(figsize=(10.5, 1.0 + 2.9 * len(panels)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0])
    for ax, (label, (lines, ensemble)) in zip(axes, panels.items(), strict=True):
        rounds = np.arange(ensemble.shape[1])
        q05, median, q95 = np.quantile(ensemble, [0.05, 0.5, 0.95], axis=0)
        ax.fill_between(rounds, q05, q95, color="0.85", label=f"all-agent histories, 5–95% (n = {len(ensemble)})")
        ax.plot(rounds, median, color="0.5", lw=1.2, ls="--", label="their median")
        for style, (name, values) in zip(LINES, lines.items(), strict=False):
            ax.plot(rounds, values, label=name, **style)
        game = next(iter(lines.values()))
        marked = [r for r in departures if 0 <= r < len(game)]
        if marked:
            ax.scatter(
                marked,
                game[marked],
                marker="^",
                s=70,
                color="C0",
                edgecolor="k",
                zorder=6,
                label="you decided otherwise than the rules",
            )
        note = zoom(ax, np.concatenate([q05, q95, *lines.values()]))
        ax.set_ylabel(label + (f"\n({note})" if note else ""))
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=11)
    axes[-1].set_xlabel("round")
    axes[-1].set_xlim(0, len(game) - 1)
    fig.suptitle(title)
    return fig


@readable
def plot_settlements(plan: TalksPlan, games: Sequence[tuple[str, int]]) -> Figure:
    """A class's games in the talks' utility space (the outcomes, the Pareto frontier, the status quo, Nash and
    Kalai–Smorodinsky, as in :func:`~sim.views.talks_figures.plot_bargaining`): each game's settlement a star with its
    label, and how many games ended without one. ``games``: (label, the settled outcome or -1)."""
    fig = Figure(figsize=(8.4, 8.4), layout="constrained")
    ax = fig.subplots()
    outcome_space(ax, plan)
    settled = [(label, outcome) for label, outcome in games if outcome >= 0]
    by_outcome: dict[int, list[str]] = {}
    for label, outcome in settled:
        by_outcome.setdefault(outcome, []).append(label)
    for outcome, labels in by_outcome.items():
        x, y = point(plan, outcome)
        ax.scatter(x, y, marker="*", s=320, color="gold", edgecolor="k", zorder=7)
        shown = ", ".join(labels) if len(labels) <= 3 else f"{len(labels)} games"
        ax.annotate(shown, (x, y), xytext=(8, -14), textcoords="offset points", fontsize=11, zorder=8)
    a, b = (display_name(p.name) for p in plan.parties)
    ax.set_xlabel(f"utility to {a}")
    ax.set_ylabel(f"utility to {b}")
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    ax.grid(alpha=0.25)
    broke = len(games) - len(settled)
    ax.set_title(
        f"{display_name(plan.name)}: {len(settled)} of {len(games)} games settled, {broke} without a deal", loc="left"
    )
    handles = [
        Line2D([], [], color="0.35", lw=1.2, label="Pareto frontier"),
        Line2D([], [], marker="X", ls="", color="k", ms=9, label="status quo"),
        Line2D([], [], marker="D", ls="", color="k", ms=6, label="N Nash, K Kalai–Smorodinsky"),
        Line2D([], [], marker="*", ls="", color="gold", mec="k", ms=14, label="a game's settlement"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=11)
    fig.draw_without_rendering()  # constrained layout settles on its second pass (equal aspect, a legend outside)
    return fig
