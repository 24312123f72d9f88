"""Running a calibration: ABC-SMC with pyabc over the calibration's priors, then its outputs, all or nothing.

pyabc draws every random number (priors, perturbations, the particles' seeds here) from NumPy's *global* generator.
:func:`calibrate` seeds it with the calibration's seed for the length of the call and puts the previous state back
afterwards, so a calibration on one worker is reproducible and nothing outside it is touched. With several workers
(pyabc's ``MulticoreEvalParallelSampler``) each worker process reseeds itself from the operating system, as pyabc
does: the posterior is then a fresh draw each time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.io.atomic import AtomicDir
from sim.io.library import load_scenario
from sim.model.record.acts import STATISTICS
from sim.study.calibration.config import Calibration
from sim.study.calibration.distance import order_statistic_distance
from sim.study.calibration.observed import country_pairs, observed_series
from sim.study.calibration.particles import Particle, draw_seeds, simulate_series

QUANTILES = (0.05, 0.5, 0.95)  # of the posterior-predictive bands


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """NumPy's global generator seeded with ``seed`` inside the block, and as it was before afterwards."""
    state = np.random.get_state()
    np.random.seed(seed % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


@contextmanager
def quiet_pyabc() -> Iterator[None]:
    """pyabc's INFO lines (its logger ``ABC``) off inside the block; the command reports each generation itself."""
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of weighted values (the smallest value whose cumulative weight reaches q)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)])


def calibrate(calibration: Calibration, progress: Callable[[str], None] | None = None, sampler=None) -> Path:
    """Run ``calibration`` and write its outputs into a new folder (``output_dir``, or a free name beside it); return
    the folder. ``progress`` receives a line per generation. ``sampler``: a pyabc sampler to use instead of the one
    ``workers`` chooses (one process, or ``MulticoreEvalParallelSampler``), e.g. ``DaskDistributedSampler`` or
    ``RedisEvalParallelSampler`` on a cluster."""
    import pyabc

    scenario = load_scenario(calibration.scenario)
    observed = observed_series(
        calibration.observed, calibration.actors, scenario, calibration.rounds, calibration.period
    )
    particle = Particle(calibration)
    prior = pyabc.Distribution(
        **{name: pyabc.RV("uniform", low, high - low) for name, (low, high) in _bounds(particle).items()}
    )
    distance = order_statistic_distance(calibration.replicates, adaptive=calibration.distance == "adaptive")
    folder = AtomicDir(calibration.output_dir, free=True)
    with seeded(calibration.seed), quiet_pyabc(), folder as out:
        if sampler is None and calibration.workers == 1:
            sampler = pyabc.sampler.SingleCoreSampler()
        elif sampler is None:
            sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=calibration.workers)
        abc = pyabc.ABCSMC(particle, prior, distance, population_size=calibration.population, sampler=sampler)
        abc.new(f"sqlite:///{out / 'pyabc.db'}", particle.observed(observed))
        generations = _generations(abc, calibration, progress or (lambda line: None))
        samples, weights = abc.history.get_distribution()
        posterior = pd.DataFrame({path: samples[name].to_numpy() for name, path in particle.paths.items()})
        posterior["weight"] = weights / weights.sum()
        bands = predictive_bands(calibration, posterior)
        _write(out, calibration, scenario, posterior, generations, bands, series_table(observed[None], calibration))
    return folder.target


def _bounds(particle: Particle) -> dict[str, tuple[float, float]]:
    return {name: particle.calibration.priors[path] for name, path in particle.paths.items()}


def _generations(abc, calibration: Calibration, report: Callable[[str], None]) -> pd.DataFrame:
    """Run ABC-SMC generation by generation (as pyabc's ``ABCSMC.run`` does), reporting each; a row per generation."""
    t = abc.initialize_components_before_run(
        minimum_epsilon=calibration.epsilon,
        max_nr_populations=calibration.generations,
        min_acceptance_rate=0.0,
        max_total_nr_simulations=np.inf,
        max_walltime=None,
        min_eps_diff=0.0,
    )
    rows = []
    while True:
        started = time.perf_counter()
        epsilon = float(abc.eps(t))
        result = abc.run_generation(t=t)
        if not result["successful"]:
            break
        simulations = int(abc.history.get_all_populations().set_index("t").loc[t, "samples"])
        rows.append(
            {
                "generation": t,
                "epsilon": epsilon,
                "simulations": simulations,
                "acceptance_rate": result["acceptance_rate"],
                "seconds": time.perf_counter() - started,
            }
        )
        report(
            f"generation {t + 1}/{calibration.generations}: epsilon {epsilon:.4g}, {simulations} simulations, "
            f"acceptance {result['acceptance_rate']:.1%}, {rows[-1]['seconds']:.1f} s"
        )
        if abc.check_terminate(t=t, acceptance_rate=result["acceptance_rate"]):
            break
        t += 1
    abc.history.done()
    return pd.DataFrame(rows)


