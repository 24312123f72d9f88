"""What every figure shares: names as readers see them, a colour per country, axis limits that fit the data, font
sizes a projector shows, dates on a round axis, labels that keep out of each other's way."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.text import Text
from matplotlib.transforms import Bbox

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
MARKER_POINTS = 6  # Matplotlib's default marker size: a label kept off a marker keeps this far from its centre
FIGURE_DPI = 150  # every figure negsim saves
MAX_INCHES = (16, 24)  # and at most this wide and tall: 2,400 × 3,600 px, a 1080p projector shows it at ⅘ or more
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def readable[**P, R](draw: Callable[P, R]) -> Callable[P, R]:
    """Draw with the :data:`READABLE` sizes (a context around the figure's drawing; Matplotlib's settings are left
    as they were)."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(READABLE):
            return draw(*args, **kwargs)

    return wrapper


ACRONYMS = {"arf", "asean", "au", "eas", "eu", "g7", "g20", "nato", "nsc", "osce", "sco", "uk", "un", "us", "usa"}


def display_name(name: str) -> str:
    """A name as a reader sees it: ``peace_treaty`` → ``Peace Treaty``, ``arf_ministerial`` → ``ARF Ministerial``
    (the :data:`ACRONYMS` in capitals)."""
    return " ".join(w.upper() if w.lower() in ACRONYMS else w.title() for w in name.replace("_", " ").split(" "))


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


class Calendar(NamedTuple):
    """A scenario's calendar: round 1 is the month ``start`` ('YYYY-MM'), and each round lasts ``round_months``."""

    start: str
    round_months: int = 1

    @classmethod
    def of(cls, scenario) -> Calendar | None:
        """The calendar of a scenario (a :class:`ScenarioSpec` or its mapping), or None if it gives no dates."""
        get = scenario.get if isinstance(scenario, dict) else lambda key, default=None: getattr(scenario, key, default)
        start = get("calendar_start")
        return None if start is None else cls(str(start), int(get("round_months", 1) or 1))

    def month_of(self, r: int) -> tuple[int, int]:
        """(year, month) of round ``r``: round r ends that month."""
        year, month = map(int, self.start.split("-")[:2])
        index = year * 12 + month - 1 + (r - 1) * self.round_months
        return index // 12, index % 12 + 1

    def month(self, r: int) -> str:
        """Round ``r``'s month as a tick shows it: ``Jan 2014``."""
        year, month = self.month_of(r)
        return f"{MONTHS[month - 1]} {year}"


def date_axis(ax, calendar: Calendar, rounds: int, *, most: int = 12, edge: float = 0, label: bool = True) -> None:
    """Label a round axis of ``rounds`` with dates, as 'Jan 2014': the rounds that fall in January and July, or, to
    keep to at most ``most`` labels, every January or every few Januaries; none closer than ``edge`` (a share of the
    axis) to either end, where panels side by side would put two labels together."""
    inside = range(int(np.ceil(edge * rounds)), int(np.floor((1 - edge) * rounds)) + 1)
    halves = [r for r in inside if calendar.month_of(r)[1] in (1, 7)]
    januaries = [r for r in halves if calendar.month_of(r)[1] == 1]
    ticks = halves if len(halves) <= most else januaries[:: -(-len(januaries) // most)]
    ax.set_xticks(ticks, [calendar.month(r) for r in ticks])
    if label:
        ax.set_xlabel(date_label(calendar))


def date_label(calendar: Calendar) -> str:
    """The label of an axis of dates."""
    return f"month (round 1 = {calendar.month(1)}; each round is the state at the end of its month)"


def separate(texts: Iterable[Text], *, avoid: Iterable[tuple] = (), step: float = 2.0, tries: int = 40) -> None:
    """Move labels placed with an offset (``annotate`` in offset points) away from their marker, each in the
    direction it already lies, until no label overlaps one placed before it (from left to right) nor a marker in
    ``avoid`` (``(axes, x, y)`` of each, in data coordinates)."""
    texts = list(texts)
    if not texts:
        return
    figure = texts[0].figure
    figure.draw_without_rendering()
    half = MARKER_POINTS / 2 * figure.dpi / 72
    placed = [marker_box(ax, x, y, half) for ax, x, y in avoid]
    for text in sorted(texts, key=lambda t: Text.get_window_extent(t).x0):  # the text's own box, not its leader
        x, y = text.xyann
        sign = 1 if y >= 0 else -1
        for _ in range(tries):
            box = Text.get_window_extent(text).padded(1)
            if not any(box.overlaps(other) for other in placed):
                break
            y += sign * step
            text.xyann = (x, y)
        placed.append(Text.get_window_extent(text))


def marker_box(ax, x: float, y: float, half: float) -> Bbox:
    """The box, in display coordinates, of a marker ``half`` pixels wide either side of ``(x, y)`` in ``ax``'s data."""
    cx, cy = ax.transData.transform((x, y))
    return Bbox.from_extents(cx - half, cy - half, cx + half, cy + half)


AXIS_LABELS = {  # the shipped studies' knobs, as a reader of the figure needs them
    "initial_confidence": "starting confidence in the other side",
    "concession": "concession exponent (< 1 Boulware, > 1 conceder)",
    "japan_guarantee": "weight of the no-bases guarantee to Japan",
    "russia_guarantee": "weight of the no-bases guarantee to Russia",
    "shock_round": "round of the hostile shock",
    "shock_goldstein": "severity of the shock (Goldstein: −2 criticism … −10 attack)",
    "scenario": "scenario",
    "seed": "seed",
    "scenario.shock_scale": "shock scale (weight of every event)",
}


ROUND_KEYS = {"shock_round"}  # swept values that are rounds: shown with their month where the scenario has dates


def axis_label(key: str) -> str:
    """A swept key as an axis label: its meaning for the shipped studies, its last words otherwise."""
    return AXIS_LABELS.get(key) or " ".join(key.removeprefix("scenario.").split(".")[-2:]).replace("_", " ")


def wrap(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters (longer words alone), breaking only outside parentheses: a
    parenthesis is moved to a line of its own rather than cut."""
    parts = re.findall(r"\S*\([^()]*\)\S*|\S+", text)
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += " " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def value_text(value, key: str = "", calendar: Calendar | None = None) -> str:
    """A swept value as a tick label: ``0.5``, ``2``, ``tokyo_2013``; a round (``shock_round``) with its month
    where the scenario has dates: ``6\nApr 2014``."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if calendar and key in ROUND_KEYS and float(value).is_integer():
        return f"{text}\n{calendar.month(int(value))}"
    return text


def short_name(path: str) -> str:
    """A parameter's key path without the words every path shares: ``japan.leader.confidence.russia``."""
    parts = path.removeprefix("scenario.").split(".")
    return ".".join(p for p in parts if p not in ("countries", "ministries"))
