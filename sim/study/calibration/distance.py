"""The distance between a particle's histories and the observed series.

A particle may simulate R histories in one batch of the ensemble engine (about as fast as one). Its distance is the
k-th smallest of their R distances, k drawn uniformly from 1 … R (from NumPy's global generator, as pyabc draws):
then the particle is accepted with probability P(at least k of R within ε) averaged over k, which is E[N]/R = p, the
chance that one history lands within ε. This is exactly ABC's likelihood of one history (Toni et al. 2009), for any
R. Taking the nearest history instead would favour parameters whose histories vary most, and comparing the mean of R
histories with the record would treat the record as an average of R (intervals √R too narrow).
"""

from __future__ import annotations

import numpy as np
import pyabc


def order_statistic_distance(replicates: int, *, adaptive: bool) -> pyabc.Distance:
    """A pyabc distance over ``replicates`` stacked series: the Euclidean distance of a uniformly drawn order statistic
    of the histories' distances, each statistic weighted by pyabc (``adaptive``: by its spread in the last generation,
    Prangle 2017; otherwise equally)."""
    base = pyabc.AdaptivePNormDistance if adaptive else pyabc.PNormDistance

    class OrderStatistic(base):
        def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
            weights = self.get_weights(t=t)
            s, s0 = self.sumstat(x).flatten(), self.sumstat(x_0).flatten()
            scaled = (weights * (s - s0)) if np.ndim(weights) and len(weights) else (s - s0)
            distances = np.sort(np.sqrt((scaled.reshape(replicates, -1) ** 2).sum(axis=1)))
            return float(distances[np.random.randint(replicates)] if replicates > 1 else distances[0])

    return OrderStatistic(p=2)
