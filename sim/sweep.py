"""Sweep cells: one scenario configuration run as an ensemble of replicates, written atomically, resumable.

A *cell* is one point of a sweep: a resolved config (scenario, seed, replicates, rounds). Its replicates' seeds are
spawned from the cell's seed; they run in vectorised batches (chunks), serially, over local processes or on a Ray
cluster, and give the same tables whichever way. A cell's directory is named by the hash of its resolved config, so
rerunning a sweep skips the cells already complete and redoes only those that failed or were interrupted.

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
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from tqdm.auto import tqdm

from sim import schema
from sim.errors import ScenarioError
from sim.run import replicate_seeds, simulate_ensemble
from sim.scenario import Scenario

CELL_FILE = "cell.json"
BACKENDS = ("processes", "ray")


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


@lru_cache(maxsize=8)
def _scenario(text: str) -> Scenario:
    return Scenario.from_dict(json.loads(text))


def run_chunk(
    scenario_json: str, start: int, seeds: list[int], rounds: int, parts: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run one batch of replicates, numbered from ``start``: (per-replicate summaries, per-round country confidence).

    With ``parts`` (a directory this process can write), the confidence table is written there as this batch's part
    of the cell's Parquet dataset, in parallel with the other batches, and not sent back.
    """
    result = simulate_ensemble(_scenario(scenario_json), seeds, rounds=rounds, ministry_every=0)
    summaries = result.replicate_summaries.assign(replicate=lambda d: d["replicate"] + start, error=None)
    confidence = result.country_confidence.assign(replicate=lambda d: d["replicate"] + start)
    for name in ("country", "counterpart"):  # few names, many rows: cheaper to send and to store
        confidence[name] = confidence[name].astype("category")
    if parts is None:
        return summaries, confidence
    write_part(confidence, Path(parts), start)
    return summaries, None


def write_part(confidence: pd.DataFrame, parts: Path, start: int) -> None:
    """One batch's rows of a cell's confidence dataset; parts are named so that reading them in order of name gives
    replicate, round, pair order."""
    confidence.to_parquet(parts / f"part-{start:09d}.parquet", index=False)


def _failed_chunk(start: int, seeds: list[int], error: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = pd.DataFrame({"replicate": np.arange(start, start + len(seeds)), "seed": seeds, "error": error})
    return rows, pd.DataFrame()


class Executor:
    """Runs chunks: in this process (``workers=1``), over local processes, or as Ray tasks on a cluster."""

    def __init__(self, workers: int = 1, backend: str = "processes", address: str | None = None):
        if backend not in BACKENDS:
            raise ScenarioError("backend", backend, f"one of {', '.join(BACKENDS)}")
        self.workers, self.backend, self.address = workers, backend, address
        self._pool = None
        self._remote = None

    def map(self, calls: list[tuple]) -> Iterator[tuple[tuple, object]]:
        """Yield (call, result or exception) as calls finish, in submission order."""
        if self.backend == "ray":
            yield from self._map_ray(calls)
        elif self.workers <= 1:
            for call in calls:
                yield call, _attempt(*call)
        else:
            if self._pool is None:  # spawned, not forked: the parent may hold threads (Hydra, Ray, BLAS)
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            futures = [self._pool.submit(_attempt, *call) for call in calls]
            for call, future in zip(calls, futures, strict=True):
                yield call, future.result()

    def _map_ray(self, calls: list[tuple]) -> Iterator[tuple[tuple, object]]:
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address, ignore_reinit_error=True, log_to_driver=False)
        if self._remote is None:
            self._remote = ray.remote(_attempt)
        refs = [self._remote.remote(*call) for call in calls]
        for call, ref in zip(calls, refs, strict=True):
            yield call, ray.get(ref)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def _attempt(scenario_json: str, start: int, seeds: list[int], rounds: int, parts: str | None):
    """Run a chunk, returning its tables, or the error text if it failed (so that the other chunks go on)."""
    try:
        return run_chunk(scenario_json, start, seeds, rounds, parts)
    except Exception:  # recorded in the cell's table; the sweep goes on
        return traceback.format_exc(limit=3).strip().splitlines()[-1]


