"""Figures of one run: confidence trajectories with the meetings and events that moved them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.model.record.result import RunResult
from sim.views.style import (
    Calendar,
    country_color,
    date_axis,
    display_name,
    readable,
    separate,
    zoom,
)

MANY_COUNTRIES = 5  # beyond this, pairs are drawn as a band rather than one labelled line each
MAX_EVENT_NOTES = 10  # events listed in a caption under the plot
STYLES = ["-", "--", ":", "-."]  # line styles: a pair's counterpart (countries), a ministry's place (ministries)
LATEST = ["o", "s", "^", "D"]  # live: marker on a ministry line's latest value, by counterpart
MIN_LIVE_ROUNDS = 40  # live: the round axis spans at least the default run, so that the lines grow into it
LIVE_WIDTH = 8.0  # inches: the dashboard shows it 600–800 px wide, its 11 pt text 12–15 px high
LIVE_GAP = 0.3  # inches between two panels of the dashboard's figure (the strip's title sits there)
LIVE_MARGINS = 0.3 + 0.35 + 2 * LIVE_GAP  # inches above the strip and below the last panel (dates), and the gaps
LIVE_TEXT = 11  # points: the smallest text of the dashboard's figures
SHORT_SEED = 10**6  # a seed shown in a title; a replicate's spawned seed (20 digits) is named by its replicate instead
EVENT_KEY = [  # the legend's entries for the event markers
    Line2D([], [], marker="^", ls="none", color="white", mec="black", ms=9, label="cooperative event"),
    Line2D([], [], marker="v", ls="none", color="white", mec="black", ms=9, label="conflictual event"),
]


@readable
def plot_confidence(result: RunResult, replicate: int = 0, *, live: bool = False, full_scale: bool = False) -> Figure:
    """Confidence over the rounds of one replicate: meetings held (top), country pairs (middle), ministries (bottom).

    One line per directed pair ("Japan → Russia": Japan's confidence in Russia), in the observer's colour with a style
    per counterpart; events are marked on the line of the country that observed them (▲ cooperative,
    ▼ conflictual) with their CAMEO code and listed under the plot; a ratified settlement is a dashed line. The
    confidence axes show the range the values use (the label says so) or, with ``full_scale``, all of [0, 1]. With
    a ``calendar_start`` in the scenario, the round axis shows dates.

    ``live`` is the dashboard's rendition: a fixed size with the legends beside the panels, each line's latest value
    marked, a round axis at least :data:`MIN_LIVE_ROUNDS` long, no title. The figure is not registered with pyplot:
    in a notebook it shows once, as the cell's value; elsewhere ``fig.savefig(…)``.
    """
    many = len(result.countries) > MANY_COUNTRIES
    show_ministries = not many and len(result.ministry_rounds) > 0
    notes = [] if many or live else _event_notes(result, replicate)
    entries = len(result.plan.scenario.calendar)
    if live:
        heights = _live_heights(result, show_ministries)
    else:
        heights = [0.3 + 0.26 * entries, 4] + ([3] if show_ministries else [])
        heights += [0.2 + 0.19 * len(notes)] if notes else []
    size = (LIVE_WIDTH, sum(heights) + LIVE_MARGINS) if live else (12, 1.6 + sum(heights))
    fig = Figure(figsize=size, layout=None if live else "constrained")
    axes = fig.subplots(len(heights), 1, sharex=True, height_ratios=heights)
    _meeting_strip(axes[0], result)
    labels = _country_panel(axes[1], result, replicate, many=many, live=live, full=full_scale)
    if show_ministries:
        _ministry_panel(axes[2], result, replicate, live=live, full=full_scale)
    if live:
        longest = max(len(display_name(e.name)) for e in result.plan.scenario.calendar)
        left = (0.3 + 0.085 * longest) / size[0]  # the meeting names beside the strip
        widest = max(len(text) for ax in axes[1:] for text in ax.get_legend_handles_labels()[1])
        right = 1 - (0.75 + 0.09 * widest) / size[0]  # the legends beside the panels
        gap = LIVE_GAP / (sum(heights) / len(heights))  # between panels, as a share of their mean height
        fig.subplots_adjust(left=left, right=right, top=1 - 0.3 / size[1], bottom=0.35 / size[1], hspace=gap)
    plots = axes[1 : len(axes) - (1 if notes else 0)]
    for ax in plots:
        mark_settlements(ax, result, replicate)
        ax.grid(alpha=0.3)
    last = plots[-1]
    last.xaxis.set_tick_params(labelbottom=True)
    _round_axis(last, result, max(result.rounds, MIN_LIVE_ROUNDS) if live else result.rounds, label=not live)
    if notes:
        axes[-1].axis("off")
        axes[-1].text(0, 1, "\n".join(notes), transform=axes[-1].transAxes, va="top", size=10, family="monospace")
    if not live:
        seed = result.seeds[replicate]
        short = seed is not None and seed < SHORT_SEED
        which = f"seed {seed}" if short else f"replicate {replicate} of {result.replicates}"
        fig.suptitle(f"Confidence in {result.scenario} ({which})")
    separate(labels)
    return fig


def _round_axis(ax, result: RunResult, rounds: int, *, label: bool = True) -> None:
    """Rounds 0 to ``rounds`` on the x-axis, as dates where the scenario gives them (the dates with no label, unless
    ``label``)."""
    ax.set_xlim(0, rounds)
    calendar = Calendar.of(result.plan.scenario)
    if calendar:
        inches = ax.get_position().width * ax.figure.get_figwidth()
        date_axis(ax, calendar, rounds, most=max(2, int(inches / 0.75)), label=label)  # 'Jan 2014' is 0.7 in
    else:
        ax.set_xlabel("round")


def _live_heights(result: RunResult, show_ministries: bool) -> list[float]:
    """The dashboard's panels, in inches: a row per meeting series, the countries, and the ministries tall enough
    for their legend beside them (a line per ministry and other country, 0.21 in each at 11 pt)."""
    entries = len(result.ministries) * (len(result.countries) - 1)
    ministries = [max(1.35, 0.21 * entries)] if show_ministries else []
    return [0.19 * len(result.plan.scenario.calendar), 1.65, *ministries]


def _replicate_events(result: RunResult, replicate: int) -> pd.DataFrame:
    return result.events[result.events["replicate"] == replicate]


def _event_notes(result: RunResult, replicate: int) -> list[str]:
    """One line per event marked on the plot, for a reader who does not know CAMEO codes (none if too many)."""
    events = _replicate_events(result, replicate)
    if len(events) > MAX_EVENT_NOTES:
        return []
    calendar = Calendar.of(result.plan.scenario)

    def when(r: int) -> str:
        return f"round {r:>3}" + (f" ({calendar.month(r)})" if calendar else "")

    return [
        f"{when(e.round)}  {e.cameo or f'{e.goldstein:+g}':>5}  {e.source} → {e.target}"
        + (f": {e.note}" if e.note else "")
        for e in events.itertuples()
    ]


def _legend(ax, live: bool, size: float, handles: list | None = None) -> None:
    """Beside the panel, in one column: the lines never hide behind it."""
    handles = (handles or []) + ax.get_legend_handles_labels()[0]
    where = {"bbox_to_anchor": (1.01, 1.02), "frameon": False} if live else {"bbox_to_anchor": (1.01, 1.0)}
    ax.legend(handles=handles, loc="upper left", fontsize=size, handlelength=2.6, **where)


def _meeting_strip(ax, result: RunResult) -> None:
    """One row per calendar entry, a tick for each meeting held."""
    entries = [e.name for e in result.plan.scenario.calendar]
    held = result.meetings[result.meetings["held"]]
    first = min(len(result.countries), 4)  # after the countries' colours
    colors = [f"C{first + k % (10 - first)}" for k in range(len(entries))]
    for k, name in enumerate(entries):
        rounds = held.loc[held["meeting"] == name, "round"]
        ax.scatter(rounds, np.full(len(rounds), k), marker="|", s=110, lw=2, color=colors[k], clip_on=False)
    ax.set_yticks(range(len(entries)), [display_name(e) for e in entries], fontsize=LIVE_TEXT)
    for label, color in zip(ax.get_yticklabels(), colors, strict=True):  # each name in its ticks' colour: the key
        label.set_color(color)
    ax.set_ylim(len(entries) - 0.4, -0.6)
    ax.set_title("meetings held (a tick per meeting)", fontsize=11, loc="left")
    ax.grid(axis="x", alpha=0.3)


def _country_panel(ax, result: RunResult, replicate: int, *, many: bool, live: bool, full: bool) -> list:
    """The directed pairs' confidence; returns the events' labels (to be kept apart once the figure is laid out)."""
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
        labels = _events(ax, result, lines, replicate)
    note = zoom(ax, df["confidence"], full=full)
    ax.set_ylabel("country confidence" + (f"\n({note})" if note else ""))
    _legend(ax, live, LIVE_TEXT, [] if many else EVENT_KEY)
    return [] if many else labels


def _events(ax, result: RunResult, lines: dict, replicate: int) -> list:
    """Mark each event on the line of the pair it moved (the target's confidence in the source) with its CAMEO code;
    events at the same place share one label ("057 ×2"). Returns the labels."""
    marks: dict[tuple, list[str]] = {}
    for e in _replicate_events(result, replicate).itertuples():
        observer, actor = e.target.split(".")[0], e.source.split(".")[0]
        if (observer, actor) in lines:
            marks.setdefault((observer, actor, e.round, e.goldstein >= 0), []).append(e.cameo or f"{e.goldstein:+g}")
    labels = []
    for (observer, actor, round_, up), codes in marks.items():
        y = lines[observer, actor].get(round_, np.nan)
        color = country_color(result, observer)
        ax.scatter([round_], [y], marker="^" if up else "v", s=90, color=color, ec="black", zorder=5)
        text = " ".join(f"{c} ×{codes.count(c)}" if codes.count(c) > 1 else c for c in dict.fromkeys(codes))
        where = {"textcoords": "offset points", "xytext": (0, 8 if up else -8), "va": "bottom" if up else "top"}
        box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}
        labels.append(ax.annotate(text, (round_, y), ha="center", size=LIVE_TEXT, bbox=box, zorder=6, **where))
    return labels


def _ministry_panel(ax, result: RunResult, replicate: int, *, live: bool, full: bool) -> None:
    """Each ministry's confidence in each other country: its country's colour, a style per ministry."""
    by_country = result.confidence_by_country(replicate)  # (recorded rounds, ministries, countries)
    first: dict[str, int] = {}
    shown = []
    for i, (country, ministry) in enumerate(result.ministries):
        style = STYLES[(i - first.setdefault(country, i)) % len(STYLES)]
        for k, other in enumerate(c for c in result.countries if c != country):
            values = by_country[:, i, result.countries.index(other)]
            label = f"{display_name(country)} {ministry} → {display_name(other)}"
            latest = {"marker": LATEST[k % len(LATEST)], "markevery": [-1], "ms": 4} if live else {}
            ax.plot(
                result.ministry_rounds, values, color=country_color(result, country), ls=style, label=label, **latest
            )
            shown.append(values)
    note = zoom(ax, np.concatenate(shown), full=full)
    ax.set_ylabel("ministry confidence" + (f"\n({note})" if note else ""))
    _legend(ax, live, LIVE_TEXT)


def mark_settlements(ax, result: RunResult, replicate: int = 0) -> None:
    """A dashed line, labelled at the top, at the round each talks reached a ratified settlement."""
    for name, rounds in result.settled_round.items():
        if rounds[replicate] >= 0:
            ax.axvline(rounds[replicate], color="black", ls="--", lw=1)
            text = {"rotation": 90, "ha": "right", "va": "top", "size": LIVE_TEXT}
            where = {"xycoords": ("data", "axes fraction"), "textcoords": "offset points", "xytext": (-3, 0)}
            ax.annotate(f"{display_name(name)} settled", (rounds[replicate], 0.98), **where, **text)


def plot_talks(result: RunResult) -> Figure:
    """Each side's proposals as its own utility — offers (dots) and positions (open squares) — the least it would
    accept then (line) and its reservation value (dashed); a cross marks a proposal accepted at the table, a dashed
    vertical line a settlement."""
    talks = list(result.plan.talks.values())
    fig = Figure(figsize=(LIVE_WIDTH, 5.6 * len(talks)))
    axes = fig.subplots(len(talks), 1, squeeze=False)[:, 0]
    fig.subplots_adjust(left=0.1, right=0.98, top=0.94, bottom=0.36, hspace=0.8)
    offers = result.offers
    for ax, plan in zip(axes, talks, strict=True):
        rows = offers[offers["talks"] == plan.name]
        handles = []
        for p, party in enumerate(plan.parties):
            color, name = country_color(result, party.name), display_name(party.name)
            own = rows[rows["proposer"] == party.name]
            least = np.where(rows["proposer"] == party.name, rows["level_proposer"], rows["level_responder"])
            (line,) = ax.plot(rows["round"], least, color=color, lw=1.4, alpha=0.8, label=f"{name}: least it accepts")
            offers, positions = own[own["kind"] == "offer"], own[own["kind"] == "position"]
            dots = ax.scatter(
                offers["round"], offers["u_proposer"], color=color, s=26, zorder=4, label=f"{name}: offers"
            )
            squares = ax.scatter(
                positions["round"],
                positions["u_proposer"],
                marker="s",
                s=26,
                facecolor="white",
                edgecolor=color,
                zorder=4,
                label=f"{name}: positions",
            )
            dashed = ax.axhline(plan.reservation[p], color=color, ls="--", lw=1.2, label=f"{name}: reservation value")
            handles.append((line, dots, squares, dashed))
        accepted = rows[rows["accepted"].astype(bool)]
        ax.scatter(accepted["round"], accepted["u_proposer"], marker="x", s=70, color="k", zorder=5)
        by_kind = [h for kind in zip(*handles, strict=True) for h in kind]  # filled by column: one row per party
        ax.legend(
            handles=by_kind, ncols=2, fontsize=LIVE_TEXT, loc="upper left", bbox_to_anchor=(0, -0.2), frameon=False
        )
        mark_settlements(ax, result)
        title = f"{plan.name.replace('_', ' ')}: each side's own utility (× accepted at the table)"
        ax.set_title(title, fontsize=11, loc="left")
        _round_axis(ax, result, max(result.rounds, MIN_LIVE_ROUNDS), label=False)
        ax.set_ylim(-0.03, 1.08)
        ax.set_ylabel("utility")
        ax.grid(alpha=0.3)
    return fig
