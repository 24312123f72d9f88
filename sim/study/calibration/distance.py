"""The distance between a particle's histories and the observed series: the nearest of its histories.

A particle simulates R histories in one batch of the ensemble engine (about as fast as one) and is accepted when the
nearest is within ε. The chance that one of R histories lands within ε is 1 − (1 − p)^R ≈ R·p for the small p of
late generations: proportional to ABC's likelihood p of one history, so the posterior is (nearly) the one of one
history per particle, reached with fewer particles; where p is not small it is flatter, never sharper (an interval
errs on the wide side). Comparing the *mean* of R histories with the record instead would treat the record as an
average of R and give intervals √R too narrow.
"""

from __future__ import annotations

import numpy as np
import pyabc


def nearest_distance(replicates: int, *, adaptive: bool) -> pyabc.Distance:
    """A pyabc distance over ``replicates`` stacked series: the Euclidean distance of the nearest, each statistic
    weighted by pyabc (``adaptive``: by its spread in the last generation, Prangle 2017; otherwise equally)."""
    base = pyabc.AdaptivePNormDistance if adaptive else pyabc.PNormDistance

    class Nearest(base):
        def __call__(self, x: dict, x_0: dict, t: int | None = None, par: dict | None = None) -> float:
            weights = self.get_weights(t=t)
            s, s0 = self.sumstat(x).flatten(), self.sumstat(x_0).flatten()
            scaled = (weights * (s - s0)) if np.ndim(weights) and len(weights) else (s - s0)
            return float(np.sqrt((scaled.reshape(replicates, -1) ** 2).sum(axis=1)).min())

    return Nearest(p=2)
