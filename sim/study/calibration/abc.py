"""Running a calibration: ABC-SMC with pyabc over the calibration's priors, then its outputs, all or nothing.

pyabc draws every random number (priors, perturbations, the particles' seeds here) from NumPy's *global* generator.
:func:`calibrate` seeds it with the calibration's seed for the length of the call and puts the previous state back
afterwards, so a calibration on one worker is reproducible and nothing outside it is touched. With several workers
(pyabc's ``MulticoreEvalParallelSampler``), or on Dask or Redis, each worker draws from its own generator, seeded by
the operating system: the posterior is then a fresh draw each time (``calibration.yaml`` says which, under ``run``).
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
from sim.study.calibration import diagnostics
from sim.study.calibration.config import Calibration
from sim.study.calibration.distance import order_statistic_distance, statistic_weights
from sim.study.calibration.observed import country_pairs, observed_acts
from sim.study.calibration.particles import Particle, draw_seeds, simulate_summaries
from sim.study.calibration.summaries import Summaries, act_kind, scenario_codes

QUANTILES = (0.05, 0.5, 0.95)  # of the posterior-predictive bands
MARGINAL_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # of each parameter's marginal, by generation
MARGINAL_COLUMNS = ("q05", "q25", "q50", "q75", "q95")


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


def calibrate(
    calibration: Calibration,
    progress: Callable[[str], None] | None = None,
    sampler=None,
    warn: Callable[[str], None] | None = None,
) -> Path:
    """Run ``calibration`` and write its outputs into a new folder (``output_dir``, or a free name beside it); return
    the folder. ``progress`` receives a line per generation and one for the statistics dropped, ``warn`` each
    diagnostic warning (also written in ``calibration.yaml``). ``sampler``: a pyabc sampler to use instead of the
    one ``workers`` chooses (one process, or ``MulticoreEvalParallelSampler``), e.g. ``DaskDistributedSampler`` or
    ``RedisEvalParallelSampler`` on a cluster; it is stopped at the end, so that it can serve the next calibration."""
    import pyabc

    report = progress or (lambda line: None)
    scenario = load_scenario(calibration.scenario)
    acts = observed_acts(calibration.observed, calibration.actors, scenario, calibration.rounds)
    summaries = Summaries(
        pairs=tuple(country_pairs(scenario)),
        kinds=tuple(sorted(scenario_codes(scenario) | ({act_kind(c) for c in acts.cameo} - {""}))),
        rounds=calibration.rounds,
        period=calibration.period,
    )
    observed = summaries(acts, 1)[0]
    particle = Particle(calibration, summaries)
    prior = pyabc.Distribution(
        **{name: pyabc.RV("uniform", low, high - low) for name, (low, high) in _bounds(particle).items()}
    )
    ranges = {name: high - low for name, (low, high) in _bounds(particle).items()}
    distance = order_statistic_distance(calibration.replicates, calibration.distance, ranges)
    folder = AtomicDir(calibration.output_dir, free=True)
    with seeded(calibration.seed), quiet_pyabc(), folder as out:
        if sampler is None and calibration.workers == 1:
            sampler = pyabc.sampler.SingleCoreSampler()
        elif sampler is None:
            sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=calibration.workers)
        run = {"sampler": type(sampler).__name__, "workers": workers(sampler)}
        run["reproducible"] = run["sampler"] == "SingleCoreSampler"
        try:
            abc = pyabc.ABCSMC(particle, prior, distance, population_size=calibration.population, sampler=sampler)
            abc.new(f"sqlite:///{out / 'pyabc.db'}", particle.observed(observed))
            generations, marginals = _generations(abc, calibration, particle, report)
        finally:
            sampler.stop()  # a Redis broker is free again for the next calibration
        samples, weights = abc.history.get_distribution()
        posterior = pd.DataFrame({path: samples[name].to_numpy() for name, path in particle.paths.items()})
        posterior["weight"] = weights / weights.sum()
        by_generation = statistic_weights(distance, calibration.replicates)
        run |= _diagnosis(calibration, summaries.names, by_generation, generations, posterior, report, warn)
        tables = {
            "posterior": posterior,
            "generations": generations,
            "marginals": marginals,
            "intervals": credible_intervals(posterior),
            "statistics": statistics_table(summaries.names, observed, by_generation),
            "predictive": predictive_bands(calibration, summaries, posterior),
            "observed": series_table(summaries.course(observed[None]), calibration),
        }
        _write(out, calibration, scenario, tables, run)
    return folder.target


def _diagnosis(
    calibration: Calibration,
    names: list[str],
    weights: dict[int, np.ndarray],
    generations: pd.DataFrame,
    posterior: pd.DataFrame,
    report: Callable[[str], None],
    warn: Callable[[str], None] | None,
) -> dict:
    """What ran, for ``calibration.yaml``'s ``run``: the statistics used and dropped (reported in one line) and the
    warnings (each passed to ``warn``)."""
    dropped = [n for n, w in zip(names, weights.get(0, np.ones(len(names))), strict=True) if w == 0]
    if dropped:
        report(
            f"{len(dropped)} of {len(names)} statistics are the same in every history drawn from the priors and "
            f"are dropped (calibration.yaml lists them): {diagnostics.listed(dropped)}"
        )
    lines = diagnostics.warnings(
        generations,
        weights,
        names,
        dropped,
        credible_intervals(posterior),
        calibration.priors,
        calibration.population,
    )
    for line in lines if warn else ():
        warn(line)
    return {"statistics": len(names) - len(dropped), "dropped": dropped, "warnings": lines}


def workers(sampler) -> int:
    """How many processes a pyabc sampler evaluates particles on: Redis workers listening, Dask cores, or processes."""
    if hasattr(sampler, "n_worker"):
        return int(sampler.n_worker())
    if hasattr(sampler, "client_cores"):
        return int(sampler.client_cores())
    return int(getattr(sampler, "n_procs", 1))


def _bounds(particle: Particle) -> dict[str, tuple[float, float]]:
    return {name: particle.calibration.priors[path] for name, path in particle.paths.items()}


def _generations(
    abc, calibration: Calibration, particle: Particle, report: Callable[[str], None]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run ABC-SMC generation by generation (as pyabc's ``ABCSMC.run`` does), reporting each: a row per generation
    (threshold, simulations, acceptance, effective sample size, time), and each parameter's 5, 25, 50, 75 and 95%
    quantiles by generation."""
    t = abc.initialize_components_before_run(
        minimum_epsilon=calibration.epsilon,
        max_nr_populations=calibration.generations,
        min_acceptance_rate=0.0,
        max_total_nr_simulations=np.inf,
        max_walltime=None,
        min_eps_diff=0.0,
    )
    rows, marginals = [], []
    while True:
        started = time.perf_counter()
        epsilon = float(abc.eps(t))
        result = abc.run_generation(t=t)
        if not result["successful"]:
            break
        simulations = int(abc.history.get_all_populations().set_index("t").loc[t, "samples"])
        samples, weights = abc.history.get_distribution(t=t)
        rows.append(
            {
                "generation": t,
                "epsilon": epsilon,
                "simulations": simulations,
                "acceptance_rate": result["acceptance_rate"],
                "ess": diagnostics.effective_sample_size(weights),
                "seconds": time.perf_counter() - started,
            }
        )
        for name, path in particle.paths.items():
            values = samples[name].to_numpy()
            quantiles = [weighted_quantile(values, weights, q) for q in MARGINAL_QUANTILES]
            marginals.append({"generation": t, "parameter": path} | dict(zip(MARGINAL_COLUMNS, quantiles, strict=True)))
        report(
            f"generation {t + 1}/{calibration.generations}: epsilon {epsilon:.4g}, {simulations} simulations, "
            f"acceptance {result['acceptance_rate']:.1%}, ESS {rows[-1]['ess']:.0f}, {rows[-1]['seconds']:.1f} s"
        )
        if abc.check_terminate(t=t, acceptance_rate=result["acceptance_rate"]):
            break
        t += 1
    abc.history.done()
    return pd.DataFrame(rows), pd.DataFrame(marginals)


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


