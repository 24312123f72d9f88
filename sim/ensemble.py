"""Statistics of an ensemble of confidence trajectories, for sweeps.

Both read a *cube* of country-level confidence, replicates × rounds × directed pairs
(:attr:`sim.recording.RunResult.confidence_cube`), rounds numbered from 0 (the starting state).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

BAND_QUANTILES = {"q05": 0.05, "median": 0.5, "q95": 0.95}


def bands(cube: np.ndarray, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Per round and directed pair: the 5%, 50% and 95% quantiles of confidence over the replicates."""
    rounds = np.arange(cube.shape[1])
    q = np.quantile(cube, list(BAND_QUANTILES.values()), axis=0)  # (3, T, P)
    return pd.DataFrame(
        {
            "round": np.repeat(rounds, len(pairs)),
            "country": np.tile([a for a, _ in pairs], len(rounds)),
            "counterpart": np.tile([b for _, b in pairs], len(rounds)),
            **{name: q[k].ravel() for k, name in enumerate(BAND_QUANTILES)},
        }
    )


def recovery(cube: np.ndarray, pairs: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Per replicate (in the cube's order) and directed pair: the round of the largest one-round fall in confidence,
    its size, and how many rounds confidence took to climb back to its level before the fall (NaN if it never did).

    The measure of how long a shock's damage lasts (domain.md §3, events and shocks).
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
        out[f"fall_round.{a}.{b}"] = rounds[k + 1]
        out[f"fall_size.{a}.{b}"] = -fall[rows, k]
        out[f"recovery_rounds.{a}.{b}"] = np.where(first >= 0, first - (k + 1), np.nan)
    return pd.DataFrame(out, index=pd.RangeIndex(reps))
