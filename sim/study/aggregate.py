"""Gathering a sweep's cells into one table, per-cell statistics and confidence bands, streaming cell by cell.

A sweep's *grid* is the list of cells its command asked for (``<sweep>/grid.json``, written by :func:`write_grid`);
the aggregate holds exactly those cells, never others lying in the folder (another command's, an older model's).
Reads ``<sweep>/cells/<hash>/`` of each (each cell has already reduced its replicates: see
:mod:`sim.study.cells`), writes ``<sweep>/aggregate/``:

- ``replicates.parquet``: one row per cell × replicate, with the cell's swept values as columns, its summary and the
  largest fall in each directed pair's confidence and the rounds it took to recover (failed cells: one row with their
  error);
- ``cells.parquet``: one row per cell: swept values, status, replicates, settlement probability with its Wilson 95%
  interval, median round of settlement, the most common settled terms;
- ``bands.parquet``: per cell × round × directed country pair, the median and 5–95% of confidence;
- ``sweep.json``: counts, the model versions of the cells and the cells that failed (a cell folder that is not whole
  as its manifest says, a file lost or damaged since it was written, is a failed cell, named with the file);
- ``manifest.json``: the aggregate's own files as written (:mod:`sim.io.atomic`), checked before it is read again.

A damaged ``grid.json`` or ``aggregate/`` is a :class:`~sim.model.errors.ScenarioError` naming the file and what to
do (rerun the sweep; delete the aggregate and rerun ``negsim plot``).

Columns ``cell_seed`` (the cell's ``seed``) and ``replicate_seed`` (the seed that reproduces a replicate alone with
``negsim run seed=…``) are unsigned 64-bit integers.

Memory stays flat: each cell is read, reduced and appended to the Parquet writers before the next.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.io.atomic import AtomicDir, manifest_problem
from sim.io.files import read_record
from sim.model.errors import ScenarioError
from sim.model.record.result import settlement_columns
from sim.study.cells import IncompleteCell, cell_status, read_cell

GRID_FILE = "grid.json"

Z95 = 1.959963984540054
ROW_GROUP = 100_000  # rows waiting before they are written as one row group…
MAX_PENDING = 64  # … or this many cells' frames


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927): good at 0 and 1 and for small n. Its bound at
    0 successes is exactly 0 (and at n exactly 1), where the formula leaves a rounding error (1.7e-18)."""
    if n == 0:
        return (np.nan, np.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, float(centre - half))
    return (low, 1.0 if successes == n else min(1.0, float(centre + half)))


@dataclass(frozen=True)
class SweepReport:
    """What the aggregation found."""

    directory: Path
    cells: int
    complete: int
    failed: list[dict]  # {"cell", "values", "status", "error"} of every cell that did not complete
    model_versions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @classmethod
    def read(cls, sweep: Path) -> SweepReport:
        """The report of the aggregate written under ``sweep/aggregate``, once its files are checked against its
        manifest; a :class:`ScenarioError` naming a missing or damaged file and what to do."""
        directory = checked_aggregate(sweep)
        keys = {"cells": int, "complete": int, "failed": list, "model_versions": list}
        summary = read_record(directory / "sweep.json", keys, f"rerun negsim plot {sweep} to rebuild it")
        return cls(directory, summary["cells"], summary["complete"], summary["failed"], summary["model_versions"])


def checked_aggregate(sweep: Path) -> Path:
    """``sweep/aggregate``, once every file its manifest lists is found there as written; a :class:`ScenarioError`
    naming a missing or damaged file and what to do otherwise."""
    directory = Path(sweep) / "aggregate"
    fault = manifest_problem(directory)
    if fault is not None:
        rebuild = f"an aggregate as negsim writes it: delete {directory} and rerun negsim plot {sweep} to rebuild it"
        raise ScenarioError(str(fault[0]), None, rebuild, problem=fault[1])
    return directory