def posterior_point(posterior: pd.DataFrame) -> dict[str, float]:
    """Each parameter's weighted posterior median."""
    weights = posterior["weight"].to_numpy()
    return {p: weighted_quantile(posterior[p].to_numpy(), weights, 0.5) for p in posterior.columns if p != "weight"}


def credible_intervals(posterior: pd.DataFrame, mass: float = 0.9) -> pd.DataFrame:
    """Each parameter's central ``mass`` interval and median (weighted)."""
    weights = posterior["weight"].to_numpy()
    tail = (1 - mass) / 2
    return pd.DataFrame(
        [
            {
                "parameter": p,
                "low": weighted_quantile(posterior[p].to_numpy(), weights, tail),
                "median": weighted_quantile(posterior[p].to_numpy(), weights, 0.5),
                "high": weighted_quantile(posterior[p].to_numpy(), weights, 1 - tail),
            }
            for p in posterior.columns
            if p != "weight"
        ]
    )


def predictive_bands(calibration: Calibration, posterior: pd.DataFrame) -> pd.DataFrame:
    """Posterior-predictive quantiles (QUANTILES) of the summary series: ``predictive`` particles drawn from the
    posterior by weight, one fresh history each (seeds from NumPy's global generator)."""
    weights = posterior["weight"].to_numpy()
    draws = np.random.choice(len(posterior), size=calibration.predictive, p=weights / weights.sum())
    params = [p for p in posterior.columns if p != "weight"]
    series = np.concatenate(
        [simulate_series(calibration, {p: float(posterior[p].iloc[k]) for p in params}, draw_seeds(1)) for k in draws]
    )
    table = series_table(np.quantile(series, QUANTILES, axis=0), calibration)
    return table.rename(columns={"replicate": "quantile"}).assign(quantile=lambda t: np.array(QUANTILES)[t["quantile"]])


def series_table(series: np.ndarray, calibration: Calibration) -> pd.DataFrame:
    """Series (k, periods, pairs, STATISTICS) as a tidy table: replicate (k), period, first round, pair, statistic,
    value."""
    scenario = load_scenario(calibration.scenario)
    pairs = country_pairs(scenario)
    index = np.indices(series.shape).reshape(4, -1)
    return pd.DataFrame(
        {
            "replicate": index[0],
            "period": index[1],
            "first_round": index[1] * calibration.period + 1,
            "country": np.array([a for a, _ in pairs], dtype=object)[index[2]],
            "counterpart": np.array([b for _, b in pairs], dtype=object)[index[2]],
            "statistic": np.array(STATISTICS, dtype=object)[index[3]],
            "value": series.ravel(),
        }
    )


def _write(out: Path, calibration, scenario, posterior, generations, bands, observed) -> None:
    """The outputs: posterior samples, generations, intervals, bands and observed series, figures (months where the
    scenario has a calendar), the calibrated scenario (``scenario/<name>_calibrated.yaml``, for ``negsim run
    --config-dir OUT scenario=<name>_calibrated``) and the calibration itself."""
    from sim.views.calibration_figures import plot_posterior_pairs, plot_predictive
    from sim.views.style import FIGURE_DPI, Calendar

    posterior.to_parquet(out / "posterior.parquet", index=False)
    generations.to_parquet(out / "generations.parquet", index=False)
    credible_intervals(posterior).to_parquet(out / "intervals.parquet", index=False)
    bands.to_parquet(out / "predictive.parquet", index=False)
    observed.to_parquet(out / "observed.parquet", index=False)
    plot_posterior_pairs(posterior, calibration.priors).savefig(out / "posterior_pairs.png", dpi=FIGURE_DPI)
    plot_predictive(bands, observed, Calendar.of(scenario)).savefig(out / "predictive.png", dpi=FIGURE_DPI)
    calibrated = calibration.scenario_with(posterior_point(posterior))
    calibrated["name"] = f"{scenario.name}_calibrated"
    (out / "scenario").mkdir()
    dump = {"sort_keys": False, "allow_unicode": True}
    (out / "scenario" / f"{scenario.name}_calibrated.yaml").write_text(yaml.safe_dump(calibrated, **dump))
    (out / "calibration.yaml").write_text(yaml.safe_dump(calibration.to_dict(), **dump))
