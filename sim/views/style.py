"""What every figure shares: names as readers see them, a colour per country, axis limits that fit the data."""

from __future__ import annotations

import numpy as np

from sim.model.result import RunResult


def display_name(name: str) -> str:
    """A name as a reader sees it: ``peace_treaty`` → ``Peace Treaty``."""
    return name.replace("_", " ").title()


def country_color(result: RunResult, country: str) -> str:
    """A country's colour in every figure of a run (meetings use the colours after the countries')."""
    return f"C{result.countries.index(country) % 10}"


def zoom(ax, values) -> None:
    """Show the range the values use, with a margin, within [0, 1]."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.05, 0.15 * (hi - lo))
    ax.set_ylim(max(0.0, lo - pad), min(1.0, hi + pad))


def short_name(path: str) -> str:
    """A parameter's key path without the words every path shares: ``japan.leader.confidence.russia``."""
    parts = path.removeprefix("scenario.").split(".")
    return ".".join(p for p in parts if p not in ("countries", "ministries"))
