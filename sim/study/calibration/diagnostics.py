"""What a calibration's run says about itself: one warning line for each sign that its posterior should not be
believed as it stands (docs/users.md, "Calibration to event data")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

STALL = 3  # generations in a row whose thresholds differ by less than STALL_CHANGE: ε has stalled
STALL_CHANGE = 0.01
COLLAPSED = 1e-9  # a threshold at or below this: accepted histories match the record on every weighted statistic
ACCEPTANCE = (0.01, 0.95)  # a generation's acceptance rate below or above these
ESS_SHARE = 0.2  # an effective sample size below this share of the population
UNINFORMED = 0.8  # a 90% interval at least this share of the prior's range: the record does not inform it, or
# less where a uniform sample of the last generation's effective size would often be as narrow: 0.9 − 2 × 0.3/√ESS
# (the standard deviation of a uniform sample's 5–95% width is 0.3/√n of the range)


def warnings(
    generations: pd.DataFrame,
    weights: Mapping[int, np.ndarray],
    names: Sequence[str],
    dropped: Sequence[str],
    intervals: pd.DataFrame,
    priors: Mapping[str, tuple[float, float]],
    population: int,
) -> list[str]:
    """One line per warning, in this order: ε stalled or collapsed, acceptance near 100% or 0, statistics with weight
    0 that were not dropped, effective sample sizes below ESS_SHARE of the population, parameters the record does not
    inform. ``generations`` has a row per generation (generation, epsilon, acceptance_rate, ess), ``weights`` each
    statistic's weight by generation, ``intervals`` each parameter's 90% interval."""
    lines = []
    epsilon = generations["epsilon"].to_numpy()
    number = generations["generation"].to_numpy() + 1
    still = (np.abs(np.diff(epsilon)) <= STALL_CHANGE * np.abs(epsilon[1:])) & (epsilon[1:] > COLLAPSED)
    for first, last in _runs(still, STALL - 1):
        lines.append(
            f"epsilon stalled at {epsilon[last + 1]:.4g} for generations {number[first]}–{number[last + 1]}: "
            "more generations will not narrow the posterior (more particles, another distance or other statistics "
            "may)"
        )
    if (collapsed := np.flatnonzero(epsilon <= COLLAPSED)).size:
        lines.append(
            f"epsilon collapsed to {epsilon[collapsed[0]]:.3g} in generation {number[collapsed[0]]}: accepted "
            "histories match the record exactly on every weighted statistic, so the weights, not the record, decide"
        )
    for row in generations.itertuples():
        if row.acceptance_rate >= ACCEPTANCE[1]:
            lines.append(
                f"acceptance {row.acceptance_rate:.1%} in generation {row.generation + 1}: nearly every particle "
                "passes, so the threshold no longer selects"
            )
        elif row.acceptance_rate <= ACCEPTANCE[0]:
            lines.append(
                f"acceptance {row.acceptance_rate:.2%} in generation {row.generation + 1}: almost no history comes "
                "near the record (is the model able to produce it?)"
            )
    ignored = [name for name, w in zip(names, _least(weights, len(names)), strict=True) if w == 0]
    if unexpected := [name for name in ignored if name not in set(dropped)]:
        lines.append(f"{len(unexpected)} statistic(s) with weight 0 in some generation: {listed(unexpected)}")
    for row in generations.itertuples():
        if row.ess < ESS_SHARE * population:
            lines.append(
                f"effective sample size {row.ess:.0f} of {population} in generation {row.generation + 1}: the "
                "posterior rests on a few particles (a larger population helps)"
            )
    uninformed = min(UNINFORMED, 0.9 - 0.6 / np.sqrt(generations["ess"].iloc[-1]))
    for row in intervals.itertuples():
        low, high = priors[row.parameter]
        share = (row.high - row.low) / (high - low)
        if share >= uninformed:
            lines.append(
                f"the record does not inform {row.parameter}: its 90% interval is {share:.2f} of the prior's range "
                "(the posterior is about the prior)"
            )
    return lines


def _runs(flags: np.ndarray, length: int) -> list[tuple[int, int]]:
    """(first, last) index of each run of at least ``length`` True values."""
    runs, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                runs.append((start, i - 1))
            start = None
    return runs


def _least(weights: Mapping[int, np.ndarray], size: int) -> np.ndarray:
    """Each statistic's smallest weight over the generations (ones where the distance has no weights)."""
    return np.min(np.stack(list(weights.values())), axis=0) if weights else np.ones(size)


def listed(names: Sequence[str], shown: int = 6) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def effective_sample_size(weights: np.ndarray) -> float:
    """(Σw)² / Σw² (Kish): how many equally weighted particles the weighted ones are worth."""
    return float(weights.sum() ** 2 / (weights**2).sum())
