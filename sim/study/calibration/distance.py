"""The distance between a particle's histories and the observed record, over the calibration's statistics.

**Scale.** Statistics differ in size (a Goldstein total runs to tens, a count to a few), so each is divided by a
scale (pyabc's AdaptivePNormDistance, Prangle 2017). pyabc's own median absolute deviation is 0 for a count that is
the same in most histories, and pyabc then gives that statistic weight 0: most of negsim's counts were ignored.
Here a statistic's scale is its spread in the last generation, never below FLOOR × its standard deviation over the
prior predictive (the first, calibration sample of histories drawn from the priors). A statistic that is the same in
every history of that sample cannot tell parameters apart: it is dropped (scale 0, so weight 0), and said so.

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

FLOOR = 0.1  # a statistic's scale: at least this share of its standard deviation over the prior predictive
SPREADS = {  # a statistic's spread among a generation's histories, by the distance's name
    "adaptive": lambda samples: np.median(np.abs(samples - np.median(samples, axis=0)), axis=0),
    "prior": None,  # the prior predictive's standard deviation throughout
}


class FlooredScale:
    """pyabc's scale function: each statistic's spread among the generation's histories (``spread``; None: the
    prior predictive's standard deviation throughout), at least FLOOR × its standard deviation over the prior
    predictive; 0 (dropped) where that is 0. The first call (generation 0's calibration sample) sets the floor."""

    __name__ = "floored_scale"  # pyabc records its scale function by name

    def __init__(self, spread):
        self.spread = spread
        self.prior: np.ndarray | None = None

    def __call__(self, *, samples: np.ndarray, **_) -> np.ndarray:
        if self.prior is None:
            self.prior = np.where(np.ptp(samples, axis=0) > 0, samples.std(axis=0), 0.0)
        if self.spread is None:
            return self.prior
        return np.where(self.prior > 0, np.maximum(self.spread(samples), FLOOR * self.prior), 0.0)


def order_statistic_distance(replicates: int, kind: str) -> pyabc.Distance:
    """A pyabc distance over ``replicates`` stacked vectors of statistics: the Euclidean distance of a uniformly drawn
    order statistic of the histories' distances, each statistic scaled as ``kind`` says (a key of SPREADS, or
    ``euclidean``: unscaled)."""
    base = pyabc.PNormDistance if kind == "euclidean" else pyabc.AdaptivePNormDistance

    class OrderStatistic(base):
        def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
            weights = self.get_weights(t=t)
            s, s0 = self.sumstat(x).flatten(), self.sumstat(x_0).flatten()
            scaled = (weights * (s - s0)) if np.ndim(weights) and len(weights) else (s - s0)
            distances = np.sort(np.sqrt((scaled.reshape(replicates, -1) ** 2).sum(axis=1)))
            return float(distances[np.random.randint(replicates)] if replicates > 1 else distances[0])

    if kind == "euclidean":
        return OrderStatistic(p=2)
    return OrderStatistic(p=2, scale_function=FlooredScale(SPREADS[kind]))


def statistic_weights(distance: pyabc.Distance, replicates: int) -> dict[int, np.ndarray]:
    """Generation → each statistic's weight (of the first replicate's copy); {} for an unscaled distance."""
    weights = getattr(distance, "scale_weights", {})
    return {t: np.asarray(w).reshape(replicates, -1)[0] for t, w in weights.items()}
