"""Scenario discovery: the regions of a sweep's input space where an outcome holds.

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), peels a box of input ranges one small slice at a
time, keeping the slice that raises the share of hits inside it most, and so traces a trajectory from the whole space
(coverage 1, low density) to a small box that holds almost only hits (high density, lower coverage). The chosen box is
the one of highest coverage whose density reaches ``min_density``, the densest of those (no other step is both as
covering and denser); each of its restrictions comes with the p-value of the hypothesis that it does not matter (a
one-sided binomial test, as in Bryant & Lempert 2010). A CART tree (Breiman et al. 1984) over the same data is a
second view. Both come from the EMA Workbench (Kwakkel 2017), a well-kept implementation of scenario discovery
(``pip install -e '.[discover]'``).
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.io.atomic import AtomicDir
from sim.model.errors import ScenarioError, one_of
from sim.study.aggregate import GRID_FILE, checked_aggregate, read_swept
from sim.views.discovery_figures import plot_box, plot_peeling
from sim.views.style import FIGURE_DPI

MIN_SAMPLES = 20  # fewer points cannot be peeled in steps of a few per cent
DEFAULT_MIN_DENSITY = 0.8  # the chosen box holds at least this share of hits


@dataclass(frozen=True)
class Discovery:
    """What PRIM found: the peeling trajectory, the chosen box and its restrictions, and CART's leaves."""

    rule: str  # the outcome that holds, e.g. "settlement_probability ≥ 0.5"
    inputs: pd.DataFrame  # one row per sample, one column per input
    hits: np.ndarray  # whether the outcome holds at each sample
    trajectory: pd.DataFrame  # per peeling step: coverage, density, mass, restricted dimensions
    chosen: int  # the step of the chosen box
    box: pd.DataFrame  # the chosen box's restrictions: parameter, low, high, p_low, p_high
    tree: pd.DataFrame  # CART's leaves: coverage, density, mass and each input's range
    min_density: float = DEFAULT_MIN_DENSITY  # the density the chosen box was to reach

    @property
    def reached(self) -> bool:
        """Whether the chosen box reaches ``min_density`` (if no step does, it is the densest step)."""
        return bool(self.trajectory["density"].iloc[self.chosen] >= self.min_density - 1e-12)

    def summary(self) -> dict:
        """The discovery as plain values (``boxes.json``)."""
        step = self.trajectory.iloc[self.chosen]
        return {
            "rule": self.rule,
            "samples": len(self.hits),
            "hits": int(self.hits.sum()),
            "min_density": self.min_density,
            "min_density_reached": self.reached,
            "chosen": {
                "step": self.chosen,
                "coverage": float(step["coverage"]),
                "density": float(step["density"]),
                "mass": float(step["mass"]),
                "restrictions": _plain(self.box.to_dict("records")),
            },
            "trajectory": _plain(self.trajectory.to_dict("records")),
            "cart": _plain(self.tree.to_dict("records")),
        }


def _plain(records: list[dict]) -> list[dict]:
    """Records with NaN as None and NumPy numbers as Python numbers, for JSON."""
    return [
        {
            k: None if isinstance(v, float) and math.isnan(v) else getattr(v, "item", lambda v=v: v)()
            for k, v in r.items()
        }
        for r in records
    ]


def hits_of(values: pd.Series, outcome: str, threshold: float | None, below: bool) -> tuple[np.ndarray, str]:
    """Whether the outcome holds at each sample, and the rule in words: a boolean column as it is, a number against
    ``threshold`` (≥, or ≤ with ``below``)."""
    if values.dtype == bool:
        if threshold is not None:
            raise ScenarioError("threshold", threshold, f"none: {outcome!r} is true or false")
        return values.to_numpy(), outcome
    if not pd.api.types.is_numeric_dtype(values):
        raise ScenarioError("outcome", outcome, "a numeric or true/false column")
    if threshold is None:
        raise ScenarioError("threshold", None, f"a number: {outcome!r} holds where it is at least (or at most) this")
    if below:
        return (values <= threshold).to_numpy(), f"{outcome} ≤ {threshold:g}"
    return (values >= threshold).to_numpy(), f"{outcome} ≥ {threshold:g}"