def predictive_bands(calibration: Calibration, summaries: Summaries, posterior: pd.DataFrame) -> pd.DataFrame:
    """Posterior-predictive quantiles (QUANTILES) of the course series: ``predictive`` particles drawn from the
    posterior by weight, one fresh history each (seeds from NumPy's global generator)."""
    weights = posterior["weight"].to_numpy()
    draws = np.random.choice(len(posterior), size=calibration.predictive, p=weights / weights.sum())
    params = [p for p in posterior.columns if p != "weight"]
    vectors = np.concatenate(
        [
            simulate_summaries(calibration, summaries, {p: float(posterior[p].iloc[k]) for p in params}, draw_seeds(1))
            for k in draws
        ]
    )
    table = series_table(np.quantile(summaries.course(vectors), QUANTILES, axis=0), calibration)
    return table.rename(columns={"replicate": "quantile"}).assign(quantile=lambda t: np.array(QUANTILES)[t["quantile"]])


def series_table(series: np.ndarray, calibration: Calibration) -> pd.DataFrame:
    """Series (k, periods, pairs, STATISTICS) as a tidy table: replicate (k), period, its first and last round, pair,
    statistic, value."""
    scenario = load_scenario(calibration.scenario)
    pairs = country_pairs(scenario)
    index = np.indices(series.shape).reshape(4, -1)
    return pd.DataFrame(
        {
            "replicate": index[0],
            "period": index[1],
            "first_round": index[1] * calibration.period + 1,
            "last_round": np.minimum((index[1] + 1) * calibration.period, calibration.rounds),
            "country": np.array([a for a, _ in pairs], dtype=object)[index[2]],
            "counterpart": np.array([b for _, b in pairs], dtype=object)[index[2]],
            "statistic": np.array(STATISTICS, dtype=object)[index[3]],
            "value": series.ravel(),
        }
    )


