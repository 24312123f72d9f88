"""How parameter space is explored: SALib's sampling and analysis, Morris screening or Sobol' indices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analysis
from SALib.analyze import sobol as sobol_analysis
from SALib.sample import morris as morris_sampling
from SALib.sample import sobol as sobol_sampling

from sim.model.run import DEFAULT_SEED

METHODS = ("morris", "sobol")
MORRIS_COLUMNS = ("mu", "mu_star", "sigma", "mu_star_conf")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


@dataclass(frozen=True)
class Design:
    """How parameter space is explored: SALib's sampling and analysis for one method."""

    method: str  # "morris" or "sobol"
    samples: int  # Morris: trajectories (D + 1 runs each); Sobol': base sample N, a power of 2 (N·(D + 2) runs)
    levels: int = 4  # Morris: grid levels (even)
    second_order: bool = False  # Sobol': also S2 (N·(2D + 2) runs)
    seed: int = DEFAULT_SEED  # of the sample and the bootstrap intervals

    def sample(self, problem: Mapping) -> np.ndarray:
        """The (runs, D) matrix of parameter values to evaluate."""
        if self.method == "morris":
            return morris_sampling.sample(problem, self.samples, num_levels=self.levels, seed=self.seed)
        return sobol_sampling.sample(problem, self.samples, calc_second_order=self.second_order, seed=self.seed)

    def analyze(self, problem: Mapping, x: np.ndarray, y: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The indices of each output (a column of ``y``, one row per row of ``x``): per output × parameter, and
        per output × pair of parameters (Sobol' S2; empty otherwise)."""
        first, second = {}, {}
        for output in y.columns:
            values = y[output].to_numpy(dtype=float)
            if self.method == "morris":
                first[output], second[output] = self._morris(problem, x, values), pd.DataFrame()
            else:
                first[output], second[output] = self._sobol(problem, values)
        return _by_output(first), _by_output(second)

    def _morris(self, problem: Mapping, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
        si = morris_analysis.analyze(problem, x, y, num_levels=self.levels, seed=self.seed)
        return pd.DataFrame({"parameter": problem["names"], **{c: np.asarray(si[c], float) for c in MORRIS_COLUMNS}})

    def _sobol(self, problem: Mapping, y: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        names = list(problem["names"])
        if np.ptp(y) == 0:  # no variance to share out: no parameter moves this output
            zeros = np.zeros((len(names), len(names)))
            si = dict.fromkeys(SOBOL_COLUMNS, zeros[0]) | {"S2": zeros, "S2_conf": zeros}
        else:
            rng = np.random.default_rng(self.seed)  # a generator: SALib would take a seed of 0 for no seed
            si = sobol_analysis.analyze(problem, y, calc_second_order=self.second_order, seed=rng)
        first = pd.DataFrame({"parameter": names, **{c: np.asarray(si[c], float) for c in SOBOL_COLUMNS}})
        pairs = combinations(range(len(names)), 2) if self.second_order else ()
        second = pd.DataFrame(
            [(names[j], names[k], si["S2"][j, k], si["S2_conf"][j, k]) for j, k in pairs],
            columns=["parameter", "other", "S2", "S2_conf"],
        )
        return first, second


def _by_output(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The tables of the outputs stacked into one, the output as first column (empty if they all are)."""
    stacked = [table.assign(output=output) for output, table in tables.items() if len(table)]
    if not stacked:
        return pd.DataFrame()
    out = pd.concat(stacked, ignore_index=True)
    return out[["output", *out.columns.drop("output")]]
