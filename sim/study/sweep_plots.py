"""A sweep's standard figures, drawn from the files of its ``aggregate/`` folder and saved beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from sim.views.style import FIGURE_DPI, Calendar
from sim.views.sweep_figures import plot_bands, plot_recovery, plot_settlement_map, plot_terms, plot_time_to_settlement


def draw_sweep_plots(sweep: Path) -> list[Path]:
    """(Re)draw a sweep's standard plots from its ``aggregate/`` files; return the files written.

    The settlement plots (probability, time to settlement, the terms settled on: ``terms_<talks>.png``) only where
    some replicate settled (a sweep where none did, or whose scenario holds no talks, has nothing to show there); the
    confidence bands if some cell ran; ``recovery.png``, the time confidence takes to recover, for the pair that
    falls most: from its scheduled shock if the scenario schedules a hostile event against it, else from its largest
    fall. Dates on the round axes where the cells' scenarios share a calendar."""
    out = Path(sweep) / "aggregate"
    cells = pd.read_parquet(out / "cells.parquet")
    bands = pd.read_parquet(out / "bands.parquet") if (out / "bands.parquet").exists() else None
    rounds = int(bands["round"].max()) if bands is not None and len(bands) else None
    calendar = sweep_calendar(Path(sweep), cells)
    figures = {}
    if "settlement_probability" in cells.columns:  # some cell ran, with talks
        replicates = pd.read_parquet(out / "replicates.parquet")
        if cells["settlement_probability"].fillna(0).gt(0).any():
            figures["settlement_probability.png"] = plot_settlement_map(cells, rounds, calendar)
            figures["time_to_settlement.png"] = plot_time_to_settlement(replicates, cells)
        for talks in sorted({c.split(".")[1] for c in cells.columns if c.startswith("modal.")}):
            if cells.filter(like=f"modal.{talks}.").notna().any().any():
                figures[f"terms_{talks}.png"] = plot_terms(cells, talks, calendar)
        figures |= _recovery(replicates, cells, calendar)
    if bands is not None:
        figures["confidence_bands.png"] = plot_bands(bands, cells, calendar)
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=FIGURE_DPI)
    return [out / name for name in figures]


def _recovery(replicates: pd.DataFrame, cells: pd.DataFrame, calendar: Calendar | None) -> dict:
    """``recovery.png`` for the pair whose confidence falls most, at its scheduled shock if it has one."""
    for measure, falls in (("shock", "shock_fall."), ("fall", "fall_size.")):
        mean = replicates.filter(like=falls).mean()
        if len(mean) and mean.notna().any():
            pair = tuple(mean.idxmax().split(".")[1:])
            return {"recovery.png": plot_recovery(replicates, cells, pair, measure, calendar)}
    return {}


def sweep_calendar(sweep: Path, cells: pd.DataFrame) -> Calendar | None:
    """The calendar the scenarios of the sweep's cells share (from each cell's ``config.yaml``), or None if they give
    no dates or differ."""
    found = set()
    for key in cells["cell"]:
        try:
            config = yaml.load((sweep / "cells" / key / "config.yaml").read_text(), Loader=yaml.CSafeLoader)
        except (OSError, yaml.YAMLError):
            continue
        scenario = config.get("scenario") if isinstance(config, dict) else None
        found.add(Calendar.of(scenario) if isinstance(scenario, dict) else None)
    return found.pop() if len(found) == 1 else None