def _partial(directory: Path) -> Path:
    """A fresh temporary directory beside ``directory``, renamed into place by :func:`_write_atomically`."""
    partial = directory.with_name(f".{directory.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
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


def run_cell(
    config: Mapping,
    root: Path,
    *,
    executor: Executor | None = None,
    chunk: int = 250,
    values: Mapping | None = None,
    progress: bool = True,
) -> CellOutcome:
    """Run the cell of a resolved ``config`` into ``root/<hash>/``, unless a complete run of it is already there.

    ``config`` needs ``scenario``, ``seed``, ``replicates`` and ``rounds``; ``values`` are the swept values that
    identify the cell in the aggregate (they are written beside its results).
    """
    key = config_hash(config)
    directory = Path(root) / key
    done = cell_status(directory)
    if done is not None and done["status"] == "complete" and done["hash"] == key:
        return CellOutcome(directory, "skipped", done["replicates"], 0, 0.0)
    executor = executor or Executor()
    started, wall_start = time.perf_counter(), time.time()
    header = {"hash": key, "values": dict(values or {})}
    try:
        spec = CellSpec(
            scenario=schema.mapping(config.get("scenario"), "scenario"),
            seed=schema.integer(config.get("seed"), "seed", 0),
            replicates=schema.integer(config.get("replicates"), "replicates", 1),
            rounds=schema.integer(config.get("rounds"), "rounds", 1),
            chunk=chunk,
        )
        _scenario(json.dumps(spec.scenario, sort_keys=True, default=str))  # check the scenario before any work
    except ScenarioError as error:
        status = {**header, "status": "failed", "replicates": 0, "failed": 0, "seconds": 0.0, "error": str(error)}
        _write_atomically(directory, {CELL_FILE: json.dumps(status, indent=2), "config.yaml": _yaml(config)})
        return CellOutcome(directory, "failed", 0, 0, time.perf_counter() - started, str(error))
    text = json.dumps(spec.scenario, sort_keys=True, default=str)
    partial = _partial(directory)
    parts = partial / "confidence.parquet"  # a Parquet dataset: one file per batch
    parts.mkdir()
    local = None if executor.backend == "ray" else str(parts)  # Ray workers may not see this disk: they send rows
    calls = [(text, start, seeds, spec.rounds, local) for start, seeds in spec.chunks()]
    summaries = []
    bar = tqdm(total=spec.replicates, desc=f"cell {key[:8]}", unit="rep", disable=not progress, leave=False)
    try:
        for (_, start, seeds, *_), outcome in executor.map(calls):
            result = _failed_chunk(start, seeds, outcome) if isinstance(outcome, str) else outcome
            summaries.append(result[0])
            if result[1] is not None and not result[1].empty:
                write_part(result[1], parts, start)
            bar.update(len(seeds))
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    bar.close()
    if not any(parts.iterdir()):  # every batch failed
        parts.rmdir()
    table = pd.concat(summaries, ignore_index=True)
    failed = int(table["error"].notna().sum())
    status = "complete" if failed == 0 else ("failed" if failed == spec.replicates else "partial")
    errors = sorted(set(table["error"].dropna()))
    record = {**header, "status": status, "replicates": spec.replicates, "failed": failed}
    record["error"] = "; ".join(errors) if errors else None

    def finished() -> str:  # written last, so that the cell's time includes writing its tables
        seconds = time.perf_counter() - started
        record.update(seconds=seconds, started=wall_start, finished=wall_start + seconds)
        return json.dumps(record, indent=2)

    _write_atomically(
        directory, {"replicates.parquet": table, "config.yaml": _yaml(config), CELL_FILE: finished}, partial
    )
    return CellOutcome(directory, status, spec.replicates, failed, record["seconds"], record["error"])
