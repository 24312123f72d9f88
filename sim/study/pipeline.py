"""Cells started and finished: a cell's batches handed to the executor at once (:func:`start_cell`), the cell
written atomically when they are done (:meth:`PendingCell.finish`), and a :class:`CellPipeline` that keeps the next
cell's batches queued while the previous one is written (and while Hydra sets up the next job), so that the workers
never wait for the parent. Rerunning a sweep skips the cells already complete and redoes only those that failed,
were interrupted, or lost or damaged a file since (a cell is complete only as its manifest says).

No Hydra here: :mod:`sim.cli.hydra_apps` turns each Hydra job into a call of :func:`start_cell`.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from tqdm.auto import tqdm

from sim.io.atomic import AtomicDir
from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.plan.batch import batch_values
from sim.study import ensemble
from sim.study.cells import (
    CELL_FILE,
    DEFAULT_CHUNK,
    CellOutcome,
    CellSpec,
    batch_size,
    cell_status,
    config_hash,
    scenario_of,
    write_part,
)
from sim.study.executor import Executor, _Later, chunk_result
from sim.study.limits import check_seed
from sim.study.version import model_version


def _yaml(config: Mapping) -> str:
    return yaml.dump(dict(config), Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)


def _write_files(folder: AtomicDir, files: Mapping[str, object]) -> None:
    """Write ``files`` into ``folder`` and put it in place of any older cell, with its manifest (written last: the
    cell is complete only if every file it lists is there as written); on any failure, leave nothing.

    A file's content is a DataFrame (Parquet), a text, or a function giving the text when its turn comes.
    """
    with folder as partial:
        for name, content in files.items():
            path = partial / name
            if isinstance(content, pd.DataFrame):
                content.to_parquet(path, index=False)
            else:
                path.write_text(content() if callable(content) else content)


@dataclass
class PendingCell:
    """A cell whose batches have been handed to the workers; :meth:`finish` waits for them and writes the cell.

    A cell that needs no work (complete already, or with bad settings) is pending with its ``outcome`` known.
    """

    directory: Path
    config: Mapping
    values: Mapping
    outcome: CellOutcome | None = None
    replicates: int = 0
    batches: list[tuple[int, list[int], Future | _Later]] = field(default_factory=list)
    folder: AtomicDir | None = None  # the cell's temporary folder, into which the workers write
    started: float = 0.0  # perf_counter
    wall_start: float = 0.0  # time.time

    @property
    def in_background(self) -> bool:
        """Whether its batches run outside this process (rather than when :meth:`finish` asks for them)."""
        return any(isinstance(future, Future) for *_, future in self.batches)

    def abort(self) -> None:
        """Drop the cell's temporary folder (its batches are the executor's to stop)."""
        if self.folder is not None:
            self.folder.abort()

    def finish(self, progress: bool = True) -> CellOutcome:
        """Wait for the cell's batches, then write its files under a temporary name and rename them into place:
        ``replicates.parquet`` (per-replicate summaries and recovery, with ``cell_seed`` and ``replicate_seed``),
        ``confidence.parquet/`` (per round), ``bands.parquet`` (quantiles over replicates), ``config.yaml`` and
        ``cell.json`` (status, model version, timing, and the whole error of any failed batch)."""
        if self.outcome is not None:
            return self.outcome
        parts = self.folder.path / "confidence.parquet"
        summaries, pairs = [], []
        bar = tqdm(
            total=self.replicates, desc=f"cell {self.directory.name[:8]}", unit="rep", disable=not progress, leave=False
        )
        try:
            for start, seeds, future in self.batches:
                chunk = chunk_result(future, start, seeds)
                summaries.append(chunk.summaries)
                pairs = chunk.pairs or pairs
                if chunk.rows is not None:
                    write_part(chunk.rows, chunk.cube, parts, start)
                bar.update(len(seeds))
        except BaseException:
            self.folder.abort()
            raise
        finally:
            bar.close()
        if not any(parts.iterdir()):  # every batch failed
            parts.rmdir()
        table = pd.concat(summaries, ignore_index=True)
        table.insert(1, "cell_seed", np.uint64(self.config["seed"]))
        failed = int(table["error"].notna().sum())
        status = "complete" if failed == 0 else ("failed" if failed == self.replicates else "partial")
        errors = sorted(set(table["error"].dropna()))
        record = _record(self.directory.name, self.values, status, self.config["seed"])
        record |= {"replicates": self.replicates, "failed": failed, "error": "\n\n".join(errors) if errors else None}

        def finished() -> str:  # written last, so that the cell's time includes writing its tables
            seconds = time.perf_counter() - self.started
            record.update(seconds=seconds, started=self.wall_start, finished=self.wall_start + seconds)
            return json.dumps(record, indent=2)

        files = {"replicates.parquet": table}
        cubes = sorted(self.folder.path.glob("cube-*.npy"))
        if cubes:
            files["bands.parquet"] = ensemble.bands([np.load(c, mmap_mode="r") for c in cubes], pairs)
            for c in cubes:
                c.unlink()
        files |= {"config.yaml": _yaml(self.config), CELL_FILE: finished}
        _write_files(self.folder, files)
        self.outcome = CellOutcome(
            self.directory, status, self.replicates, failed, record["seconds"], record["error"], self.values
        )
        return self.outcome


def _record(key: str, values: Mapping, status: str, seed: object) -> dict:
    """The first fields of a ``cell.json``."""
    return {"hash": key, "model_version": model_version(), "values": dict(values), "status": status, "cell_seed": seed}


def failed_cell(directory: Path, config: Mapping, values: Mapping, error: str, started: float) -> PendingCell:
    """Record a cell that cannot run (bad settings, a config that does not resolve) with its error, and return it."""
    status = _record(directory.name, values, "failed", config.get("seed")) | {"replicates": 0, "failed": 0}
    status |= {"seconds": 0.0, "error": error}
    files = {CELL_FILE: json.dumps(status, indent=2, default=str), "config.yaml": _yaml(config)}
    _write_files(AtomicDir(directory, replace=True, manifest=True), files)
    outcome = CellOutcome(directory, "failed", 0, 0, time.perf_counter() - started, error, dict(values))
    return PendingCell(directory, config, dict(values), outcome)


def start_cell(
    config: Mapping,
    root: Path,
    *,
    executor: Executor | None = None,
    chunk: int = DEFAULT_CHUNK,
    values: Mapping | None = None,
) -> PendingCell:
    """Hand the cell of a resolved ``config`` to ``executor`` (in this process by default) and return at once,
    unless a complete run of it is already under ``root/<hash>/`` (every file its manifest lists there as written) or
    its settings are bad.

    ``config`` needs ``scenario``, ``seed``, ``replicates`` and ``rounds``, and may hold ``points`` (values at the
    scenario's key paths, each run with every replicate seed: :mod:`sim.study.cells`); ``values`` are the swept values
    that identify the cell in the aggregate (they are written beside its results).
    """
    key = config_hash(config)
    directory = Path(root) / key
    values = dict(values or {})
    done = cell_status(directory)
    if done is not None and done["status"] == "complete" and done["hash"] == key:
        skipped = CellOutcome(directory, "skipped", done["replicates"], 0, 0.0, None, values)
        return PendingCell(directory, config, values, skipped)
    started, wall_start = time.perf_counter(), time.time()
    try:
        data = schema.mapping(config.get("scenario"), "scenario")
        text = json.dumps(data, default=str)  # in its order (see config_hash)
        countries = len(scenario_of(text).countries)  # the scenario is checked before any work
        rounds = schema.integer(config.get("rounds"), "rounds", 1)
        points = tuple(schema.mapping(p, f"points[{k}]") for k, p in enumerate(config.get("points") or ()))
        if points:
            batch_values(data, points)  # the points are checked before any work
        spec = CellSpec(
            scenario=data,
            seed=check_seed(config.get("seed")),
            replicates=schema.integer(config.get("replicates"), "replicates", 1),
            rounds=rounds,
            chunk=batch_size(schema.integer(chunk, "sweep.chunk", 1), countries * (countries - 1), rounds),
            points=points,
        )
    except ScenarioError as error:
        return failed_cell(directory, config, values, str(error), started)
    executor = executor or Executor()
    folder = AtomicDir(directory, replace=True, manifest=True)
    parts = folder.path / "confidence.parquet"  # a Parquet dataset: one file per batch
    parts.mkdir()
    local = None if executor.backend == "ray" else str(parts)  # Ray workers may not see this disk: they send rows
    batches = [
        (
            start,
            seeds,
            executor.submit(
                text, start, seeds, spec.rounds, local, None if which is None else (which, list(spec.points))
            ),
        )
        for start, seeds, which in spec.chunks()
    ]
    return PendingCell(directory, config, values, None, spec.total, batches, folder, started, wall_start)


def run_cell(
    config: Mapping,
    root: Path,
    *,
    executor: Executor | None = None,
    chunk: int = DEFAULT_CHUNK,
    values: Mapping | None = None,
    progress: bool = True,
) -> CellOutcome:
    """Run the cell of a resolved ``config`` into ``root/<hash>/`` (see :func:`start_cell`) and wait for it."""
    return start_cell(config, root, executor=executor, chunk=chunk, values=values).finish(progress)


class CellPipeline:
    """Cells started ahead of the one being finished.

    When a cell's batches run outside this process, up to ``ahead`` newer cells are queued before the oldest one is
    finished, so the workers go from one cell to the next without waiting for the parent to write a cell or to
    prepare the next one. A cell run in this process is finished as soon as it is added.
    """

    def __init__(self, ahead: int = 1, progress: bool = True):
        self.ahead, self.progress = ahead, progress
        self.pending: deque[PendingCell] = deque()

    def add(self, cell: PendingCell) -> list[CellOutcome]:
        """Queue ``cell``; return the outcomes of the cells finished meanwhile (oldest first)."""
        self.pending.append(cell)
        keep = self.ahead if cell.in_background else 0
        finished = []
        while len(self.pending) > keep:
            finished.append(self.pending.popleft().finish(self.progress))
        return finished

    def drain(self) -> list[CellOutcome]:
        """Finish every queued cell."""
        finished = [cell.finish(self.progress) for cell in self.pending]
        self.pending.clear()
        return finished

    def abort(self) -> None:
        """Drop every queued cell's temporary folder (after an interruption: their batches are the executor's to stop,
        first)."""
        for cell in self.pending:
            cell.abort()
        self.pending.clear()
