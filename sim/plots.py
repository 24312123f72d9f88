"""Figures of a run: confidence trajectories with the meetings and events that moved them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files, not windows; notebooks switch back with their own backend
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from sim.recording import RunResult

MANY_COUNTRIES = 5  # beyond this, pairs are drawn as a band rather than one labelled line each
MAX_EVENT_NOTES = 10  # events listed in a caption under the plot


def _label(name: str) -> str:
    return name.replace("_", " ").title()


def plot_confidence(result: RunResult, replicate: int = 0) -> Figure:
    """Confidence over the rounds of one replicate: meetings held (top), country pairs (middle), ministries (bottom).

    One line per directed pair ("Japan → Russia": Japan's confidence in Russia); events are marked on the line of
    the country that observed them (▲ cooperative, ▼ conflictual) and listed under the plot; a ratified settlement
    is a dashed line.
    """
    many = len(result.countries) > MANY_COUNTRIES
    show_ministries = not many and len(result.ministry_rounds) > 0
    notes = [] if many else _event_notes(result)
    heights = [1.2, 4] + ([3] if show_ministries else []) + ([0.2 * len(notes)] if notes else [])
    fig, axes = plt.subplots(
        len(heights), 1, figsize=(11, 2 + sum(heights)), sharex=True, height_ratios=heights, layout="constrained"
    )
    _meeting_strip(axes[0], result)
    _country_panel(axes[1], result, many, replicate)
    if show_ministries:
        _ministry_panel(axes[2], result, replicate)
    plots = axes[1 : len(axes) - (1 if notes else 0)]
    for ax in plots:
        _settlements(ax, result, replicate)
    plots[-1].set_xlabel("round")
    plots[-1].xaxis.set_tick_params(labelbottom=True)
    plots[-1].set_xlim(0, result.rounds)
    if notes:
        axes[-1].axis("off")
        axes[-1].text(0, 1, "\n".join(notes), transform=axes[-1].transAxes, fontsize=8, va="top", family="monospace")
    fig.suptitle(f"Confidence in {result.scenario} (seed {result.seeds[replicate]})", fontsize=13)
    return fig


def _event_notes(result: RunResult) -> list[str]:
    """One line per event marked on the plot, for a reader who does not know CAMEO codes (none if too many)."""
    events = result.events
    if len(events) > MAX_EVENT_NOTES:
        return []
    return [
        f"round {e.round:>3}  {e.cameo or f'{e.goldstein:+g}':>5}  {e.source} → {e.target}"
        + (f": {e.note}" if e.note else "")
        for e in events.itertuples()
    ]


def _meeting_strip(ax, result: RunResult) -> None:
    meetings = result.meetings
    formats = list(dict.fromkeys(meetings["format"])) if len(meetings) else []
    colors = plt.get_cmap("tab10")
    for k, fmt in enumerate(formats):
        rounds = meetings.loc[meetings["format"] == fmt, "round"]
        ax.scatter(rounds, np.full(len(rounds), k), marker="|", s=120, color=colors(k % 10), linewidths=2)
    ax.set_yticks(range(len(formats)), [_label(f) for f in formats], fontsize=8)
    ax.set_ylim(-0.7, max(len(formats), 1) - 0.3)
    ax.set_title("meetings held", fontsize=9, loc="left")
    ax.grid(axis="x", alpha=0.3)


def _country_panel(ax, result: RunResult, many: bool, replicate: int) -> None:
    df = result.country_confidence
    df = df[df["replicate"] == replicate]
    lines = {}
    if many:
        wide = df.pivot_table(index="round", columns=["country", "counterpart"], values="confidence")
        q = wide.quantile([0.05, 0.5, 0.95], axis=1).T
        ax.fill_between(q.index, q[0.05], q[0.95], alpha=0.25, color="C0", label="5–95% of directed pairs")
        ax.plot(q.index, q[0.5], color="C0", lw=2, label="median pair")
    else:
        for k, ((a, b), g) in enumerate(df.groupby(["country", "counterpart"], sort=False)):
            (line,) = ax.plot(g["round"], g["confidence"], lw=2.2, color=f"C{k}", label=f"{_label(a)} → {_label(b)}")
            lines[a] = (g.set_index("round")["confidence"], line.get_color())
        _events(ax, result, lines)
    ax.set_ylabel("country confidence")
    _zoom(ax, df["confidence"])
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9, ncols=2)


def _events(ax, result: RunResult, lines) -> None:
    for e in result.events.itertuples():
        observer = e.target.split(".")[0]
        if observer not in lines:
            continue
        series, color = lines[observer]
        y = series.get(e.round, np.nan)
        marker = "^" if e.goldstein >= 0 else "v"
        ax.scatter([e.round], [y], marker=marker, s=70, color=color, edgecolor="black", zorder=5)
        ax.annotate(
            e.cameo or f"{e.goldstein:+g}",
            (e.round, y),
            textcoords="offset points",
            xytext=(0, 9 if e.goldstein >= 0 else -14),
            ha="center",
            fontsize=7,
        )


def _ministry_panel(ax, result: RunResult, replicate: int) -> None:
    trust = result.ministry_trust(replicate)  # (recorded rounds, ministries, countries)
    styles = ["-", "--", ":", "-."]
    shown = []
    for i, (country, ministry) in enumerate(result.ministries):
        k = result.countries.index(country)
        for b, other in enumerate(result.countries):
            if other != country:
                label = f"{_label(country)} {ministry} → {_label(other)}"
                ax.plot(result.ministry_rounds, trust[:, i, b], color=f"C{k}", ls=styles[i % 4], lw=1.4, label=label)
                shown.append(trust[:, i, b])
    ax.set_ylabel("ministry confidence")
    _zoom(ax, np.array(shown))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, ncols=3)


def _zoom(ax, values) -> None:
    """Show the range the values use, with a margin, within [0, 1]."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.05, 0.15 * (hi - lo))
    ax.set_ylim(max(0.0, lo - pad), min(1.0, hi + pad))


def _settlements(ax, result: RunResult, replicate: int) -> None:
    for name, rounds in result.settled_round.items():
        if rounds[replicate] >= 0:
            ax.axvline(rounds[replicate], color="black", ls="--", lw=1)
            ax.text(rounds[replicate], ax.get_ylim()[0], f" {name} settled", fontsize=8, rotation=90, va="bottom")
