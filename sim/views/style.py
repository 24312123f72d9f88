"""What every figure shares: names as readers see them, a colour per country, axis limits that fit the data, font
sizes a projector shows, dates on a round axis, labels that keep out of each other's way."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

import matplotlib as mpl
import numpy as np
from matplotlib.text import Text

from sim.model.record.result import RunResult

READABLE = {  # sizes in points: at 150 dpi, about as large on a 1080p projector as on a printed page
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "figure.titlesize": 15,
}
SMALLEST = 9  # points: no text of a figure is smaller
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def readable[**P, R](draw: Callable[P, R]) -> Callable[P, R]:
    """Draw with the :data:`READABLE` sizes (a context around the figure's drawing; Matplotlib's settings are left
    as they were)."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(READABLE):
            return draw(*args, **kwargs)

    return wrapper


def display_name(name: str) -> str:
    """A name as a reader sees it: ``peace_treaty`` → ``Peace Treaty``."""
    return name.replace("_", " ").title()


def country_color(result: RunResult, country: str) -> str:
    """A country's colour in every figure of a run (meetings use the colours after the countries')."""
    return f"C{result.countries.index(country) % 10}"


def zoom(ax, values, *, full: bool = False) -> str:
    """Show the range the values use, with a margin, within [0, 1] (or all of [0, 1] if ``full``); return a note
    for the axis label saying the axis is zoomed ("" if it shows [0, 1])."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.05, 0.15 * (hi - lo))
    low, high = (0.0, 1.0) if full else (max(0.0, lo - pad), min(1.0, hi + pad))
    ax.set_ylim(low, high)
    return "" if (low, high) == (0.0, 1.0) else f"zoomed to {low:.2f}–{high:.2f}"


def month_of_round(start: str, round_months: int, r: int) -> tuple[int, int]:
    """(year, month) of round ``r`` when round 1 is the month ``start`` ('YYYY-MM'): round r ends that month."""
    year, month = map(int, start.split("-")[:2])
    index = year * 12 + month - 1 + (r - 1) * round_months
    return index // 12, index % 12 + 1


def date_axis(ax, start: str, round_months: int, rounds: int) -> None:
    """Label a round axis with dates: the rounds that fall in January (and July on short runs), as 'Jan 2014'."""
    months = {1, 7} if rounds * round_months <= 48 else {1}
    years = max(1, -(-rounds * round_months // (12 * 12)))  # at most about 12 labels
    ticks = [
        r
        for r in range(rounds + 1)
        if (ym := month_of_round(start, round_months, r))[1] in months and (ym[1] != 1 or ym[0] % years == 0)
    ]
    labels = [f"{MONTHS[m - 1]} {y}" for y, m in (month_of_round(start, round_months, r) for r in ticks)]
    ax.set_xticks(ticks, labels)
    y, m = month_of_round(start, round_months, 1)
    ax.set_xlabel(f"month (round 1 = {MONTHS[m - 1]} {y}; each round is the state at the end of its month)")


def separate(texts: Iterable[Text], *, step: float = 2.0, tries: int = 40) -> None:
    """Move labels placed with an offset (``annotate`` in offset points) away from their marker, each in the
    direction it already lies, until no label overlaps one placed before it (from left to right)."""
    texts = list(texts)
    if not texts:
        return
    figure = texts[0].figure
    figure.draw_without_rendering()
    placed = []
    for text in sorted(texts, key=lambda t: t.get_window_extent().x0):
        x, y = text.xyann
        sign = 1 if y >= 0 else -1
        for _ in range(tries):
            box = text.get_window_extent().padded(1)
            if not any(box.overlaps(other) for other in placed):
                break
            y += sign * step
            text.xyann = (x, y)
        placed.append(text.get_window_extent())


AXIS_LABELS = {  # the shipped studies' knobs, as a reader of the figure needs them
    "initial_confidence": "starting confidence in the other side",
    "concession": "concession exponent (< 1 Boulware: concedes late; 1 linear; > 1 conceder)",
    "japan_guarantee": "weight of the no-bases guarantee to Japan",
    "russia_guarantee": "weight of the no-bases guarantee to Russia",
    "shock_round": "round of the hostile shock",
    "shock_goldstein": "severity of the shock (Goldstein: −2 criticism … −10 attack)",
    "scenario": "scenario",
    "seed": "seed",
    "scenario.shock_scale": "shock scale (weight of every event)",
}


def axis_label(key: str) -> str:
    """A swept key as an axis label: its meaning for the shipped studies, its last words otherwise."""
    return AXIS_LABELS.get(key) or " ".join(key.removeprefix("scenario.").split(".")[-2:]).replace("_", " ")


def value_text(value) -> str:
    """A swept value as a tick label: ``0.5``, ``2``, ``tokyo_2013``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def short_name(path: str) -> str:
    """A parameter's key path without the words every path shares: ``japan.leader.confidence.russia``."""
    parts = path.removeprefix("scenario.").split(".")
    return ".".join(p for p in parts if p not in ("countries", "ministries"))
