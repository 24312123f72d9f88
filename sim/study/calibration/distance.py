"""The distance between a particle's histories and the observed record, over the calibration's statistics.

**Regression** (``distance: regression``, the default; semi-automatic ABC, Fearnhead and Prangle 2012). Most of the
statistics say little about any one parameter, and a distance that weighs them all alike drowns the few that do: ε
barely falls while acceptance halves each generation. So the first, calibration sample of histories drawn from the
priors fits a ridge regression of the parameters on the standardised statistics (its penalty chosen by leave-one-out
error); a history is then summarised by the parameters it predicts, and the distance is the Euclidean distance of
those predictions, each as a share of its prior's range. A statistic's weight is the length of its coefficients (per
standard deviation of the statistic, over the priors' ranges): how far it moves the distance.

**Scale** (``distance: adaptive``). Statistics differ in size (a Goldstein total runs to tens, a count to a few),
so each is divided by a scale (pyabc's AdaptivePNormDistance, Prangle 2017). pyabc's own median absolute deviation
is 0 for a count that is the same in most histories, and pyabc then gives that statistic weight 0: most of negsim's
counts were ignored. Here a statistic's scale is its spread in the last generation, never below FLOOR × its standard
deviation over the prior predictive (the calibration sample).

Either way a statistic that is the same in every history of the calibration sample cannot tell parameters apart: it
is dropped (weight 0), and said so.

**Replicates.** A particle may simulate R histories in one batch of the ensemble engine (about as fast as one). Its
distance is the k-th smallest of their R distances, k drawn uniformly from 1 … R (from NumPy's global generator, as
pyabc draws): then the particle is accepted with probability P(at least k of R within ε) averaged over k, which is
E[N]/R = p, the chance that one history lands within ε. This is exactly ABC's likelihood of one history (Toni et al.
2009), for any R. Taking the nearest history instead would favour parameters whose histories vary most, and comparing
the mean of R histories with the record would treat the record as an average of R (intervals √R too narrow).
"""

from __future__ import annotations

import numpy as np
import pyabc

from sim.study.calibration.particles import SERIES

FLOOR = 0.1  # a statistic's scale: at least this share of its standard deviation over the prior predictive
PENALTIES = 10.0 ** np.arange(-2, 5)  # the ridge penalties tried, on standardised statistics


def order_statistic(distances: np.ndarray) -> float:
    """A uniformly drawn order statistic of the replicates' distances (the only one of a single replicate)."""
    return float(np.sort(distances)[np.random.randint(len(distances))] if len(distances) > 1 else distances[0])


def varies(samples: np.ndarray) -> np.ndarray:
    """Whether each column takes more than one value (to 9 decimals: sums of the same acts in another order may
    differ in the last bits)."""
    return np.ptp(np.round(samples, 9), axis=0) > 0


def mad(samples: np.ndarray) -> np.ndarray:
    """Each column's median absolute deviation."""
    return np.median(np.abs(samples - np.median(samples, axis=0)), axis=0)


class FlooredScale:
    """pyabc's scale function: each statistic's median absolute deviation among the generation's histories, at least
    FLOOR × its standard deviation over the prior predictive; 0 (dropped) where that is 0. The first call (generation
    0's calibration sample) sets the floor."""

    __name__ = "floored_mad"  # pyabc records its scale function by name

    def __init__(self):
        self.prior: np.ndarray | None = None

    def __call__(self, *, samples: np.ndarray, **_) -> np.ndarray:
        if self.prior is None:
            self.prior = np.where(varies(samples), samples.std(axis=0), 0.0)
        return np.where(self.prior > 0, np.maximum(mad(samples), FLOOR * self.prior), 0.0)