def statistics_table(names: list[str], observed: np.ndarray, weights: dict[int, np.ndarray]) -> pd.DataFrame:
    """A row per statistic and generation: its name, observed value and weight in the distance (all 1 for an
    unscaled distance; 0: dropped)."""
    weights = weights or {0: np.ones(len(names))}
    return pd.DataFrame(
        [
            {"statistic": name, "observed": float(value), "generation": t, "weight": float(w[i])}
            for t, w in weights.items()
            for i, (name, value) in enumerate(zip(names, observed, strict=True))
        ]
    )


def _write(out: Path, calibration: Calibration, scenario, tables: dict[str, pd.DataFrame], run: dict) -> None:
    """The outputs: each table as ``NAME.parquet``, the figures (months where the scenario has a calendar), the
    calibrated scenario (``scenario/<name>_calibrated.yaml``, for ``negsim run --config-dir OUT
    scenario=<name>_calibrated``) and the calibration itself with what ran (``run``: sampler, workers, statistics,
    warnings)."""
    from sim.views.calibration_figures import plot_diagnostics, plot_posterior_pairs, plot_predictive
    from sim.views.style import FIGURE_DPI, Calendar

    for name, table in tables.items():
        table.to_parquet(out / f"{name}.parquet", index=False)
    posterior = tables["posterior"]
    plot_posterior_pairs(posterior, calibration.priors).savefig(out / "posterior_pairs.png", dpi=FIGURE_DPI)
    predictive = plot_predictive(tables["predictive"], tables["observed"], Calendar.of(scenario))
    predictive.savefig(out / "predictive.png", dpi=FIGURE_DPI)
    figure = plot_diagnostics(tables["generations"], tables["marginals"], calibration.priors, calibration.population)
    figure.savefig(out / "diagnostics.png", dpi=FIGURE_DPI)
    calibrated = calibration.scenario_with(posterior_point(posterior))
    calibrated["name"] = f"{scenario.name}_calibrated"
    (out / "scenario").mkdir()
    dump = {"sort_keys": False, "allow_unicode": True}
    (out / "scenario" / f"{scenario.name}_calibrated.yaml").write_text(yaml.safe_dump(calibrated, **dump))
    (out / "calibration.yaml").write_text(yaml.safe_dump(calibration.to_dict() | {"run": run}, **dump))
