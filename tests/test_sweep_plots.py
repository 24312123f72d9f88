"""Every standard plot draws from any aggregate: probabilities 0 and 1, one cell, no swept value or several, values
that are names or of mixed kinds, cells where no replicate settled, cells that failed; a sweep where no replicate
settled draws no settlement plot."""

from __future__ import annotations

import tempfile
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.study.aggregate import wilson_interval
from sim.study.sweep_plots import draw_sweep_plots

KINDS = {
    "int": st.integers(-3, 3),
    "float": st.floats(0, 1, allow_nan=False).map(lambda v: round(v, 2)),
    "name": st.sampled_from(["tokyo_2013", "shared_threat", "synthetic"]),
    "mixed": st.one_of(st.integers(0, 2), st.sampled_from(["a", "b"])),
}


@st.composite
def aggregates(draw):
    """The three tables of an aggregate, as :func:`sim.study.aggregate.aggregate` writes them."""
    kinds = draw(st.lists(st.sampled_from(sorted(KINDS)), max_size=3))
    columns = [f"x{k}" for k in range(len(kinds))]
    cells, replicates, bands = [], [], []
    for c in range(draw(st.integers(1, 6))):
        key = f"cell{c}"
        values = {name: draw(KINDS[kind]) for name, kind in zip(columns, kinds, strict=True)}
        status = draw(st.sampled_from(["complete", "complete", "partial", "failed"]))
        row = {"cell": key, **values, "status": status, "error": None, "replicates": 0, "seconds": 0.0}
        if status == "failed":
            cells.append(row | {"settlement_probability": np.nan, "ci_low": np.nan, "ci_high": np.nan})
            continue
        settled = draw(st.lists(st.booleans(), min_size=1, max_size=6))
        hits, n = sum(settled), len(settled)
        low, high = wilson_interval(hits, n)
        rounds = [draw(st.integers(1, 30)) if s else np.nan for s in settled]
        row |= {"settlement_probability": hits / n, "ci_low": low, "ci_high": high, "replicates": n}
        cells.append(row | {"median_settled_round": float(np.nanmedian(rounds)) if hits else np.nan})
        for r, (s, when) in enumerate(zip(settled, rounds, strict=True)):
            replicates.append({"cell": key, **values, "replicate": r, "talks.settled": s, "talks.settled_round": when})
        for t in range(draw(st.integers(1, 4))):
            for a, b in (("east", "west"), ("west", "east")):
                q = sorted(draw(st.lists(st.floats(0, 1, allow_nan=False), min_size=3, max_size=3)))
                bands.append({"cell": key, **values, "round": t, "country": a, "counterpart": b})
                bands[-1] |= dict(zip(("q05", "median", "q95"), q, strict=True))
    return pd.DataFrame(cells), pd.DataFrame(replicates), pd.DataFrame(bands)


def _as_stored(frame: pd.DataFrame) -> pd.DataFrame:
    """A column of mixed kinds is stored as text, as the aggregate does."""
    return frame.apply(lambda c: c.astype(str) if c.map(type).nunique() > 1 and c.dtype == object else c)


@pytest.fixture(autouse=True, scope="module")
def agg_backend():
    previous = matplotlib.get_backend()
    matplotlib.use("Agg")
    yield
    matplotlib.use(previous)


@given(aggregates())
def test_every_standard_plot_draws_from_any_aggregate(tables):
    cells, replicates, bands = (_as_stored(t) for t in tables)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "aggregate"
        out.mkdir()
        cells.to_parquet(out / "cells.parquet", index=False)
        replicates.reindex(columns=["cell", "replicate", "talks.settled", "talks.settled_round"]).to_parquet(
            out / "replicates.parquet", index=False
        )
        if len(bands):
            bands.to_parquet(out / "bands.parquet", index=False)
        written = draw_sweep_plots(Path(tmp))
        settled = cells["settlement_probability"].fillna(0).gt(0).any()  # none settled: nothing to show there
        expected = ({"settlement_probability.png", "time_to_settlement.png"} if settled else set()) | (
            {"confidence_bands.png"} if len(bands) else set()
        )
        assert {p.name for p in written} == expected
        assert all(p.stat().st_size > 0 for p in written)
