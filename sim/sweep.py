"""Sweep cells: one scenario configuration run as an ensemble of replicates, written atomically, resumable.

A *cell* is one point of a sweep: a resolved config (scenario, seed, replicates, rounds). Its replicates' seeds are
spawned from the cell's seed; they run in vectorised batches (chunks), serially, over local processes or on a Ray
cluster, and give the same tables whichever way. A cell's directory is named by the hash of its resolved config, so
rerunning a sweep skips the cells already complete and redoes only those that failed or were interrupted.

:func:`start_cell` hands a cell's batches to the workers and returns at once; :meth:`PendingCell.finish` waits for
them and writes the cell. A :class:`CellPipeline` keeps the next cell's batches queued while the previous one is
finished (and while Hydra sets up the next job), so that the workers never wait for the parent.

No Hydra here: :mod:`sim.apps` turns each Hydra job into a call of :func:`run_cell`.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
import traceback
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import yaml
from tqdm.auto import tqdm

from sim import ensemble, schema
from sim.errors import ScenarioError
from sim.library import load_scenario
from sim.recording import seed_column
from sim.run import replicate_seeds, simulate_ensemble
from sim.scenario import Scenario

CELL_FILE = "cell.json"
BACKENDS = ("processes", "ray")
DEFAULT_CHUNK = 1000  # replicates per batch: larger batches amortise the per-round array calls
MAX_BATCH_ROWS = 4_000_000  # confidence rows (replicates × rounds × directed pairs) a batch holds: ~250 MB at peak


def config_hash(config: Mapping) -> str:
    """A short stable hash of a resolved config: the identity of a cell."""
    text = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CellSpec:
    """What a cell runs: the checked run settings and the scenario as a plain mapping."""

    scenario: Mapping
    seed: int
    replicates: int
    rounds: int
    chunk: int  # replicates per vectorised batch

    def chunks(self) -> Iterator[tuple[int, list[int]]]:
        """(first replicate, seeds) of each batch."""
        seeds = replicate_seeds(self.seed, self.replicates)
        for start in range(0, self.replicates, self.chunk):
            yield start, seeds[start : start + self.chunk]


@dataclass(frozen=True)
class CellOutcome:
    """How a cell ended: ``complete`` (all replicates ran), ``partial`` (some failed), ``failed``, or ``skipped``."""

    directory: Path
    status: str
    replicates: int
    failed: int
    seconds: float
    error: str | None = None
    values: Mapping = field(default_factory=dict)  # the swept values that identify the cell


@lru_cache(maxsize=8)
def _scenario(text: str) -> Scenario:
    return load_scenario(json.loads(text))


class Chunk(NamedTuple):
    """One batch's results: per-replicate summaries (with recovery from the largest fall), and, unless the worker
    wrote them to the cell's directory itself, its confidence rows and its confidence cube (replicates × rounds ×
    directed pairs, for the cell's bands)."""

    summaries: pd.DataFrame
    pairs: list[tuple[str, str]]
    rows: pd.DataFrame | None
    cube: np.ndarray | None


def run_chunk(scenario_json: str, start: int, seeds: list[int], rounds: int, parts: str | None = None) -> Chunk:
    """Run one batch of replicates, numbered from ``start``.

    With ``parts`` (a directory this process can write), the confidence rows are written there as this batch's part
    of the cell's Parquet dataset, and its cube beside it (``cube-*.npy``), in parallel with the other batches, and
    not sent back.
    """
    result = simulate_ensemble(_scenario(scenario_json), seeds, rounds=rounds, ministry_every=0)
    cube, pairs = result.confidence_cube, result.country_pairs
    summaries = pd.concat([result.replicate_summaries, ensemble.recovery(cube, pairs)], axis=1)
    summaries = summaries.assign(replicate=lambda d: d["replicate"] + start, error=None)
    rows = result.country_confidence.assign(replicate=lambda d: d["replicate"] + start)
    for name in ("country", "counterpart"):  # few names, many rows: cheaper to send and to store
        rows[name] = rows[name].astype("category")
    if parts is None:
        return Chunk(summaries, pairs, rows, cube)
    write_part(rows, cube, Path(parts), start)
    return Chunk(summaries, pairs, None, None)


def write_part(confidence: pd.DataFrame, cube: np.ndarray, parts: Path, start: int) -> None:
    """One batch's rows of a cell's confidence dataset, and its cube beside the dataset (read back memory-mapped for
    the cell's bands, then deleted). Parts are named so that reading them in order of name gives replicate, round,
    pair order."""
    confidence.to_parquet(parts / f"part-{start:09d}.parquet", index=False)
    np.save(parts.parent / f"cube-{start:09d}.npy", cube)


