"""The talks in the two parties' utility space: every outcome, the Pareto frontier, the status quo, where axiomatic
bargaining puts the deal (Nash, Kalai–Smorodinsky), each side's win-set at the end, and what was tabled."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.model.plan.talks import TalksPlan
from sim.model.record.result import RunResult
from sim.model.rules.bargaining import pareto_frontier
from sim.views.style import country_color, display_name, readable

MARKERS = {"offer": "o", "position": "s"}


@readable
def plot_bargaining(result: RunResult, replicate: int = 0) -> Figure:
    """One panel per set of talks: each party's utility on an axis; grey dots every outcome, the line the Pareto
    frontier, the cross the status quo, N and K the Nash and Kalai–Smorodinsky solutions; rings the outcomes each side's
    home would ratify at the end (its win-set; a deal exists only where both ring it); each side's offers (circles)
    and positions (squares) in its colour, filled where accepted at the table, the settlement a star."""
    talks = list(result.plan.talks.values())
    fig = Figure(figsize=(7.2 * len(talks), 9.2))  # square panels above the legend
    axes = np.atleast_1d(fig.subplots(1, len(talks), squeeze=False)[0])
    fig.subplots_adjust(left=0.11, right=0.97, top=0.93, bottom=0.25, wspace=0.25)
    offers = result.offers
    mine = offers[(offers["replicate"] == replicate) & (offers["kind"] != "silent")]
    for ax, plan in zip(axes, talks, strict=True):
        outcome_space(ax, plan)
        _win_sets(ax, result, plan, replicate)
        _tabled(ax, result, plan, mine[mine["talks"] == plan.name])
        settled = int(result.settlement[plan.name][replicate])
        if settled >= 0:
            ax.scatter(*point(plan, settled), marker="*", s=320, color="gold", edgecolor="k", zorder=7)
        a, b = (display_name(p.name) for p in plan.parties)
        ax.set_xlabel(f"utility to {a}")
        ax.set_ylabel(f"utility to {b}")
        title = textwrap.fill(f"{display_name(plan.name)}: {_outcome_text(plan, settled)}", 60)
        ax.set_title(title, fontsize=12, loc="left")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_aspect("equal")
        ax.grid(alpha=0.25)
    _legend(fig, axes[0], result, talks[0])
    fig.draw_without_rendering()  # constrained layout settles on its second pass (equal aspect, a legend outside)
    return fig


def point(plan: TalksPlan, outcome: int) -> tuple[float, float]:
    return float(plan.utility[0][outcome]), float(plan.utility[1][outcome])


def outcome_space(ax, plan: TalksPlan) -> None:
    """Every outcome, the frontier, the status quo and the reference solutions."""
    u0, u1 = plan.utility
    ax.scatter(u0, u1, s=10, color="0.75", zorder=1)
    front = pareto_frontier(u0, u1)
    ax.plot(u0[front], u1[front], color="0.35", lw=1.2, zorder=2)
    ax.scatter(*point(plan, plan.status_quo), marker="X", s=120, color="k", zorder=6)
    references = plan.reference_solutions()
    labels: dict[int, list[str]] = {}
    for label, key in (("N", "nash"), ("K", "kalai_smorodinsky")):
        if references[key] is not None:
            labels.setdefault(references[key], []).append(label)
    for outcome, names in labels.items():  # "N = K" where both solutions are one deal
        x, y = point(plan, outcome)
        ax.annotate(" = ".join(names), (x, y), xytext=(6, 6), textcoords="offset points", weight="bold", zorder=6)
        ax.scatter(x, y, marker="D", s=40, color="k", zorder=6)


def _win_sets(ax, result: RunResult, plan: TalksPlan, replicate: int) -> None:
    """Rings round the outcomes each party's home would ratify at the end of the run, in its colour."""
    for p, ratifies in enumerate(plan.win_sets(result.final_confidence[replicate])):
        if ratifies.any():
            color = country_color(result, plan.parties[p].name)
            size = 90 if p == 0 else 150
            ax.scatter(
                plan.utility[0][ratifies],
                plan.utility[1][ratifies],
                s=size,
                facecolor="none",
                edgecolor=color,
                lw=1.2,
                zorder=3,
            )


def _tabled(ax, result: RunResult, plan: TalksPlan, rows) -> None:
    """Each proposal where it lies, in its proposer's colour, filled where accepted at the table."""
    for party in plan.parties:
        color = country_color(result, party.name)
        own = rows[rows["proposer"] == party.name]
        first = party.name == plan.parties[0].name
        for kind, marker in MARKERS.items():
            some = own[own["kind"] == kind]
            x = np.where(first, some["u_proposer"], some["u_responder"])
            y = np.where(first, some["u_responder"], some["u_proposer"])
            accepted = some["accepted"].to_numpy(bool)
            ax.scatter(
                x[~accepted], y[~accepted], marker=marker, s=46, facecolor="white", edgecolor=color, lw=1.6, zorder=4
            )
            ax.scatter(x[accepted], y[accepted], marker=marker, s=46, color=color, zorder=5)


def _outcome_text(plan: TalksPlan, settled: int) -> str:
    if settled < 0:
        return "no settlement"
    return "settled on " + ", ".join(f"{k} {v}".replace("_", " ") for k, v in plan.terms(settled).items())


def _legend(fig: Figure, ax, result: RunResult, plan: TalksPlan) -> None:
    handles = [
        Line2D([], [], color="0.35", lw=1.2, label="Pareto frontier"),
        Line2D([], [], marker="X", ls="", color="k", ms=9, label="status quo"),
        Line2D([], [], marker="D", ls="", color="k", ms=6, label="N Nash, K Kalai–Smorodinsky"),
        Line2D([], [], marker="*", ls="", color="gold", mec="k", ms=14, label="settlement"),
    ]
    for party in plan.parties:
        color, name = country_color(result, party.name), display_name(party.name)
        handles += [
            Line2D(
                [], [], marker="o", ls="", mfc="white", mec=color, ms=8, label=f"{name}: offer (filled if accepted)"
            ),
            Line2D([], [], marker="s", ls="", mfc="white", mec=color, ms=8, label=f"{name}: position"),
            Line2D([], [], marker="o", ls="", mfc="none", mec=color, ms=11, label=f"{name} would ratify (end)"),
        ]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.01), ncols=2, frameon=False, fontsize=10)
