"""A sweep's standard figures, drawn from the files of its ``aggregate/`` folder and saved beside them."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.views.sweep_figures import plot_bands, plot_settlement_map, plot_time_to_settlement


def draw_sweep_plots(sweep: Path) -> list[Path]:
    """(Re)draw a sweep's standard plots from its ``aggregate/`` files; return the files written (none of the
    settlement plots if no cell ran or the scenario holds no talks; no bands if no cell ran)."""
    out = Path(sweep) / "aggregate"
    cells = pd.read_parquet(out / "cells.parquet")
    figures = {}
    if "settlement_probability" in cells.columns:  # some cell ran, with talks
        figures["settlement_probability.png"] = plot_settlement_map(cells)
        figures["time_to_settlement.png"] = plot_time_to_settlement(pd.read_parquet(out / "replicates.parquet"), cells)
    if (out / "bands.parquet").exists():
        figures["confidence_bands.png"] = plot_bands(pd.read_parquet(out / "bands.parquet"), cells)
    written = []
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=150)
        plt.close(fig)
        written.append(out / name)
    return written
