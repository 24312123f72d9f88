"""A sweep's standard figures, drawn from the files of its ``aggregate/`` folder and saved beside them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.views.sweep_figures import plot_bands, plot_recovery, plot_settlement_map, plot_terms, plot_time_to_settlement


def draw_sweep_plots(sweep: Path) -> list[Path]:
    """(Re)draw a sweep's standard plots from its ``aggregate/`` files; return the files written (none of the
    settlement plots if no cell ran or the scenario holds no talks; no bands if no cell ran). Beside them: the terms
    settled on (``terms_<talks>.png``, if any cell settled) and the time to recover from the largest fall in
    confidence of the pair that fell most (``recovery.png``)."""
    out = Path(sweep) / "aggregate"
    cells = pd.read_parquet(out / "cells.parquet")
    bands = pd.read_parquet(out / "bands.parquet") if (out / "bands.parquet").exists() else None
    rounds = int(bands["round"].max()) if bands is not None and len(bands) else None
    figures = {}
    if "settlement_probability" in cells.columns:  # some cell ran, with talks
        replicates = pd.read_parquet(out / "replicates.parquet")
        figures["settlement_probability.png"] = plot_settlement_map(cells, rounds)
        figures["time_to_settlement.png"] = plot_time_to_settlement(replicates, cells)
        for talks in sorted({c.split(".")[1] for c in cells.columns if c.startswith("modal.")}):
            if cells.filter(like=f"modal.{talks}.").notna().any().any():
                figures[f"terms_{talks}.png"] = plot_terms(cells, talks)
        falls = replicates.filter(like="fall_size.").mean()
        if len(falls) and falls.notna().any():
            pair = tuple(falls.idxmax().split(".")[1:])
            figures["recovery.png"] = plot_recovery(replicates, cells, pair)
    if bands is not None:
        figures["confidence_bands.png"] = plot_bands(bands, cells)
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=150)
    return [out / name for name in figures]
