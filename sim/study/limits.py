"""The bounds of the settings every study command shares (a cell's seed, the workers, the backends), checked before
any work. Nothing heavier than the checks is imported here, so that a command refuses a mistake in a second."""

from __future__ import annotations

import os

from sim.model import schema
from sim.model.errors import ScenarioError

MAX_SEED = 2**64 - 1  # a cell's seed is stored as an unsigned 64-bit integer (``cell_seed``), like its replicates'
BACKENDS = ("processes", "ray")  # where a cell's batches run (sim.study.executor)
WORKERS_PER_CORE = 4  # more worker processes than this only compete for the same cores


def check_seed(value: object, path: str = "seed") -> int:
    """A cell's seed: a whole number in [0, 2⁶⁴ − 1]."""
    seed = schema.integer(value, path, 0)
    if seed > MAX_SEED:
        raise ScenarioError(path, value, "a whole number in [0, 2^64 - 1] (18446744073709551615)")
    return seed


def max_workers() -> int:
    return WORKERS_PER_CORE * (os.cpu_count() or 1)


def check_workers(value: object, path: str = "workers") -> int:
    """A number of worker processes, as every command takes it (``sweep.workers``, a study's or a calibration's
    ``workers``): a whole number in [1, 4 × the machine's cores]."""
    return schema.integer(value, path, 1, max_workers())