class _Appender:
    """Appends DataFrames to one Parquet file, aligned to the first one's columns.

    Frames are held as Arrow tables and written together once :data:`ROW_GROUP` rows or :data:`MAX_PENDING` frames
    are waiting: memory stays bounded by that buffer, and the file's footer does not grow by a row group per cell.
    """

    def __init__(self, path: Path):
        self.path, self.columns, self.schema, self.writer = path, None, None, None
        self.pending: list[pa.Table] = []

    def append(self, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        if self.columns is None:
            self.columns = list(frame.columns)
            first = pa.Table.from_pandas(frame, preserve_index=False)
            # A column that is all missing in the first cell (errors, say) is text in the others.
            self.schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in first.schema])
        table = pa.Table.from_pandas(frame.reindex(columns=self.columns), schema=self.schema, preserve_index=False)
        self.pending.append(table)
        if sum(t.num_rows for t in self.pending) >= ROW_GROUP or len(self.pending) >= MAX_PENDING:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(pa.concat_tables(self.pending))
        self.pending = []

    def close(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()


def _cell_row(key: str, status: dict, table: pd.DataFrame | None) -> dict:
    row = {"cell": key, **status["values"], "status": status["status"], "error": status.get("error")}
    row |= {"cell_seed": status.get("cell_seed"), "model_version": status.get("model_version")}
    row["replicates"] = status.get("replicates", 0)
    row["seconds"] = status.get("seconds", 0.0)
    if table is None:
        return row
    ok = table[table["error"].isna()]
    settled, when = settlement_columns(ok)
    if settled is not None:
        hits, n = int(ok[settled].sum()), len(ok)
        low, high = wilson_interval(hits, n)
        row |= {"settlement_probability": hits / n if n else np.nan, "ci_low": low, "ci_high": high}
        row["median_settled_round"] = float(ok.loc[ok[settled], when].median()) if hits else np.nan
        row |= _modal_terms(ok, settled)
    return row


def _modal_terms(ok: pd.DataFrame, settled: str) -> dict:
    """The most common settled option on each dimension, and the share of settlements that chose it."""
    talks = settled.removesuffix(".settled")
    deals = ok[ok[settled]]
    dims = [
        c
        for c in ok.columns
        if c.startswith(talks + ".") and c not in (settled, f"{talks}.settled_round", f"{talks}.sessions")
    ]
    out = {}
    for dim in dims:
        counts = deals[dim].value_counts()
        out[f"modal.{dim}"] = counts.index[0] if len(counts) else None
        out[f"modal_share.{dim}"] = counts.iloc[0] / len(deals) if len(counts) else np.nan
    return out


@dataclass(frozen=True)
class GridCell:
    """One cell a sweep asked for: its folder under ``cells/`` and the swept values that identify it."""

    cell: str
    values: Mapping = field(default_factory=dict)


def write_grid(
    sweep: Path, cells: Sequence[GridCell], swept: Sequence[str] | None = None, sampled: bool = False
) -> Path:
    """Record the cells a sweep asked for in ``sweep/grid.json`` (replaced whole, never half-written), the keys it
    swept (a grid's and a design's: the inputs of :mod:`sim.study.discovery`) when known, and whether a sampled
    design chose its cells."""
    path = Path(sweep) / GRID_FILE
    partial = path.with_name(f".{GRID_FILE}.partial-{os.getpid()}")
    record = {"cells": [{"cell": c.cell, "values": dict(c.values)} for c in cells], "sampled": sampled}
    partial.write_text(json.dumps(record | ({} if swept is None else {"swept": list(swept)}), indent=2))
    partial.replace(path)
    return path


def _grid_record(sweep: Path) -> dict:
    """``sweep/grid.json`` as written by :func:`write_grid`; a :class:`ScenarioError` naming it and what to do if
    there is none, or it is unreadable or damaged."""
    path, rebuild = Path(sweep) / GRID_FILE, "rerun the sweep's command to rebuild it (complete cells are kept)"
    record = read_record(path, {"cells": list}, rebuild)
    cells, swept = record["cells"], record.get("swept")
    whole = all(
        isinstance(c, dict) and isinstance(c.get("cell"), str) and isinstance(c.get("values"), dict) for c in cells
    )
    if not whole or not (swept is None or (isinstance(swept, list) and all(isinstance(k, str) for k in swept))):
        problem = "damaged (a cell without its folder's name or values, or swept keys that are not names)"
        raise ScenarioError(str(path), None, f"the file as negsim writes it: {rebuild}", problem=problem)
    return record


def read_grid(sweep: Path) -> list[GridCell]:
    """The cells recorded in ``sweep/grid.json`` (a :class:`ScenarioError` if there is none, or it is damaged)."""
    return [GridCell(c["cell"], c["values"]) for c in _grid_record(sweep)["cells"]]


def read_swept(sweep: Path) -> list[str] | None:
    """The keys a sweep swept, as ``sweep/grid.json`` records them (None if it does not: a sweep run from Python, or
    by an older negsim; a :class:`ScenarioError` if there is no readable grid)."""
    return _grid_record(sweep).get("swept")


def read_sampled(sweep: Path) -> bool:
    """Whether a sampled design chose the sweep's cells, as ``sweep/grid.json`` records it (a
    :class:`ScenarioError` if there is no readable grid)."""
    return _grid_record(sweep).get("sampled") is True


def _every_cell(sweep: Path) -> list[GridCell]:
    """Every cell folder under ``sweep/cells`` (for sweeps run from Python, which record no grid)."""
    folders = sorted(p for p in (sweep / "cells").glob("*") if p.is_dir() and not p.name.startswith("."))
    return [GridCell(p.name, (cell_status(p) or {}).get("values", {})) for p in folders]


def _status(sweep: Path, cell: GridCell) -> dict:
    """A cell's ``cell.json`` with the grid's values, or a failed status naming the file missing or damaged."""
    try:
        return read_cell(sweep / "cells" / cell.cell) | {"values": cell.values}
    except IncompleteCell as error:
        return {"values": cell.values, "status": "failed", "error": str(error)}


def _value_kinds(statuses: Sequence[dict]) -> dict[str, type]:
    """The type of each swept value's column: ``int``, ``float`` (whole numbers and decimals mixed: ``0, 0.5, 1``),
    or ``str`` for anything else (scenario names, booleans, values of several kinds)."""
    kinds: dict[str, set[type]] = {}
    for status in statuses:
        for k, v in status["values"].items():
            kinds.setdefault(k, set()).add(type(v))
    out = {}
    for k, types in kinds.items():
        numbers = types - {type(None)}
        out[k] = int if numbers == {int} else float if numbers <= {int, float} else str
    return out


def _cast(values: Mapping, kinds: Mapping[str, type]) -> dict:
    return {k: None if values.get(k) is None else kind(values[k]) for k, kind in kinds.items()}


def aggregate(sweep: Path, cells: Sequence[GridCell] | None = None) -> SweepReport:
    """Aggregate exactly ``cells`` of ``sweep/cells`` into ``sweep/aggregate`` (replacing an older aggregate).

    ``cells`` defaults to the grid recorded in ``sweep/grid.json``, or, for a folder of cells run from Python without
    a grid, every cell in it. A cell listed twice is aggregated once.
    """
    sweep = Path(sweep)
    if cells is None:
        cells = read_grid(sweep) if (sweep / GRID_FILE).exists() else _every_cell(sweep)
    unique = list({c.cell: c for c in reversed(cells)}.values())[::-1]  # first occurrence of each, in order
    statuses = {c.cell: _status(sweep, c) for c in unique}
    kinds = _value_kinds(list(statuses.values()))
    rows, failed, missing = [], [], []
    with AtomicDir(sweep / "aggregate", replace=True, manifest=True) as partial:
        replicates, bands = _Appender(partial / "replicates.parquet"), _Appender(partial / "bands.parquet")
        for key, status in statuses.items():
            folder = sweep / "cells" / key
            values = _cast(status["values"], kinds)
            status = status | {"values": values}
            table = None
            if status["status"] != "failed":  # its files are there as written (read_cell)
                table = pd.read_parquet(folder / "replicates.parquet")
                replicates.append(table.assign(cell=key, **values))
                if (folder / "bands.parquet").exists():
                    bands.append(pd.read_parquet(folder / "bands.parquet").assign(cell=key, **values))
            else:
                missing.append(
                    {"cell": key, **values, "cell_seed": status.get("cell_seed"), "error": status.get("error")}
                )
            rows.append(_cell_row(key, status, table))
            if status["status"] != "complete":
                failed.append({"cell": key, "values": values, "status": status["status"], "error": status.get("error")})
        if missing:  # after the complete cells, whose columns the file takes
            frame = pd.DataFrame(missing)
            frame["cell_seed"] = pd.array([_uint64(s) for s in frame["cell_seed"]], dtype="UInt64")
            replicates.append(frame)
        replicates.close()
        bands.close()
        table = pd.DataFrame(rows)
        table["cell_seed"] = pd.array([_uint64(s) for s in table["cell_seed"]], dtype="UInt64")
        table.to_parquet(partial / "cells.parquet", index=False)
        versions = sorted({str(r["model_version"]) for r in rows if r["model_version"]})
        report = SweepReport(
            sweep / "aggregate", len(rows), sum(r["status"] == "complete" for r in rows), failed, versions
        )
        summary = {"cells": report.cells, "complete": report.complete, "model_versions": versions, "failed": failed}
        (partial / "sweep.json").write_text(json.dumps(summary, indent=2, default=str))
    return report


def _uint64(seed: object) -> int | None:
    """A cell's seed as it fits the ``cell_seed`` column, or None (a failed cell's seed may be anything)."""
    return seed if isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed < 2**64 else None
