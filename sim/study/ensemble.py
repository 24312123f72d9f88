"""Statistics of an ensemble of confidence trajectories, for sweeps.

Both read a *cube* of country-level confidence, replicates × rounds × directed pairs
(:attr:`sim.model.record.result.RunResult.confidence_cube`), rounds numbered from 0 (the starting state).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

BAND_QUANTILES = {"q05": 0.05, "median": 0.5, "q95": 0.95}
BAND_MEMORY = 256 * 2**20  # bytes of values held at once while computing a cell's bands


def bands(cubes: Sequence[np.ndarray], pairs: Sequence[tuple[str, str]], memory: int = BAND_MEMORY) -> pd.DataFrame:
    """Per round and directed pair: the 5%, 50% and 95% quantiles of confidence over the replicates of ``cubes``
    (batches of one ensemble, in order, e.g. memory-mapped files). Exact, computed a block of pairs at a time so that
    no more than about ``memory`` bytes of values are held at once, whatever the number of replicates."""
    replicates, rounds = sum(c.shape[0] for c in cubes), cubes[0].shape[1]
    block = max(1, memory // (replicates * rounds * 8))
    q = np.empty((len(BAND_QUANTILES), rounds, len(pairs)))
    for first in range(0, len(pairs), block):
        values = np.concatenate([np.asarray(c[:, :, first : first + block]) for c in cubes])  # (R, T, block)
        q[:, :, first : first + block] = np.quantile(values, list(BAND_QUANTILES.values()), axis=0)
    steps = np.arange(rounds)
    return pd.DataFrame(
        {
            "round": np.repeat(steps, len(pairs)),
            "country": np.tile([a for a, _ in pairs], rounds),
            "counterpart": np.tile([b for _, b in pairs], rounds),
            **{name: q[k].ravel() for k, name in enumerate(BAND_QUANTILES)},
        }
    )


def recovery(cube: np.ndarray, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Per replicate (in the cube's order) and directed pair: the round of the largest one-round fall in confidence,
    its size, and how many rounds confidence took to climb back to its level before the fall (NaN if it never did).
    Where confidence never fell, the round and the recovery are undefined (NaN) and the fall is 0.

    The measure of how long a shock's damage lasts (docs/model.md §3, events and shocks).
    """
    reps, rounds = cube.shape[0], np.arange(cube.shape[1])
    rows = np.arange(reps)
    out = {}
    for p, (a, b) in enumerate(pairs):
        values = cube[:, :, p]
        fall = np.diff(values, axis=1)
        k = fall.argmin(axis=1)  # the fall shows at round k + 1
        before = values[rows, k]
        back = (rounds[None, :] > k[:, None]) & (values >= before[:, None] - 1e-12)
        first = np.where(back.any(axis=1), back.argmax(axis=1), -1)
        fell = fall[rows, k] < -1e-12
        out[f"fall_round.{a}.{b}"] = np.where(fell, rounds[k + 1], np.nan)
        out[f"fall_size.{a}.{b}"] = np.where(fell, -fall[rows, k], 0.0)
        out[f"recovery_rounds.{a}.{b}"] = np.where(fell & (first >= 0), first - (k + 1), np.nan)
    return pd.DataFrame(out, index=pd.RangeIndex(reps))
