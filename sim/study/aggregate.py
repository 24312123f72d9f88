"""Gathering a sweep's cells into one table, per-cell statistics and confidence bands, streaming cell by cell.

Reads ``<sweep>/cells/*/`` (each cell has already reduced its replicates: see :mod:`sim.study.cells`), writes
``<sweep>/aggregate/``:

- ``replicates.parquet``: one row per cell × replicate, with the cell's swept values as columns, its summary and the
  largest fall in each directed pair's confidence and the rounds it took to recover (failed cells: one row with their
  error);
- ``cells.parquet``: one row per cell: swept values, status, replicates, settlement probability with its Wilson 95%
  interval, median round of settlement, the most common settled terms;
- ``bands.parquet``: per cell × round × directed country pair, the median and 5–95% of confidence;
- ``sweep.json``: counts and the cells that failed.

Memory stays flat: each cell is read, reduced and appended to the Parquet writers before the next.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.io.atomic import AtomicDir
from sim.model.result import settlement_columns
from sim.study.cells import CELL_FILE, cell_status

Z95 = 1.959963984540054
ROW_GROUP = 100_000  # rows waiting before they are written as one row group…
MAX_PENDING = 64  # … or this many cells' frames


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927): good at 0 and 1 and for small n."""
    if n == 0:
        return (np.nan, np.nan)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class SweepReport:
    """What the aggregation found."""

    directory: Path
    cells: int
    complete: int
    failed: list[dict]  # {"cell", "values", "status", "error"} of every cell that did not complete

    @property
    def ok(self) -> bool:
        return not self.failed


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


def _float_values(statuses) -> set[str]:
    """Swept values given as whole numbers in some cells and decimals in others (``0, 0.5, 1``): read all as floats."""
    kinds: dict[str, set[type]] = {}
    for status in statuses:
        for k, v in status["values"].items():
            kinds.setdefault(k, set()).add(type(v))
    return {k for k, types in kinds.items() if float in types and types <= {int, float}}


def aggregate(sweep: Path) -> SweepReport:
    """Aggregate every cell under ``sweep/cells`` into ``sweep/aggregate`` (replacing an older aggregate)."""
    sweep = Path(sweep)
    statuses = {p.parent: cell_status(p.parent) for p in sorted((sweep / "cells").glob(f"*/{CELL_FILE}"))}
    statuses = {cell: status for cell, status in statuses.items() if status is not None}
    floats = _float_values(statuses.values())
    rows, failed = [], []
    with AtomicDir(sweep / "aggregate", replace=True) as partial:
        replicates, bands = _Appender(partial / "replicates.parquet"), _Appender(partial / "bands.parquet")
        for cell, status in statuses.items():
            key = cell.name
            values = {k: float(v) if k in floats else v for k, v in status["values"].items()}
            status = status | {"values": values}
            table = None
            if (cell / "replicates.parquet").exists():
                table = pd.read_parquet(cell / "replicates.parquet")
                replicates.append(table.assign(cell=key, **values))
                if (cell / "bands.parquet").exists():
                    bands.append(pd.read_parquet(cell / "bands.parquet").assign(cell=key, **values))
            else:
                replicates.append(pd.DataFrame([{"cell": key, **values, "error": status.get("error")}]))
            rows.append(_cell_row(key, status, table))
            if status["status"] != "complete":
                failed.append({"cell": key, "values": values, "status": status["status"], "error": status.get("error")})
        replicates.close()
        bands.close()
        pd.DataFrame(rows).to_parquet(partial / "cells.parquet", index=False)
        report = SweepReport(sweep / "aggregate", len(rows), sum(r["status"] == "complete" for r in rows), failed)
        summary = {"cells": report.cells, "complete": report.complete, "failed": failed}
        (partial / "sweep.json").write_text(json.dumps(summary, indent=2, default=str))
    return report
