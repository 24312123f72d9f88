"""A sweep cell: one scenario configuration run as an ensemble of replicates, in vectorised batches.

A *cell* is one point of a sweep: a resolved config (scenario, seed, replicates, rounds), identified by the hash of
that config and of the model's version (:mod:`sim.study.version`). Its replicates' seeds are spawned from the
cell's seed; they run in batches (:func:`run_chunk`), each reducing its own replicates (summaries, recovery) and
writing its share of the cell's confidence rows. :mod:`sim.study.executor` says where batches run,
:mod:`sim.study.pipeline` starts cells and writes them.
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

from sim.io.library import load_scenario
from sim.model import schema
from sim.model.errors import ScenarioError
from sim.model.record.result import seed_column
from sim.model.run import replicate_seeds, simulate_ensemble
from sim.model.scenario.specs import ScenarioSpec
from sim.study import ensemble
from sim.study.version import model_version

CELL_FILE = "cell.json"
DEFAULT_CHUNK = 1000  # replicates per batch: larger batches amortise the per-round array calls
MAX_BATCH_ROWS = 4_000_000  # confidence rows (replicates × rounds × directed pairs) a batch holds: ~250 MB at peak
MAX_SEED = 2**64 - 1  # a cell's seed is stored as an unsigned 64-bit integer (``cell_seed``), like its replicates'


def config_hash(config: Mapping) -> str:
    """A short stable hash of a resolved config (in its order: the order of countries, meetings… is the order of the
    random draws) and of the model's version: the identity of a cell."""
    text = json.dumps({**config, "model_version": model_version()}, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_seed(value: object, path: str = "seed") -> int:
    """A cell's seed: a whole number in [0, 2⁶⁴ − 1]."""
    seed = schema.integer(value, path, 0)
    if seed > MAX_SEED:
        raise ScenarioError(path, value, "a whole number in [0, 2^64 - 1] (18446744073709551615)")
    return seed


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


def run_chunk(scenario_json: str, start: int, seeds: list[int], rounds: int, parts: str | None = None) -> Chunk:
    """Run one batch of replicates, numbered from ``start``.

    With ``parts`` (a directory this process can write), the confidence rows are written there as this batch's part
    of the cell's Parquet dataset, and its cube beside it (``cube-*.npy``), in parallel with the other batches, and
    not sent back.
    """
    scenario = scenario_of(scenario_json)
    result = simulate_ensemble(scenario, seeds, rounds=rounds, ministry_every=0)
    cube, pairs = result.confidence_cube, result.country_pairs
    recovered = [ensemble.recovery(cube, pairs), ensemble.shock_recovery(cube, pairs, scenario.events)]
    summaries = pd.concat([result.replicate_summaries, *recovered], axis=1)
    summaries = summaries.rename(columns={"seed": "replicate_seed"})
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


def failed_chunk(start: int, seeds: list[int], error: str) -> Chunk:
    rows = {"replicate": np.arange(start, start + len(seeds)), "replicate_seed": seed_column(seeds), "error": error}
    return Chunk(pd.DataFrame(rows), [], None, None)


def cell_status(directory: Path) -> dict | None:
    """The recorded status of a cell directory, or None if it holds no finished cell (no ``cell.json``, or one that
    is not a record of keys and values)."""
    try:
        status = json.loads((directory / CELL_FILE).read_text())
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) else None


def batch_size(chunk: int, pairs: int, rounds: int) -> int:
    """``chunk`` replicates a batch, or fewer when a batch's confidence rows would pass :data:`MAX_BATCH_ROWS`
    (scenarios with many countries): batching changes memory and speed, never results."""
    return max(1, min(chunk, MAX_BATCH_ROWS // (pairs * (rounds + 1))))
