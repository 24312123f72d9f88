"""A sweep cell: one scenario configuration run as an ensemble of replicates, in vectorised batches.

A *cell* is one point of a sweep: a resolved config (scenario, seed, replicates, rounds), identified by the hash of
that config and of the model's version (:mod:`sim.study.version`). Its replicates' seeds are spawned from the
cell's seed; they run in batches (:func:`run_chunk`), each reducing its own replicates (summaries, recovery) and
writing its share of the cell's confidence rows. :mod:`sim.study.executor` says where batches run,
:mod:`sim.study.pipeline` starts cells and writes them.

A cell may also hold several *points* of one scenario (``points``: values at the scenario's key paths, see
:mod:`sim.model.plan.batch`), each run with the same ``replicates`` seeds (common random numbers): replicate
``p × replicates + k`` is point ``p`` with seed ``k``, as it would be in a cell of its own, bit for bit. Points run in
the same batches, which is what makes a study's thousands of samples fast; the cell's table numbers each row's point.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.io.atomic import manifest_problem
from sim.io.files import read_record
from sim.io.library import load_scenario
from sim.model.errors import ScenarioError
from sim.model.record.result import seed_column
from sim.model.run import replicate_seeds, simulate_ensemble, simulate_points
from sim.model.scenario.specs import ScenarioSpec
from sim.study import ensemble
from sim.study.version import model_version

CELL_FILE = "cell.json"
RECOMPUTE = "rerun the sweep (or study) to recompute the cell; complete cells are kept"
DEFAULT_CHUNK = 1000  # replicates per batch: larger batches amortise the per-round array calls
MAX_BATCH_ROWS = 4_000_000  # confidence rows (replicates × rounds × directed pairs) a batch holds: ~250 MB at peak


def config_hash(config: Mapping) -> str:
    """A short stable hash of a resolved config (in its order: the order of countries, meetings… is the order of the
    random draws) and of the model's version: the identity of a cell."""
    text = json.dumps({**config, "model_version": model_version()}, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CellSpec:
    """What a cell runs: the checked run settings and the scenario as a plain mapping."""

    scenario: Mapping
    seed: int
    replicates: int
    rounds: int
    chunk: int  # replicates per vectorised batch
    points: tuple[Mapping, ...] = ()  # values at the scenario's key paths, each run with every seed

    @property
    def total(self) -> int:
        """Replicates of the cell: ``replicates`` per point."""
        return self.replicates * max(1, len(self.points))

    def chunks(self) -> Iterator[tuple[int, list[int], list[int] | None]]:
        """(first replicate, seeds, the point of each replicate or None for a cell of one point) of each batch."""
        seeds = replicate_seeds(self.seed, self.replicates) * max(1, len(self.points))
        for start in range(0, self.total, self.chunk):
            stop = min(start + self.chunk, self.total)
            points = [r // self.replicates for r in range(start, stop)] if self.points else None
            yield start, seeds[start:stop], points


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
def scenario_of(text: str) -> ScenarioSpec:
    return load_scenario(json.loads(text))


class Chunk(NamedTuple):
    """One batch's results: per-replicate summaries (with recovery from the largest fall and from each pair's
    scheduled shock), and, unless the worker wrote them to the cell's directory itself, its confidence rows and its
    confidence cube (replicates × rounds × directed pairs, for the cell's bands)."""

    summaries: pd.DataFrame
    pairs: list[tuple[str, str]]
    rows: pd.DataFrame | None
    cube: np.ndarray | None


def run_chunk(
    scenario_json: str,
    start: int,
    seeds: list[int],
    rounds: int,
    parts: str | None = None,
    points: tuple[list[int], list[Mapping]] | None = None,
) -> Chunk:
    """Run one batch of replicates, numbered from ``start``; with ``points`` (the point of each replicate, and the
    cell's points), each replicate with its point's values, as one batch across parameters.

    With ``parts`` (a directory this process can write), the confidence rows are written there as this batch's part
    of the cell's Parquet dataset, and its cube beside it (``cube-*.npy``, for the bands of a cell of one point), in
    parallel with the other batches, and not sent back.
    """
    scenario = scenario_of(scenario_json)
    if points is None:
        result = simulate_ensemble(scenario, seeds, rounds=rounds, ministry_every=0)
    else:
        which, values = points
        result = simulate_points(
            json.loads(scenario_json), [values[p] for p in which], seeds, rounds=rounds, ministry_every=0
        )
    cube, pairs = result.confidence_cube, result.country_pairs
    recovered = [ensemble.recovery(cube, pairs), ensemble.shock_recovery(cube, pairs, scenario.events)]
    summaries = pd.concat([result.replicate_summaries, *recovered], axis=1)
    summaries = summaries.rename(columns={"seed": "replicate_seed"})
    summaries = summaries.assign(replicate=lambda d: d["replicate"] + start, error=None)
    rows = result.country_confidence.assign(replicate=lambda d: d["replicate"] + start)
    if points is not None:  # the point of each row; no bands across points
        summaries.insert(1, "point", np.asarray(points[0]))
        cube = None
    for name in ("country", "counterpart"):  # few names, many rows: cheaper to send and to store
        rows[name] = rows[name].astype("category")
    if parts is None:
        return Chunk(summaries, pairs, rows, cube)
    write_part(rows, cube, Path(parts), start)
    return Chunk(summaries, pairs, None, None)


def write_part(confidence: pd.DataFrame, cube: np.ndarray | None, parts: Path, start: int) -> None:
    """One batch's rows of a cell's confidence dataset, and its cube (if any) beside the dataset (read back
    memory-mapped for the cell's bands, then deleted). Parts are named so that reading them in order of name gives
    replicate, round, pair order."""
    confidence.to_parquet(parts / f"part-{start:09d}.parquet", index=False)
    if cube is not None:
        np.save(parts.parent / f"cube-{start:09d}.npy", cube)


def failed_chunk(start: int, seeds: list[int], error: str) -> Chunk:
    rows = {"replicate": np.arange(start, start + len(seeds)), "replicate_seed": seed_column(seeds), "error": error}
    return Chunk(pd.DataFrame(rows), [], None, None)


class IncompleteCell(Exception):
    """A cell folder that holds no whole finished cell; the message names the file missing or damaged and what to do."""


def read_cell(directory: Path) -> dict:
    """The record (``cell.json``) of a whole finished cell: every file its manifest lists is there as written
    (:func:`sim.io.atomic.manifest_problem`), the record a mapping of keys and values; :class:`IncompleteCell`
    otherwise."""
    fault = manifest_problem(directory)
    if fault is not None:
        raise IncompleteCell(f"{fault[0]}: {fault[1]}; {RECOMPUTE}")
    try:
        return read_record(directory / CELL_FILE, {"status": str, "values": dict}, RECOMPUTE)
    except ScenarioError as error:  # listed and unchanged, yet not a record: not written by this negsim
        raise IncompleteCell(str(error)) from None


def cell_status(directory: Path) -> dict | None:
    """The record of a whole finished cell (:func:`read_cell`), or None if the folder holds none."""
    try:
        return read_cell(directory)
    except IncompleteCell:
        return None


def batch_size(chunk: int, pairs: int, rounds: int) -> int:
    """``chunk`` replicates a batch, or fewer when a batch's confidence rows would pass :data:`MAX_BATCH_ROWS`
    (scenarios with many countries): batching changes memory and speed, never results."""
    return max(1, min(chunk, MAX_BATCH_ROWS // (pairs * (rounds + 1))))