def discover(
    table: pd.DataFrame,
    inputs: list[str],
    outcome: str,
    *,
    threshold: float | None = None,
    below: bool = False,
    min_density: float = DEFAULT_MIN_DENSITY,
) -> Discovery:
    """Find where ``outcome`` holds over the ``inputs`` columns of ``table`` (one row per sample).

    Rows whose outcome is missing (a failed cell) are left out. Raises :class:`ScenarioError` for an unknown outcome,
    an outcome that never or always holds, or fewer than :data:`MIN_SAMPLES` samples.
    """
    if outcome not in table.columns:
        raise ScenarioError("outcome", outcome, one_of([c for c in table.columns if c not in inputs], outcome))
    if not inputs:
        raise ScenarioError("inputs", [], "at least one swept value that varies between samples")
    rows = table[table[outcome].notna()]
    if len(rows) < MIN_SAMPLES:
        raise ScenarioError("samples", len(rows), f"at least {MIN_SAMPLES} samples with an outcome (sweep more points)")
    hits, rule = hits_of(rows[outcome], outcome, threshold, below)
    if hits.all() or not hits.any():
        raise ScenarioError(
            outcome, f"{'all' if hits.all() else 'no'} samples", f"some samples where {rule} and some not"
        )
    x = rows[inputs].reset_index(drop=True)
    x = x.astype({c: float for c in inputs if pd.api.types.is_integer_dtype(x[c])})  # PRIM's bounds fall between
    with warnings.catch_warnings():  # the workbench warns at import about optional parallel back-ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart, prim

        box = prim.Prim(x, hits, peel_alpha=0.05, mass_min=0.05).find_box()
        tree = cart.CART(x, hits, mass_min=0.05)
        tree.build_tree()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(drop=True)
    chosen = _choose(trajectory, min_density)
    return Discovery(rule, x, hits, trajectory, chosen, _restrictions(box, chosen), _leaves(tree), min_density)


def _choose(trajectory: pd.DataFrame, min_density: float) -> int:
    """The step of highest coverage whose density reaches ``min_density``, the densest of those with that coverage (a
    step that peels only misses keeps its coverage and gains density: the one before it is dominated); if no step
    reaches ``min_density``, the densest step, the most covering of those."""
    dense = trajectory[trajectory["density"] >= min_density - 1e-12]
    first, second = ("coverage", "density") if len(dense) else ("density", "coverage")
    candidates = dense if len(dense) else trajectory
    return int(candidates.sort_values([first, second], ascending=False, kind="stable").index[0])


def _restrictions(box, step: int) -> pd.DataFrame:
    """The chosen box's restricted inputs with their bounds and the p-values of each bound (NaN at the data's edge)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        limits = box.inspect(step, style="data")[0][1]
    values = limits.to_numpy()
    return pd.DataFrame(
        {
            "parameter": limits.index,
            "low": values[:, 0],
            "high": values[:, 1],
            "p_low": values[:, 2].astype(float),
            "p_high": values[:, 3].astype(float),
        }
    )


def _leaves(tree) -> pd.DataFrame:
    """CART's leaves with their statistics and each input's range."""
    stats = tree.stats_to_dataframe().reset_index(names="leaf")
    limits = tree.boxes_to_dataframe()
    ranges = {
        f"{bound}.{name}": [limits.loc[name, (leaf, bound)] for leaf in stats["leaf"]]
        for name in limits.index
        for bound in ("min", "max")
    }
    return stats.rename(columns={"res dim": "res_dim"}).assign(**ranges)


def read_sweep(sweep: Path, outcome: str) -> tuple[pd.DataFrame, list[str]]:
    """A sweep's samples with their swept values (the inputs, as ``grid.json`` records them) and the outcome: one row
    per cell from ``aggregate/cells.parquet``, or per replicate from ``aggregate/replicates.parquet`` for a
    per-replicate outcome."""
    if not (Path(sweep) / "aggregate").is_dir():
        raise ScenarioError("negsim discover", str(sweep), "a sweep folder with an aggregate (negsim sweep, then plot)")
    folder = checked_aggregate(sweep)
    inputs = read_swept(sweep)
    if inputs is None:
        raise ScenarioError(
            "negsim discover",
            str(sweep),
            "a sweep whose grid.json records its swept keys: rerun its negsim sweep command (complete cells are kept)",
            problem=f"{Path(sweep) / GRID_FILE} does not record which keys were swept",
        )
    cells = pd.read_parquet(folder / "cells.parquet")
    if outcome in cells.columns:
        return cells, inputs
    per_replicate = folder / "replicates.parquet"
    replicates = pd.read_parquet(per_replicate) if per_replicate.is_file() else pd.DataFrame()
    if outcome not in replicates.columns:
        known = sorted({*cells.columns, *replicates.columns} - {*inputs, "cell", "error", "status", "replicate"})
        raise ScenarioError("outcome", outcome, one_of(known, outcome))
    return replicates, inputs


def write_discovery(found: Discovery, out: Path) -> Path:
    """``boxes.json``, ``box.csv`` (the chosen box), ``trajectory.csv``, ``cart.csv``, ``peeling.png`` and
    ``box.png`` in ``out`` (replaced as a whole)."""
    folder = AtomicDir(out, replace=True)
    with folder as partial:
        (partial / "boxes.json").write_text(json.dumps(found.summary(), indent=2, ensure_ascii=False))
        found.box.to_csv(partial / "box.csv", index=False)
        found.trajectory.to_csv(partial / "trajectory.csv", index_label="step")
        found.tree.to_csv(partial / "cart.csv", index=False)
        for name, figure in (
            ("peeling.png", plot_peeling(found.trajectory, found.chosen, found.rule)),
            ("box.png", plot_box(found.inputs, found.hits, found.box, found.rule)),
        ):
            figure.savefig(partial / name, dpi=FIGURE_DPI)
    return folder.target
