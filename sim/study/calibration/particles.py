"""A particle's simulation: the scenario with the particle's values, its histories as one batch of the ensemble engine,
and their acts reduced to the summary series straight from the record's arrays (no tables are built)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.io.library import load_scenario
from sim.model.record.acts import generated_acts, period_summaries
from sim.model.run import simulate_ensemble
from sim.study.calibration.config import Calibration
from sim.study.calibration.observed import country_pairs

SERIES = "series"  # the one summary statistic pyabc sees: every replicate's series, flattened


def parameter_names(calibration: Calibration) -> dict[str, str]:
    """pyabc's name of each parameter (its key path without ``scenario.``) → the key path."""
    return {path.removeprefix("scenario."): path for path in calibration.priors}


def simulate_series(calibration: Calibration, values: Mapping[str, float], seeds: list[int]) -> np.ndarray:
    """(len(seeds), periods, pairs, STATISTICS): the summary series of one history per seed, with ``values`` at their
    key paths."""
    scenario = load_scenario(calibration.scenario_with(values))
    record = simulate_ensemble(scenario, seeds, rounds=calibration.rounds, ministry_every=0)
    acts = generated_acts(record)
    return period_summaries(
        acts.replicate,
        acts.round,
        acts.source,
        acts.target,
        acts.goldstein,
        replicates=len(seeds),
        pairs=country_pairs(scenario),
        rounds=calibration.rounds,
        period=calibration.period,
    )


def draw_seeds(count: int) -> list[int]:
    """Seeds of fresh histories, from NumPy's global generator: the one pyabc draws from (seeded by the command)."""
    return [int(s) for s in np.random.randint(0, 2**63 - 1, size=count, dtype=np.int64)]


class Particle:
    """pyabc's model: a particle's parameters → ``{SERIES: …}``, its ``replicates`` histories' series flattened. A
    plain picklable object, so that pyabc's samplers can send it to other processes."""

    def __init__(self, calibration: Calibration):
        self.calibration = calibration
        self.paths = parameter_names(calibration)

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, np.ndarray]:
        values = {path: float(parameters[name]) for name, path in self.paths.items()}
        series = simulate_series(self.calibration, values, draw_seeds(self.calibration.replicates))
        return {SERIES: series.ravel()}

    def observed(self, series: np.ndarray) -> dict[str, np.ndarray]:
        """The observed series in the shape of a particle's: repeated once per replicate (each history is compared
        with the record)."""
        return {SERIES: np.tile(series.ravel(), self.calibration.replicates)}