def _failed_chunk(start: int, seeds: list[int], error: str) -> Chunk:
    rows = pd.DataFrame({"replicate": np.arange(start, start + len(seeds)), "seed": seed_column(seeds), "error": error})
    return Chunk(rows, [], None, None)


def _attempt(scenario_json: str, start: int, seeds: list[int], rounds: int, parts: str | None) -> Chunk | str:
    """Run a chunk, returning its results, or the error text if it failed (so that the other chunks go on)."""
    try:
        return run_chunk(scenario_json, start, seeds, rounds, parts)
    except Exception:  # recorded in the cell's table; the sweep goes on
        return traceback.format_exc(limit=3).strip().splitlines()[-1]


def _ready() -> None:
    """A worker's first task: by the time it returns, the worker has imported this module."""


class _Later:
    """A call made when its result is first asked for: the in-process executor's "future"."""

    def __init__(self, fn, args: tuple):
        self.fn, self.args, self.done = fn, args, False

    def result(self):
        if not self.done:
            self.value, self.done = self.fn(*self.args), True
        return self.value


class Executor:
    """Runs chunks: in this process (``workers=1``), over local processes, or as Ray tasks on a cluster."""

    def __init__(self, workers: int = 1, backend: str = "processes", address: str | None = None):
        if backend not in BACKENDS:
            raise ScenarioError("backend", backend, f"one of {', '.join(BACKENDS)}")
        self.workers, self.backend, self.address = workers, backend, address
        self._pool = None
        self._remote = None

    @property
    def parallel(self) -> bool:
        """Whether chunks run outside this process (so that the parent can do other work meanwhile)."""
        return self.backend == "ray" or self.workers > 1

    def start(self) -> None:
        """Start the worker processes (or join Ray) now, so that they get ready while the parent does other work."""
        if self.backend == "ray":
            self._ray()
        elif self.workers > 1 and self._pool is None:
            # spawned, not forked: the parent may hold threads (Hydra, Ray, BLAS)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            for _ in range(self.workers):
                self._pool.submit(_ready)

    def submit(self, *call) -> Future | _Later:
        """Run ``_attempt(*call)``; the returned object's ``result()`` gives its chunk or error text."""
        if not self.parallel:
            return _Later(_attempt, call)
        self.start()
        if self.backend == "ray":
            return self._remote.remote(*call).future()
        return self._pool.submit(_attempt, *call)

    def _ray(self) -> None:
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address, ignore_reinit_error=True, log_to_driver=False)
        if self._remote is None:
            self._remote = ray.remote(_attempt)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _result(future: Future | _Later, start: int, seeds: list[int]) -> Chunk:
    """A chunk's results, or rows recording why it failed (an error in the chunk, or a worker that died)."""
    try:
        outcome = future.result()
    except Exception as error:  # a worker process died, the Ray cluster went away…
        outcome = f"{type(error).__name__}: {error}"
    return _failed_chunk(start, seeds, outcome) if isinstance(outcome, str) else outcome


def _partial(directory: Path) -> Path:
    """A fresh temporary directory beside ``directory``, renamed into place by :func:`_write_atomically`."""
    for stale in directory.parent.glob(f".{directory.name}.partial-*"):  # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    partial = directory.with_name(f".{directory.name}.partial-{os.getpid()}")
    partial.mkdir(parents=True)
    return partial


