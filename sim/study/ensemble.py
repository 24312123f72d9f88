"""Statistics of an ensemble of confidence trajectories, for sweeps.

Both read a *cube* of country-level confidence, replicates × rounds × directed pairs
(:attr:`sim.model.record.result.RunResult.confidence_cube`), rounds numbered from 0 (the starting state).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from sim.model.scenario.specs import Event

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


def shocks(events: Iterable[Event], pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Event]:
    """Per directed country pair (observer, actor), its scheduled shock: the most severe hostile event (lowest
    Goldstein value below 0; the first of equals) that the actor's country aimed at the observer's."""
    out: dict[tuple[str, str], Event] = {}
    known = set(pairs)
    for e in events:
        pair = (e.target.split(".")[0], e.source.split(".")[0])
        if e.goldstein < 0 and pair in known and (pair not in out or e.goldstein < out[pair].goldstein):
            out[pair] = e
    return out


def shock_recovery(cube: np.ndarray, pairs: Sequence[tuple[str, str]], events: Iterable[Event]) -> pd.DataFrame:
    """Per replicate and directed pair with a scheduled shock (:func:`shocks`): its round, how far confidence fell in
    that round (negative if it rose all the same), and how many rounds confidence took to be back at its level
    before the shock (0 if it did not fall below it; NaN if it never came back, or the shock falls after the run).

    The recovery from the shock itself, whatever else moved confidence before or after it; :func:`recovery` measures
    the largest fall instead."""
    reps, steps = cube.shape[0], cube.shape[1]
    index = {pair: p for p, pair in enumerate(pairs)}
    out = {}
    for (a, b), event in shocks(events, pairs).items():
        values, s = cube[:, :, index[a, b]], event.round
        fall, rounds = np.full(reps, np.nan), np.full(reps, np.nan)
        if s < steps:  # the shock struck within the run
            fall = values[:, s - 1] - values[:, s]
            back = values[:, s:] >= values[:, s - 1 : s] - 1e-12
            rounds = np.where(back.any(axis=1), back.argmax(axis=1), np.nan)
        out[f"shock_round.{a}.{b}"] = np.full(reps, s)
        out[f"shock_fall.{a}.{b}"] = fall
        out[f"shock_recovery_rounds.{a}.{b}"] = rounds
    return pd.DataFrame(out, index=pd.RangeIndex(reps))