class Regression(pyabc.Distance):
    """Semi-automatic ABC: histories compared by the parameters a ridge regression, fitted on the calibration sample,
    predicts from their statistics (each as a share of its prior's range)."""

    def __init__(self, replicates: int, ranges: dict[str, float]):
        super().__init__()
        self.replicates, self.ranges = replicates, ranges
        self.keep: np.ndarray | None = None  # the statistics that vary over the prior predictive
        self.centre = self.spread = self.coefficients = None
        self.penalty = np.nan

    def requires_calibration(self) -> bool:
        return True

    def initialize(self, t: int, get_sample, x_0: dict, total_sims: int) -> None:
        particles = get_sample().all_particles
        statistics = np.array([p.sum_stat[SERIES] for p in particles]).reshape(len(particles) * self.replicates, -1)
        names = list(self.ranges)
        targets = np.array([[p.parameter[n] / self.ranges[n] for n in names] for p in particles])
        targets = np.repeat(targets, self.replicates, axis=0)
        self.keep = varies(statistics)
        kept = statistics[:, self.keep]
        self.centre, self.spread = kept.mean(axis=0), kept.std(axis=0)
        self.penalty, self.coefficients = ridge((kept - self.centre) / self.spread, targets - targets.mean(axis=0))

    def predict(self, statistics: np.ndarray) -> np.ndarray:
        """(replicates, parameters): the parameters (as shares of their ranges) each replicate's statistics predict."""
        rows = statistics.reshape(self.replicates, -1)[:, self.keep]
        return ((rows - self.centre) / self.spread) @ self.coefficients

    def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
        difference = self.predict(x[SERIES]) - self.predict(x_0[SERIES])[0]
        return order_statistic(np.sqrt((difference**2).sum(axis=1)))

    def weights(self) -> np.ndarray:
        """Each statistic's weight: the length of its coefficients (0: dropped)."""
        out = np.zeros(len(self.keep))
        out[self.keep] = np.sqrt((self.coefficients**2).sum(axis=1))
        return out

    def get_config(self) -> dict:
        return {"name": "regression", "penalty": float(self.penalty)}


def ridge(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(penalty, coefficients (features, targets)): ridge regression of centred ``y`` on centred ``x``, the penalty
    among PENALTIES with the least leave-one-out squared error (closed form through the singular values)."""
    u, d, vt = np.linalg.svd(x, full_matrices=False)
    uy = u.T @ y
    best = None
    for penalty in PENALTIES:
        shrink = d**2 / (d**2 + penalty)
        fitted = u @ (shrink[:, None] * uy)
        leverage = (u**2) @ shrink
        error = (((y - fitted) / (1 - leverage)[:, None]) ** 2).sum()
        if best is None or error < best[0]:
            best = (error, penalty, vt.T @ ((d / (d**2 + penalty))[:, None] * uy))
    return best[1], best[2]


def order_statistic_distance(replicates: int, kind: str, ranges: dict[str, float]) -> pyabc.Distance:
    """A pyabc distance over ``replicates`` stacked vectors of statistics: ``regression`` (:class:`Regression`, over
    the parameters of ``ranges``, pyabc's names → prior ranges), or the Euclidean distance of the statistics,
    ``adaptive`` (each scaled by :class:`FlooredScale`) or ``euclidean`` (unscaled); a uniformly drawn order statistic
    of the histories' distances."""
    if kind == "regression":
        return Regression(replicates, ranges)
    base = pyabc.PNormDistance if kind == "euclidean" else pyabc.AdaptivePNormDistance

    class OrderStatistic(base):
        def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
            weights = self.get_weights(t=t)
            s, s0 = self.sumstat(x).flatten(), self.sumstat(x_0).flatten()
            scaled = (weights * (s - s0)) if np.ndim(weights) and len(weights) else (s - s0)
            return order_statistic(np.sqrt((scaled.reshape(replicates, -1) ** 2).sum(axis=1)))

    if kind == "euclidean":
        return OrderStatistic(p=2)
    return OrderStatistic(p=2, scale_function=FlooredScale())


def statistic_weights(distance: pyabc.Distance, replicates: int) -> dict[int, np.ndarray]:
    """Generation → each statistic's weight (of the first replicate's copy); {} for an unscaled distance."""
    if isinstance(distance, Regression):
        return {0: distance.weights()}
    weights = getattr(distance, "scale_weights", {})
    return {t: np.asarray(w).reshape(replicates, -1)[0] for t, w in weights.items()}