def _write_atomically(directory: Path, files: dict[str, object], partial: Path | None = None) -> None:
    """Write ``files`` into a fresh ``directory`` (replacing any old one) under a temporary name, then rename.

    A file's content is a DataFrame (Parquet), a text, or a function giving the text when its turn comes. ``partial``
    is the temporary directory if some files are already in it.
    """
    partial = partial or _partial(directory)
    try:
        for name, content in files.items():
            path = partial / name
            if isinstance(content, pd.DataFrame):
                content.to_parquet(path, index=False)
            else:
                path.write_text(content() if callable(content) else content)
        if directory.exists():
            shutil.rmtree(directory)
        partial.rename(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _yaml(config: Mapping) -> str:
    return yaml.dump(dict(config), Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)


def cell_status(directory: Path) -> dict | None:
    """The recorded status of a cell directory, or None if it holds no finished cell."""
    try:
        return json.loads((directory / CELL_FILE).read_text())
    except (OSError, ValueError):
        return None


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
    partial: Path | None = None
    started: float = 0.0  # perf_counter
    wall_start: float = 0.0  # time.time

    @property
    def in_background(self) -> bool:
        """Whether its batches run outside this process (rather than when :meth:`finish` asks for them)."""
        return any(isinstance(future, Future) for *_, future in self.batches)

    def finish(self, progress: bool = True) -> CellOutcome:
        """Wait for the cell's batches, then write its files under a temporary name and rename them into place:
        ``replicates.parquet`` (per-replicate summaries and recovery), ``confidence.parquet/`` (per round),
        ``bands.parquet`` (quantiles over replicates), ``config.yaml`` and ``cell.json`` (status and timing)."""
        if self.outcome is not None:
            return self.outcome
        parts = self.partial / "confidence.parquet"
        summaries, pairs = [], []
        bar = tqdm(
            total=self.replicates, desc=f"cell {self.directory.name[:8]}", unit="rep", disable=not progress, leave=False
        )
        try:
            for start, seeds, future in self.batches:
                chunk = _result(future, start, seeds)
                summaries.append(chunk.summaries)
                pairs = chunk.pairs or pairs
                if chunk.rows is not None:
                    write_part(chunk.rows, chunk.cube, parts, start)
                bar.update(len(seeds))
        except BaseException:
            shutil.rmtree(self.partial, ignore_errors=True)
            raise
        finally:
            bar.close()
        if not any(parts.iterdir()):  # every batch failed
            parts.rmdir()
        table = pd.concat(summaries, ignore_index=True)
        failed = int(table["error"].notna().sum())
        status = "complete" if failed == 0 else ("failed" if failed == self.replicates else "partial")
        errors = sorted(set(table["error"].dropna()))
        record = {"hash": self.directory.name, "values": dict(self.values), "status": status}
        record |= {"replicates": self.replicates, "failed": failed, "error": "; ".join(errors) if errors else None}

        def finished() -> str:  # written last, so that the cell's time includes writing its tables
            seconds = time.perf_counter() - self.started
            record.update(seconds=seconds, started=self.wall_start, finished=self.wall_start + seconds)
            return json.dumps(record, indent=2)

        files = {"replicates.parquet": table}
        cubes = sorted(self.partial.glob("cube-*.npy"))
        if cubes:
            files["bands.parquet"] = ensemble.bands([np.load(c, mmap_mode="r") for c in cubes], pairs)
            for c in cubes:
                c.unlink()
        files |= {"config.yaml": _yaml(self.config), CELL_FILE: finished}
        _write_atomically(self.directory, files, self.partial)
        self.outcome = CellOutcome(
            self.directory, status, self.replicates, failed, record["seconds"], record["error"], self.values
        )
        return self.outcome


def batch_size(chunk: int, pairs: int, rounds: int) -> int:
    """``chunk`` replicates a batch, or fewer when a batch's confidence rows would pass :data:`MAX_BATCH_ROWS`
    (scenarios with many countries): batching changes memory and speed, never results."""
    return max(1, min(chunk, MAX_BATCH_ROWS // (pairs * (rounds + 1))))


def start_cell(
    config: Mapping,
    root: Path,
    *,
    executor: Executor | None = None,
    chunk: int = DEFAULT_CHUNK,
    values: Mapping | None = None,
) -> PendingCell:
    """Hand the cell of a resolved ``config`` to ``executor`` (in this process by default) and return at once,
    unless a complete run of it is already under ``root/<hash>/`` or its settings are bad.

    ``config`` needs ``scenario``, ``seed``, ``replicates`` and ``rounds``; ``values`` are the swept values that
    identify the cell in the aggregate (they are written beside its results).
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
        text = json.dumps(data, sort_keys=True, default=str)
        countries = len(_scenario(text).countries)  # the scenario is checked before any work
        rounds = schema.integer(config.get("rounds"), "rounds", 1)
        spec = CellSpec(
            scenario=data,
            seed=schema.integer(config.get("seed"), "seed", 0),
            replicates=schema.integer(config.get("replicates"), "replicates", 1),
            rounds=rounds,
            chunk=batch_size(schema.integer(chunk, "sweep.chunk", 1), countries * (countries - 1), rounds),
        )
    except ScenarioError as error:
        status = {"hash": key, "values": values, "status": "failed", "replicates": 0, "failed": 0}
        status |= {"seconds": 0.0, "error": str(error)}
        _write_atomically(directory, {CELL_FILE: json.dumps(status, indent=2), "config.yaml": _yaml(config)})
        outcome = CellOutcome(directory, "failed", 0, 0, time.perf_counter() - started, str(error), values)
        return PendingCell(directory, config, values, outcome)
    executor = executor or Executor()
    partial = _partial(directory)
    parts = partial / "confidence.parquet"  # a Parquet dataset: one file per batch
    parts.mkdir()
    local = None if executor.backend == "ray" else str(parts)  # Ray workers may not see this disk: they send rows
    batches = [
        (start, seeds, executor.submit(text, start, seeds, spec.rounds, local)) for start, seeds in spec.chunks()
    ]
    return PendingCell(directory, config, values, None, spec.replicates, batches, partial, started, wall_start)


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
